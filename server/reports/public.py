"""The public face of reports: one report by its code (and, with the reporter's key, what only they may see), the
list and map, the petition sessions, the citizen's rating. Never the reporter's name, phone, e-mail or the photos'
GPS.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from server.holidays.services import load_calendar
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Conflict, Forbidden, Invalid, NotFound
from server.lib.vn_text import fold, like_pattern
from server.media.services import read_bytes
from server.reports.intake import CODE_RE, _hash, normalise_code
from server.reports.notices import EVENT_LABELS, STATUS_LABELS, _event
from server.reports.photo_copies import ensure_derivatives
from server.reports.tables import (
    Category,
    Report,
    ReportEvent,
    ReportKind,
    ReportPhoto,
    ReportStatus,
)
from server.units.tables import Unit

# Statuses shown in public lists (moderated); a single report is visible by its code unless it is spam.
LISTED_STATUSES = (ReportStatus.accepted.value, ReportStatus.resolved.value, ReportStatus.duplicate.value)


PUBLIC_COLUMNS = (
    Report.id, Report.code, Report.kind, Report.category, Report.description, Report.latitude, Report.longitude,
    Report.address, Report.status, Report.received_at, Report.triaged_at, Report.first_answer_at,
    Report.resolved_at, Report.updated_at, Report.target_days, Report.unit, Report.public_answer,
    Report.reject_kind, Report.public_reason, Report.duplicate_of, Report.rating, Report.rating_comment,
    Report.rated_at, Report.petition_session, Report.constituency, Report.deputies, Report.voters_group,
    Report.source, Report.media_url, Report.point_from_photo,
)


async def _public_row(code: str) -> dict[str, Any]:
    code = normalise_code(code)
    if not CODE_RE.match(code):
        raise NotFound("report_not_found", "Không tìm thấy phản ánh với mã này")
    row = await Report.select(*PUBLIC_COLUMNS).where(Report.code == code).first()
    if row is None or (row["status"] == ReportStatus.rejected.value and row["reject_kind"] == "spam"):
        raise NotFound("report_not_found", "Không tìm thấy phản ánh với mã này")
    return row


async def _names(table: Any, ids: set[int]) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {r["id"]: r["name"] for r in await table.select(table.id, table.name).where(table.id.is_in(list(ids)))}


async def _decorate(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    categories = {c["id"]: c for c in await Category.select(Category.id, Category.name, Category.code)}
    units = await _names(Unit, {r["unit"] for r in rows if r["unit"]})
    calendar = await load_calendar()
    today = clock.today_vn()
    out = []
    for row in rows:
        category = categories.get(row["category"]) or {}
        received = clock.local_date(row["received_at"])
        end = clock.local_date(row["resolved_at"]) if row["resolved_at"] else today
        out.append({
            **row,
            "category_name": category.get("name", ""),
            "category_code": category.get("code", ""),
            "unit_name": units.get(row["unit"], ""),
            "status_label": STATUS_LABELS.get(row["status"], row["status"]),
            "working_days": calendar.working_days_between(received, end),
            "due_date": calendar.add_working_days(received, row["target_days"]),
        })
    return out


def without_private_point(item: dict[str, Any]) -> dict[str, Any]:
    """A public copy of a report: a point read from a photo's EXIF GPS stays with staff (PRODUCT.md: never the
    photos' GPS metadata); a point the citizen chose on the map or with the GPS button is public."""
    if item.get("point_from_photo"):
        return {**item, "latitude": None, "longitude": None}
    return item


async def _reporters_row(code: str, key: str) -> dict[str, Any]:
    """A report hidden from the public (rejected as spam), for its reporter only, through the private link: they
    are owed the public reason it was refused. Anyone else is told it does not exist, as before."""
    code = normalise_code(code)
    row = await Report.select(*PUBLIC_COLUMNS, Report.owner_key_hash).where(Report.code == code).first() if (
        key and CODE_RE.match(code)) else None
    if row is None or not row["owner_key_hash"] or not secrets.compare_digest(row.pop("owner_key_hash"),
                                                                              _hash(f"key:{key}")):
        raise NotFound("report_not_found", "Không tìm thấy phản ánh với mã này")
    return row


