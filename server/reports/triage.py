"""Triage: the receptionist's queue, and the three ways a new report leaves it (accept, reject, merge).

Split from services.py, which keeps intake, the public face and the task hook; this module uses its helpers.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from typing import Any

from server.audit import services as audit
from server.holidays.services import load_calendar
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Conflict, Invalid, NotFound
from server.people.services import Actor
from server.people.tables import Role
from server.reports.routing import distance_m, route
from server.reports.services import (
    DUPLICATE_RADIUS_M,
    DUPLICATE_WINDOW_DAYS,
    PUBLIC_COLUMNS,
    REJECT_KINDS,
    _decorate,
    _event,
    _mail,
    get_category,
    normalise_code,
    require_triage,
)
from server.reports.tables import Report, ReportKind, ReportPhoto, ReportStatus
from server.settings import get_settings
from server.units.tables import Unit


async def triage_queue(actor: Actor, limit: int = 100) -> list[dict[str, Any]]:
    require_triage(actor)
    rows = await Report.select(*PUBLIC_COLUMNS).where(Report.status == ReportStatus.new.value).order_by(
        Report.received_at).limit(limit)
    items = await _decorate(list(rows))
    for item, similar in zip(items, await similar_to_each(items), strict=True):
        item["similar"] = similar
    return items


async def similar_reports(report: dict[str, Any], limit: int = 5) -> list[dict[str, Any]]:
    """Nearby reports of the same category, not spam, recent: the likely duplicates, nearest first."""
    return (await similar_to_each([report], limit))[0]


async def similar_to_each(reports: list[dict[str, Any]], limit: int = 5) -> list[list[dict[str, Any]]]:
    """`similar_reports` for a whole queue in one query: the candidates of every report's category inside
    the box around all of them, then each report's own within DUPLICATE_RADIUS_M, nearest first."""
    placed = [r for r in reports if r.get("latitude") is not None and r.get("category") is not None]
    if not placed:
        return [[] for _ in reports]
    dlat = DUPLICATE_RADIUS_M / 111_000
    dlon = dlat / max(0.1, min(abs(math.cos(math.radians(r["latitude"]))) for r in placed))
    lats, lons = [r["latitude"] for r in placed], [r["longitude"] for r in placed]
    since = clock.now() - dt.timedelta(days=DUPLICATE_WINDOW_DAYS)
    candidates = await Report.select(Report.id, Report.code, Report.description, Report.latitude,
                                     Report.longitude, Report.status, Report.received_at, Report.category).where(
        Report.category.is_in(sorted({r["category"] for r in placed}))
        & (Report.latitude >= min(lats) - dlat) & (Report.latitude <= max(lats) + dlat)
        & (Report.longitude >= min(lons) - dlon) & (Report.longitude <= max(lons) + dlon)
        & (Report.received_at >= since)
        & Report.status.is_in([ReportStatus.new.value, ReportStatus.accepted.value, ReportStatus.resolved.value]))
    result = []
    for report in reports:
        if report.get("latitude") is None or report.get("category") is None:
            result.append([])
            continue
        found = []
        for row in candidates:
            if row["id"] == report["id"] or row["category"] != report["category"]:
                continue
            distance = distance_m(report["latitude"], report["longitude"], row["latitude"], row["longitude"])
            if distance <= DUPLICATE_RADIUS_M:
                found.append({key: value for key, value in row.items() if key != "category"}
                             | {"distance_m": round(distance)})
        found.sort(key=lambda r: r["distance_m"])
        result.append(found[:limit])
    return result


async def staff_report(actor: Actor, report_id: int) -> dict[str, Any]:
    """Staff view of one report, including the reporter's contact (the receptionist needs it to call back)."""
    require_triage(actor)
    row = await Report.select().where(Report.id == report_id).first()
    if row is None:
        raise NotFound("report_not_found", "Không tìm thấy phản ánh")
    item = (await _decorate([row]))[0]
    item["similar"] = await similar_reports(item)
    item["photo_rows"] = [{"id": p["id"], "kind": p["kind"], "has_original": bool(p["original_sha256"])}
                          for p in await ReportPhoto.select(ReportPhoto.id, ReportPhoto.kind,
                                                            ReportPhoto.original_sha256).where(
                              ReportPhoto.report == report_id).order_by(ReportPhoto.position)]
    item["suggested_unit"] = await route(row["category"], row["latitude"], row["longitude"], row["address"])
    return item


async def _load_new(report_id: int) -> dict[str, Any]:
    row = await Report.select().where(Report.id == report_id).first()
    if row is None:
        raise NotFound("report_not_found", "Không tìm thấy phản ánh")
    if row["status"] != ReportStatus.new.value:
        raise Conflict("report_already_triaged", "Phản ánh đã được phân loại", status=row["status"])
    return row


def delegated_actor(receptionist: Actor) -> Actor:
    """The receptionist acting for the People's Committee when accepting: a manager over their own subtree.

    The task is created and assigned in the receptionist's name (the audit log tells the truth about who
    accepted), with a unit head's powers limited to the receptionist's unit and below; the task is then
    approved by the jurisdiction's leader as any other.
    """
    return replace(receptionist, role=Role.unit_head.value, full_name=receptionist.full_name)


