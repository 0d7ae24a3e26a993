"""Attachments: bytes checked by their magic numbers (not their name), stored once by content hash.

Image attachments (progress-report photos, task and directive images) also get two clean copies, built off
the request path by the worker (job "media.derive", queued in the same transaction as the attachment) or on
demand when one is asked for first: a 1600 px "display" WebP and a 320 px "thumb", upright and without any
metadata (server/media/images.py). The original keeps its metadata and is only served to those who may see
the attachment.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import sqlite3
import zipfile
from typing import Any

import asyncpg

from server.audit import services as audit
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Invalid, NotFound
from server.media import images
from server.media.storage import Storage, default_storage
from server.media.tables import Attachment, ImageDerivative, StoredFile

MAX_ATTACHMENT_BYTES = 10_000_000
MAX_IMAGE_PIXELS = images.MAX_PIXELS
OWNER_KINDS = frozenset({"directive", "progress_report", "task"})
DERIVE_JOB = "media.derive"
API_PREFIX = "/api/v1/attachments"


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old .doc, .xls and .ppt (Compound File Binary)
OFFICE_PARTS = (
    ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
MAX_ZIP_ENTRIES = 10_000


def _office_type(data: bytes) -> str | None:
    """A .docx, .xlsx or .pptx: a ZIP with [Content_Types].xml and the parts of Word, Excel or PowerPoint.
    Any other ZIP (an archive, an .apk, a .jar; an archive renamed .jpg) is not an office document."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return None
    if len(names) > MAX_ZIP_ENTRIES or "[Content_Types].xml" not in names:
        return None
    for prefix, content_type in OFFICE_PARTS:
        if any(name.startswith(prefix) for name in names):
            return content_type
    return None


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, among those we accept (the allow-list is by content, never by
    name): images (JPEG, PNG, WebP, HEIC), PDF, and the office formats officials send."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    image_type = images.sniff_image(head)
    if image_type is not None:
        return image_type
    if head.startswith(b"PK\x03\x04"):
        return _office_type(data)
    if head.startswith(OLE2_MAGIC):
        return "application/vnd.ms-office"
    return None


def is_image(content_type: str) -> bool:
    return content_type in images.DECODERS


def _refusal(error: images.ImageRefused) -> Invalid:
    """The localised API error for an image the pipeline refuses."""
    if error.code == "image_too_large":  # the figure is images.MAX_PIXELS
        return Invalid("image_too_large", "Ảnh quá lớn: tối đa 50 triệu điểm ảnh")
    if error.code == "image_type_not_allowed":
        return Invalid("file_type_not_allowed", "Chỉ nhận tệp PDF, ảnh JPEG/PNG/WebP/HEIC hoặc Word/Excel")
    return Invalid("image_unreadable", "Không đọc được ảnh: tệp bị hỏng hoặc chưa tải lên hết")


def _inspect_image(data: bytes, content_type: str) -> tuple[int, int]:
    try:
        return images.inspect(data, content_type, MAX_IMAGE_PIXELS)
    except images.ImageRefused as error:
        raise _refusal(error) from error


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def store_file(data: bytes, storage: Storage | None = None) -> dict[str, Any]:
    if not data:
        raise Invalid("file_empty", "Tệp rỗng")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise Invalid("file_too_large", "Tệp quá lớn (tối đa 10 MB)")
    # Listing a ZIP's entries reads its central directory: a few ms for 10 MB, kept off the event loop.
    content_type = await asyncio.to_thread(sniff, data)
    if content_type is None:
        raise Invalid("file_type_not_allowed", "Chỉ nhận tệp PDF, ảnh JPEG/PNG/WebP/HEIC hoặc Word/Excel")
    width = height = None
    if is_image(content_type):
        # Checked before anything is written: the header's size first, then one decode (truncated files).
        width, height = await asyncio.to_thread(_inspect_image, data, content_type)
    sha256 = await asyncio.to_thread(_sha256, data)  # 10 MB take ~20 ms: not on the event loop either
    storage = storage or default_storage()
    await asyncio.to_thread(storage.put, sha256, data)
    async with write_transaction():
        # The same bytes uploaded twice (even at once, by two phones) are one file: the second insert is a no-op.
        await StoredFile.insert(
            StoredFile(sha256=sha256, content_type=content_type, size=len(data), width=width, height=height,
                       created_at=clock.now())
        ).on_conflict(target=StoredFile.sha256, action="DO NOTHING")
        row = await StoredFile.select(StoredFile.id).where(StoredFile.sha256 == sha256).first()
    return {"id": row["id"], "sha256": sha256, "content_type": content_type, "size": len(data)}