async def public_report(code: str, key: str = "") -> dict[str, Any]:
    """A report's public face; with the reporter's private `key`, also a report rejected as spam (its reason)."""
    try:
        found = await _public_row(code)
    except NotFound:
        found = await _reporters_row(code, key)
    row = without_private_point((await _decorate([found]))[0])
    events = await ReportEvent.select(ReportEvent.kind, ReportEvent.note, ReportEvent.at).where(
        ReportEvent.report == row["id"]).order_by(ReportEvent.at, ReportEvent.id)
    calendar = await load_calendar()
    received = clock.local_date(row["received_at"])
    timeline = [{"kind": e["kind"], "label": EVENT_LABELS.get(e["kind"], e["kind"]), "note": e["note"],
                 "at": e["at"], "working_days": calendar.working_days_between(received, clock.local_date(e["at"]))}
                for e in events]
    photo_rows = await ReportPhoto.select(ReportPhoto.id, ReportPhoto.kind, ReportPhoto.width,
                                          ReportPhoto.height).where(ReportPhoto.report == row["id"]).order_by(
        ReportPhoto.kind, ReportPhoto.position, ReportPhoto.id)
    spam_hidden = row["status"] == ReportStatus.rejected.value
    duplicate_code = None
    if row["duplicate_of"]:
        original = await Report.select(Report.code).where(Report.id == row["duplicate_of"]).first()
        duplicate_code = original["code"] if original else None
    return {
        **row,
        "timeline": timeline,
        "photos": [] if spam_hidden else [p for p in photo_rows if p["kind"] == "before"],
        "after_photos": [p for p in photo_rows if p["kind"] == "after"],
        "duplicate_code": duplicate_code,
        "can_rate": row["status"] == ReportStatus.resolved.value and row["rating"] is None,
        "within_target": row["working_days"] <= row["target_days"],
    }


async def public_list(
    *,
    category_id: int | None = None,
    status: str | None = None,
    unit_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    q: str = "",
    kind: str = ReportKind.report.value,
    session: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    where = Report.kind == kind
    statuses = [status] if status in LISTED_STATUSES else list(LISTED_STATUSES)
    if kind == ReportKind.petition.value and status in (None, ""):
        statuses = [*LISTED_STATUSES, ReportStatus.new.value]  # petitions are recorded by staff: no moderation
    where &= Report.status.is_in(statuses)
    if category_id:
        where &= Report.category == category_id
    if unit_id:
        where &= Report.unit == unit_id
    if date_from:
        where &= Report.received_at >= _day_start(date_from)
    if date_to:
        where &= Report.received_at < _day_start(date_to + dt.timedelta(days=1))
    if session:
        where &= Report.petition_session == session
    for word in fold(q).split()[:8]:  # every word, in any order, diacritics and case ignored
        where &= Report.search_text.like(like_pattern(word))
    limit = max(1, min(limit, 200))
    total = await Report.count().where(where)
    rows = await Report.select(*PUBLIC_COLUMNS).where(where).order_by(Report.received_at, ascending=False).limit(
        limit).offset(max(0, offset))
    items = [without_private_point(item) for item in await _decorate(list(rows))]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=clock.VN_TZ).astimezone(dt.UTC)


async def petition_sessions() -> list[str]:
    rows = await Report.select(Report.petition_session).where(Report.kind == ReportKind.petition.value).distinct()
    return sorted({r["petition_session"] for r in rows if r["petition_session"]}, reverse=True)


async def rate(code: str, key: str, rating: int, comment: str = "") -> None:
    """The reporter rates the answer once, after resolution, with the private key from their confirmation."""
    row = await _public_row(code)
    full = await Report.select(Report.owner_key_hash).where(Report.id == row["id"]).first()
    if not key or not full or not full["owner_key_hash"] or not secrets.compare_digest(full["owner_key_hash"],
                                                                                          _hash(f"key:{key}")):
        raise Forbidden("rating_key_invalid", "Chỉ người gửi phản ánh (qua đường dẫn riêng) mới đánh giá được")
    if row["status"] != ReportStatus.resolved.value:
        raise Conflict("rating_not_open", "Chỉ đánh giá được sau khi phản ánh đã được giải quyết")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Invalid("rating_invalid", "Điểm đánh giá từ 1 đến 5")
    comment = (comment or "").strip()[:2000]
    now = clock.now()
    async with write_transaction():
        current = await Report.select(Report.rating).where(Report.id == row["id"]).first()
        if current is None or current["rating"] is not None:
            raise Conflict("already_rated", "Phản ánh này đã được đánh giá")
        await Report.update({Report.rating: rating, Report.rating_comment: comment, Report.rated_at: now,
                             Report.updated_at: now}).where((Report.id == row["id"]) & Report.rating.is_null())
        await _event(row["id"], "rated", note=f"{rating}/5", at=now)


async def public_photo_bytes(code: str, photo_id: int, size: str) -> bytes:
    """The public copy of a photo of a report visible to the public; never the original."""
    report = await _public_row(code)
    row = await ReportPhoto.select(ReportPhoto.id).where((ReportPhoto.id == photo_id)
                                                         & (ReportPhoto.report == report["id"])).first()
    # A rejected report's page and Open311 show no photo: its photos are not served by address either.
    if row is None or report["status"] == ReportStatus.rejected.value:
        raise NotFound("photo_not_found", "Không tìm thấy ảnh")
    derived = await ensure_derivatives(photo_id)
    return await read_bytes(derived["thumb_sha256"] if size == "thumb" else derived["public_sha256"])
