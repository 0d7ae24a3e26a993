from piccolo.columns import BigInt, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.table import Table

from server.people.tables import Person


class StoredFile(Table, tablename="stored_files"):
    """A file's bytes, stored once by content hash."""

    sha256 = Varchar(length=64, unique=True)
    content_type = Varchar(length=100)
    size = BigInt()
    width = Integer(null=True)
    height = Integer(null=True)
    created_at = Timestamptz()


class Attachment(Table, tablename="attachments"):
    """A stored file attached to a directive, a progress report or a task."""

    file = ForeignKey(references=StoredFile)
    owner_kind = Varchar(length=32, index=True)
    owner_id = Integer(index=True)
    filename = Varchar(length=255)
    uploaded_by = ForeignKey(references=Person, null=True)
    client_id = Varchar(length=80, null=True, unique=True)
    created_at = Timestamptz()


class ImageDerivative(Table, tablename="image_derivatives"):
    """A clean copy of an image file (WebP, upright, no metadata): its "display" copy or its "thumb"nail.

    One per (original, kind): a UNIQUE index made in the migration (Piccolo has no composite constraint)
    keeps a worker and an on-demand build from recording it twice. The bytes live in storage by `sha256`.
    """

    original = ForeignKey(references=StoredFile, index=True)
    kind = Varchar(length=16)
    sha256 = Varchar(length=64, index=True)
    content_type = Varchar(length=100)
    width = Integer()
    height = Integer()
    size = BigInt()
    created_at = Timestamptz()