async def attach(
    *,
    owner_kind: str,
    owner_id: int,
    filename: str,
    data: bytes,
    actor_id: int | None,
    client_id: str | None = None,
    storage: Storage | None = None,
    actor_name: str = "",
) -> dict[str, Any]:
    """Attach a file to an owner the caller has already checked access to; a client id makes it idempotent.
    `actor_name`: who the audit names when no person acts (a system's key: server/machine)."""
    if owner_kind not in OWNER_KINDS:
        raise Invalid("owner_invalid", "Đối tượng đính kèm không hợp lệ")
    filename = (filename or "tep").strip().replace("/", "_").replace("\\", "_")[:200] or "tep"
    if client_id:
        existing = await Attachment.select(Attachment.id).where(Attachment.client_id == client_id).first()
        if existing is not None:
            return await get_attachment(existing["id"])
    stored = await store_file(data, storage)
    try:
        return await _insert_attachment(stored, owner_kind, owner_id, filename, actor_id, client_id, actor_name)
    except (asyncpg.UniqueViolationError, sqlite3.IntegrityError):
        # The same upload, sent twice at once: the first one won; answer with it.
        existing = await Attachment.select(Attachment.id).where(Attachment.client_id == client_id).first()
        if existing is None:
            raise
        return await get_attachment(existing["id"])


async def _insert_attachment(
    stored: dict[str, Any], owner_kind: str, owner_id: int, filename: str, actor_id: int | None,
    client_id: str | None, actor_name: str = "",
) -> dict[str, Any]:
    file_id = stored["id"]
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
        await audit.record(actor_id=actor_id, actor_name=actor_name, action="attachment.create", entity=owner_kind,
                           entity_id=owner_id, after=attachment)
        if is_image(stored["content_type"]):
            # In the same transaction: the attachment and the job that makes its copies exist together or not
            # at all. The worker builds them; a request for a copy before then builds it on demand.
            await queue_derivatives(file_id)
    return attachment


def _select():  # type: ignore[no-untyped-def]
    return Attachment.select(
        Attachment.id, Attachment.owner_kind, Attachment.owner_id, Attachment.filename, Attachment.created_at,
        Attachment.file.sha256, Attachment.file.content_type, Attachment.file.size,
    )


