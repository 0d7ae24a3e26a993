from enum import Enum

from piccolo.columns import Date, ForeignKey, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.people.tables import Person
from server.units.tables import Unit


class DirectiveKind(str, Enum):
    document = "document"
    meeting_conclusion = "meeting_conclusion"


class Directive(Table, tablename="directives"):
    number = Varchar(length=128)
    issued_on = Date(index=True)
    signer = Varchar(length=255)
    issuing_body = Varchar(length=255)
    kind = Varchar(length=32, choices=DirectiveKind, default=DirectiveKind.document.value)
    title = Varchar(length=500)
    summary = Text(default="")
    unit = ForeignKey(references=Unit, index=True)
    created_by = ForeignKey(references=Person, null=True)
    created_at = Timestamptz()
    search_text = Text(default="")
    # The folded text of the directive's PDFs, kept apart from search_text, which is rebuilt from the fields.
    document_text = Text(default="")
