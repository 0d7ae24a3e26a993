"""Attachments: bytes checked by their magic numbers (not their name), stored once by content hash."""

from __future__ import annotations

import asyncio
import hashlib
import io
import sqlite3
from typing import Any

import asyncpg

from server.audit import services as audit
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Invalid, NotFound
from server.media.storage import Storage, default_storage
from server.media.tables import Attachment, StoredFile

MAX_ATTACHMENT_BYTES = 10_000_000
MAX_IMAGE_PIXELS = 50_000_000  # below Pillow's own bomb limit: a phone photo is 12–50 MP
OWNER_KINDS = frozenset({"directive", "progress_report", "task"})


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, among those we accept."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"):
        return "image/heic"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"  # .docx / .xlsx are zip containers
    return None


def _image_size(data: bytes) -> tuple[int | None, int | None]:
    from PIL import Image

    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
    except ImportError:  # pragma: no cover - pillow-heif is a dependency
        pass
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Exception as error:
        raise Invalid("image_unreadable", "Không đọc được ảnh") from error
    if width * height > MAX_IMAGE_PIXELS:
        raise Invalid("image_too_large", "Ảnh có kích thước quá lớn")
    return width, height


async def store_file(data: bytes, storage: Storage | None = None) -> dict[str, Any]:
    if not data:
        raise Invalid("file_empty", "Tệp rỗng")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise Invalid("file_too_large", "Tệp quá lớn (tối đa 10 MB)")
    content_type = sniff(data)
    if content_type is None:
        raise Invalid("file_type_not_allowed", "Chỉ nhận tệp PDF, ảnh JPEG/PNG/WebP/HEIC hoặc Word/Excel")
    width = height = None
    if content_type.startswith("image/"):
        # Decoding headers is cheap, but keep all image work off the event loop.
        width, height = await asyncio.to_thread(_image_size, data)
    sha256 = hashlib.sha256(data).hexdigest()
    storage = storage or default_storage()
    await asyncio.to_thread(storage.put, sha256, data)
    async with write_transaction():
        existing = await StoredFile.select(StoredFile.id).where(StoredFile.sha256 == sha256).first()
        if existing is None:
            rows = await StoredFile.insert(
                StoredFile(sha256=sha256, content_type=content_type, size=len(data), width=width, height=height,
                           created_at=clock.now())
            ).returning(StoredFile.id)
            file_id = rows[0]["id"]
        else:
            file_id = existing["id"]
    return {"id": file_id, "sha256": sha256, "content_type": content_type, "size": len(data)}


async def attach(
    *,
    owner_kind: str,
    owner_id: int,
    filename: str,
    data: bytes,
    actor_id: int | None,
    client_id: str | None = None,
    storage: Storage | None = None,
) -> dict[str, Any]:
    """Attach a file to an owner the caller has already checked access to; a client id makes it idempotent."""
    if owner_kind not in OWNER_KINDS:
        raise Invalid("owner_invalid", "Đối tượng đính kèm không hợp lệ")
    filename = (filename or "tep").strip().replace("/", "_").replace("\\", "_")[:200] or "tep"
    if client_id:
        existing = await Attachment.select(Attachment.id).where(Attachment.client_id == client_id).first()
        if existing is not None:
            return await get_attachment(existing["id"])
    stored = await store_file(data, storage)
    try:
        return await _insert_attachment(stored["id"], owner_kind, owner_id, filename, actor_id, client_id)
    except (asyncpg.UniqueViolationError, sqlite3.IntegrityError):
        # The same upload, sent twice at once: the first one won; answer with it.
        existing = await Attachment.select(Attachment.id).where(Attachment.client_id == client_id).first()
        if existing is None:
            raise
        return await get_attachment(existing["id"])


async def _insert_attachment(
    file_id: int, owner_kind: str, owner_id: int, filename: str, actor_id: int | None, client_id: str | None
) -> dict[str, Any]:
    async with write_transaction():
        if client_id:
            existing = await Attachment.select(Attachment.id).where(Attachment.client_id == client_id).first()
            if existing is not None:
                return await get_attachment(existing["id"])
        rows = await Attachment.insert(
            Attachment(file=file_id, owner_kind=owner_kind, owner_id=owner_id, filename=filename,
                       uploaded_by=actor_id, client_id=client_id, created_at=clock.now())
        ).returning(Attachment.id)
        attachment = await get_attachment(rows[0]["id"])
        await audit.record(actor_id=actor_id, action="attachment.create", entity=owner_kind, entity_id=owner_id,
                           after=attachment)
    return attachment


def _select():  # type: ignore[no-untyped-def]
    return Attachment.select(
        Attachment.id, Attachment.owner_kind, Attachment.owner_id, Attachment.filename, Attachment.created_at,
        Attachment.file.sha256, Attachment.file.content_type, Attachment.file.size,
    )


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "owner_kind": row["owner_kind"],
        "owner_id": row["owner_id"],
        "filename": row["filename"],
        "created_at": row["created_at"],
        "sha256": row["file.sha256"],
        "content_type": row["file.content_type"],
        "size": row["file.size"],
    }


async def get_attachment(attachment_id: int) -> dict[str, Any]:
    row = await _select().where(Attachment.id == attachment_id).first()
    if row is None:
        raise NotFound("attachment_not_found", "Không tìm thấy tệp đính kèm")
    return _public(row)


async def list_attachments(owner_kind: str, owner_ids: list[int]) -> list[dict[str, Any]]:
    if not owner_ids:
        return []
    rows = await _select().where(
        (Attachment.owner_kind == owner_kind) & Attachment.owner_id.is_in(owner_ids)
    ).order_by(Attachment.id)
    return [_public(row) for row in rows]


async def read_bytes(sha256: str, storage: Storage | None = None) -> bytes:
    storage = storage or default_storage()
    return await asyncio.to_thread(storage.get, sha256)