def _public(row: dict[str, Any]) -> dict[str, Any]:
    image = is_image(row["file.content_type"])
    return {
        "id": row["id"],
        "owner_kind": row["owner_kind"],
        "owner_id": row["owner_id"],
        "filename": row["filename"],
        "created_at": row["created_at"],
        "sha256": row["file.sha256"],
        "content_type": row["file.content_type"],
        "size": row["file.size"],
        # The clean copies of an image (WebP, upright, no metadata): /thumb for lists, /display to look at it.
        "thumb_url": f"{API_PREFIX}/{row['id']}/thumb" if image else None,
        "display_url": f"{API_PREFIX}/{row['id']}/display" if image else None,
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


# ---------------------------------------------------------------- image copies


async def queue_derivatives(file_id: int) -> None:
    """Ask the worker to build an image file's copies (once per file: the dedupe key makes a repeat a no-op)."""
    from server.lib import jobs

    await jobs.enqueue(DERIVE_JOB, {"file_id": file_id}, dedupe_key=f"{DERIVE_JOB}:{file_id}")


async def _copies(file_id: int) -> dict[str, dict[str, Any]]:
    rows = await ImageDerivative.select(
        ImageDerivative.original, ImageDerivative.kind, ImageDerivative.sha256, ImageDerivative.content_type,
        ImageDerivative.width, ImageDerivative.height, ImageDerivative.size,
    ).where(ImageDerivative.original == file_id)
    return {row["kind"]: row for row in rows}


async def ensure_derivatives(file_id: int, storage: Storage | None = None) -> dict[str, dict[str, Any]]:
    """The copies of an image file, {kind: row}, built now if they are missing. Idempotent: the worker's job,
    a request for a copy and a retry after a crash may all call it; the copies are recorded once."""
    copies = await _copies(file_id)
    if set(images.KINDS) <= copies.keys():
        return copies
    return await _build_once(file_id, storage)


# file id → the build under way in this process, so that the thumbnails of a list asked for at once are
# built once each (the UNIQUE (original, kind) index settles races between processes).
_BUILDING: dict[int, asyncio.Task[dict[str, dict[str, Any]]]] = {}


async def _build_once(file_id: int, storage: Storage | None) -> dict[str, dict[str, Any]]:
    loop = asyncio.get_running_loop()
    task = _BUILDING.get(file_id)
    if task is None or task.done() or task.get_loop() is not loop:
        task = loop.create_task(_build(file_id, storage))
        _BUILDING[file_id] = task

        def forget(done: asyncio.Task[dict[str, dict[str, Any]]]) -> None:
            if _BUILDING.get(file_id) is done:
                del _BUILDING[file_id]

        task.add_done_callback(forget)
    # Shielded: a client that goes away does not cancel a build others may be waiting for.
    return await asyncio.shield(task)


def _derive_and_store(storage: Storage, sha256: str, content_type: str) -> list[tuple[images.Copy, str]]:
    """Blocking (a thread or the worker): read the original, make the copies, store them by content hash."""
    made = []
    for copy in images.derive(storage.get(sha256), content_type, max_pixels=MAX_IMAGE_PIXELS):
        digest = hashlib.sha256(copy.data).hexdigest()
        storage.put(digest, copy.data)
        made.append((copy, digest))
    return made


async def _build(file_id: int, storage: Storage | None) -> dict[str, dict[str, Any]]:
    row = await StoredFile.select(StoredFile.sha256, StoredFile.content_type).where(StoredFile.id == file_id).first()
    if row is None:
        raise NotFound("file_not_found", "Không tìm thấy tệp")
    if not is_image(row["content_type"]):
        raise NotFound("attachment_not_image", "Tệp đính kèm này không phải ảnh nên không có bản xem ảnh")
    try:
        made = await asyncio.to_thread(_derive_and_store, storage or default_storage(), row["sha256"],
                                       row["content_type"])
    except images.ImageRefused as error:
        raise _refusal(error) from error
    now = clock.now()
    async with write_transaction():
        for copy, digest in made:
            await ImageDerivative.insert(
                ImageDerivative(original=file_id, kind=copy.kind, sha256=digest, content_type=images.DERIVATIVE_TYPE,
                                width=copy.width, height=copy.height, size=len(copy.data), created_at=now)
            ).on_conflict(target=(ImageDerivative.original, ImageDerivative.kind), action="DO NOTHING")
    return await _copies(file_id)


async def derivative(attachment_id: int, kind: str, storage: Storage | None = None) -> dict[str, Any]:
    """The `kind` copy ("display" or "thumb") of an image attachment the caller may see: sha256, width, height,
    size; built now if the worker has not yet."""
    row = await Attachment.select(Attachment.file, Attachment.file.content_type).where(
        Attachment.id == attachment_id
    ).first()
    if row is None:
        raise NotFound("attachment_not_found", "Không tìm thấy tệp đính kèm")
    if kind not in images.KINDS or not is_image(row["file.content_type"]):
        raise NotFound("attachment_not_image", "Tệp đính kèm này không phải ảnh nên không có bản xem ảnh")
    return (await ensure_derivatives(row["file"], storage))[kind]


async def derivative_bytes(copy: dict[str, Any], storage: Storage | None = None) -> bytes:
    try:
        return await read_bytes(copy["sha256"], storage)
    except FileNotFoundError:
        # The copy's file is gone (storage cleaned by hand, restored without it): forget the copies, build again.
        async with write_transaction():
            await ImageDerivative.delete().where(ImageDerivative.original == copy["original"])
        rebuilt = await ensure_derivatives(copy["original"], storage)
        return await read_bytes(rebuilt[copy["kind"]]["sha256"], storage)