async def accept(actor: Actor, report_id: int, *, unit_id: int | None = None, public_note: str = "") -> dict[str, Any]:
    """Accept a new report: it becomes a task for the routed unit, due `target_days` working days after receipt."""
    require_triage(actor)
    from server.tasks.services import create_task

    row = await _load_new(report_id)
    unit_id = unit_id or await route(row["category"], row["latitude"], row["longitude"], row["address"])
    if unit_id is None:
        raise Invalid("unit_required", "Chưa có quy tắc chuyển cho lĩnh vực này; hãy chọn đơn vị xử lý")
    calendar = await load_calendar()
    due = calendar.add_working_days(clock.local_date(row["received_at"]), row["target_days"])
    due = max(due, clock.today_vn())
    category = await get_category(row["category"]) if row["category"] else None
    kind_label = "Kiến nghị cử tri" if row["kind"] == ReportKind.petition.value else "Phản ánh"
    title = f"{kind_label} {row['code']}: {(category or {}).get('name', '')}".strip(": ")
    description = "\n".join(p for p in (row["description"], row["address"] and f"Địa điểm: {row['address']}",
                                        row["latitude"] is not None and f"GPS: {row['latitude']}, {row['longitude']}",
                                        f"Trang công khai: {get_settings().base_url}/r/{row['code']}") if p)
    now = clock.now()
    unit = await Unit.select(Unit.name).where(Unit.id == unit_id).first()
    async with write_transaction():
        task = await create_task(
            delegated_actor(actor), title=title[:500], lead_unit_id=unit_id, description=description,
            source="petition" if row["kind"] == ReportKind.petition.value else "citizen_report",
            source_ref=row["code"], deadline=due,
        )
        changed = await Report.update({
            Report.status: ReportStatus.accepted.value, Report.unit: unit_id, Report.task_id: task["id"],
            Report.triaged_at: now, Report.first_answer_at: now, Report.updated_at: now,
        }).where((Report.id == report_id) & (Report.status == ReportStatus.new.value)).returning(Report.id)
        if not changed:
            raise Conflict("report_already_triaged", "Phản ánh đã được phân loại")
        await _event(report_id, "accepted", note=public_note.strip(), actor_id=actor.id, at=now)
        await _event(report_id, "assigned", note=unit["name"] if unit else "", actor_id=actor.id, at=now)
        await audit.record(actor_id=actor.id, actor_name=actor.full_name, action="report.accept", entity="report",
                           entity_id=report_id, after={"task": task["id"], "unit": unit_id})
    await _mail(report_id, "Phản ánh đã được tiếp nhận", "Phản ánh đã được chuyển đến {unit}; hạn trả lời {deadline}.",
                unit=unit["name"] if unit else "", deadline=f"{due:%d/%m/%Y}")
    return {"report_id": report_id, "task_id": task["id"], "unit_id": unit_id, "deadline": due}


async def reject(actor: Actor, report_id: int, *, kind: str, reason: str) -> None:
    require_triage(actor)
    reason = (reason or "").strip()
    if kind not in REJECT_KINDS:
        raise Invalid("reject_kind_invalid", "Lý do từ chối không hợp lệ")
    if not reason:
        raise Invalid("reason_required", "Cần nêu lý do")
    await _load_new(report_id)
    now = clock.now()
    async with write_transaction():
        await Report.update({Report.status: ReportStatus.rejected.value, Report.reject_kind: kind,
                             Report.public_reason: reason, Report.triaged_at: now, Report.first_answer_at: now,
                             Report.resolved_at: now, Report.updated_at: now}).where(
            (Report.id == report_id) & (Report.status == ReportStatus.new.value))
        await _event(report_id, "rejected", note=reason, actor_id=actor.id, at=now)
        await audit.record(actor_id=actor.id, actor_name=actor.full_name, action=f"report.reject.{kind}",
                           entity="report", entity_id=report_id, after={"reason": reason})
    await _mail(report_id, "Phản ánh không được tiếp nhận", "Lý do: {reason}", reason=reason)


async def merge_duplicate(actor: Actor, report_id: int, *, original_code: str, reason: str = "") -> None:
    require_triage(actor)
    await _load_new(report_id)
    original = await Report.select(Report.id, Report.code, Report.status).where(
        Report.code == normalise_code(original_code)).first()
    if original is None or original["id"] == report_id or original["status"] in (
            ReportStatus.rejected.value, ReportStatus.duplicate.value):
        raise Invalid("duplicate_target_invalid", "Mã phản ánh gốc không hợp lệ")
    reason = (reason or "").strip() or f"Trùng với phản ánh {original['code']}"
    now = clock.now()
    async with write_transaction():
        await Report.update({Report.status: ReportStatus.duplicate.value, Report.duplicate_of: original["id"],
                             Report.reject_kind: "duplicate", Report.public_reason: reason, Report.triaged_at: now,
                             Report.first_answer_at: now, Report.resolved_at: now, Report.updated_at: now}).where(
            (Report.id == report_id) & (Report.status == ReportStatus.new.value))
        await _event(report_id, "duplicate", note=reason, actor_id=actor.id, at=now)
        await audit.record(actor_id=actor.id, actor_name=actor.full_name, action="report.merge", entity="report",
                           entity_id=report_id, after={"original": original["code"]})
    link = f"{get_settings().base_url}/r/{original['code']}"
    await _mail(report_id, "Phản ánh trùng lặp", "{reason}. Theo dõi tại {link}", reason=reason, link=link)


