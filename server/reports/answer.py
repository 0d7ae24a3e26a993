"""What the tasks made from a citizen's report may know of it, and which photos answer it.

- The place and the citizen's photos, for whoever works on the report's task or one of its parts: the place
  (address, point) is public anyway; the photos are served as their stripped copies, never the originals.
- The "after" photos of the public answer: chosen among the task's and its parts' evidence by whoever closes
  the task; by default those of the approved submission (tasks.parts.evidence_photos says which).
"""

from __future__ import annotations

from typing import Any

from server.lib.errors import NotFound
from server.media.services import read_bytes
from server.reports.tables import Report, ReportPhoto

CONTEXT_PHOTO_SIZES = ("thumb", "display")


async def report_place(code: str) -> dict[str, Any] | None:
    """The report's address, point and "before" photo ids, for the task made from it (by its tracking code)."""
    report = await Report.select(Report.id, Report.code, Report.address, Report.latitude, Report.longitude).where(
        Report.code == code
    ).first()
    if report is None:
        return None
    photos = await ReportPhoto.select(ReportPhoto.id).where(
        (ReportPhoto.report == report["id"]) & (ReportPhoto.kind == "before")
        & ((ReportPhoto.public_sha256 != "") | (ReportPhoto.original_sha256 != ""))
    ).order_by(ReportPhoto.position, ReportPhoto.id)
    return {
        "code": report["code"],
        "address": report["address"],
        "latitude": report["latitude"],
        "longitude": report["longitude"],
        "photo_ids": [p["id"] for p in photos],
    }


async def citizen_photo_bytes(code: str, photo_id: int, size: str) -> bytes:
    """A "before" photo of the report with this code, as its stripped copy (the caller checked the task)."""
    from server.reports.services import ensure_derivatives

    report = await Report.select(Report.id).where(Report.code == code).first()
    row = None
    if report is not None and size in CONTEXT_PHOTO_SIZES:
        row = await ReportPhoto.select(ReportPhoto.id).where(
            (ReportPhoto.id == photo_id) & (ReportPhoto.report == report["id"]) & (ReportPhoto.kind == "before")
        ).first()
    if row is None:
        raise NotFound("photo_not_found", "Không tìm thấy ảnh")
    derived = await ensure_derivatives(photo_id)
    return await read_bytes(derived["thumb_sha256"] if size == "thumb" else derived["public_sha256"])


async def after_photo_shas(task_id: int, chosen_ids: list[int] | None) -> list[str]:
    """The originals (by content hash) of the photos that answer the report publicly: the chosen attachments,
    or, when nobody chose, the evidence of the approved submission."""
    from server.tasks.parts import evidence_photos

    candidates = await evidence_photos(task_id)
    if chosen_ids is None:
        picked = [photo for photo in candidates if photo["default"]]
    else:
        wanted = set(chosen_ids)
        picked = [photo for photo in candidates if photo["id"] in wanted]
    shas: list[str] = []
    for photo in picked:
        if photo["sha256"] not in shas:
            shas.append(photo["sha256"])
    return shas
