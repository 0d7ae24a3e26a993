"""The citizens' photos kept: their public copies made (by the request's background task or the worker), served
to the public by address, the originals to staff only.
"""

from __future__ import annotations

from typing import Any

from server.lib import jobs
from server.lib.errors import Invalid, NotFound
from server.media.services import read_bytes, sniff, store_file
from server.people.services import Actor
from server.reports import photos as photo_work
from server.reports.access import require_triage
from server.reports.tables import ReportPhoto

PHOTO_JOB = "reports.photos"


async def _queue_photo_job(report_id: int, kind: str = "before") -> None:
    await jobs.enqueue(PHOTO_JOB, {"report_id": report_id}, dedupe_key=f"{PHOTO_JOB}:{report_id}:{kind}")


async def ensure_derivatives(photo_id: int) -> dict[str, Any]:
    """Build the public WebP copies of one photo if they are missing (idempotent; safe from the worker)."""
    row = await ReportPhoto.select().where(ReportPhoto.id == photo_id).first()
    if row is None:
        raise NotFound("photo_not_found", "Không tìm thấy ảnh")
    if row["public_sha256"] and row["thumb_sha256"]:
        return row
    if not row["original_sha256"]:
        raise NotFound("photo_not_found", "Không tìm thấy ảnh")  # its original was deleted before any copy
    try:
        data = await read_bytes(row["original_sha256"])
    except FileNotFoundError:
        raise NotFound("photo_not_found", "Không tìm thấy ảnh") from None
    try:
        public, thumb, width, height = await photo_work.derive_async(data)
    except photo_work.PhotoError as error:
        raise Invalid(str(error), "Không đọc được ảnh") from error
    public_file = await store_file(public)
    thumb_file = await store_file(thumb)
    await ReportPhoto.update({ReportPhoto.public_sha256: public_file["sha256"],
                              ReportPhoto.thumb_sha256: thumb_file["sha256"], ReportPhoto.width: width,
                              ReportPhoto.height: height}).where(ReportPhoto.id == photo_id)
    return {**row, "public_sha256": public_file["sha256"], "thumb_sha256": thumb_file["sha256"]}


async def process_pending_photos(report_id: int | None = None) -> int:
    """Derive every photo still missing its public copies (the request's background task and the worker)."""
    query = ReportPhoto.select(ReportPhoto.id).where((ReportPhoto.public_sha256 == "")
                                                     & (ReportPhoto.original_sha256 != ""))
    if report_id is not None:
        query = query.where(ReportPhoto.report == report_id)
    done = 0
    for row in await query:
        try:
            await ensure_derivatives(row["id"])
            done += 1
        except (Invalid, NotFound):
            continue
    return done


async def original_photo_bytes(actor: Actor, photo_id: int) -> tuple[bytes, str]:
    """Staff only: the original as uploaded (with its metadata)."""
    require_triage(actor)
    row = await ReportPhoto.select(ReportPhoto.original_sha256).where(ReportPhoto.id == photo_id).first()
    if row is None:
        raise NotFound("photo_not_found", "Không tìm thấy ảnh")
    if not row["original_sha256"]:
        raise NotFound("photo_original_deleted", "Ảnh gốc đã được xóa khi hết thời hạn lưu trữ dữ liệu cá nhân")
    data = await read_bytes(row["original_sha256"])
    return data, sniff(data) or "application/octet-stream"
