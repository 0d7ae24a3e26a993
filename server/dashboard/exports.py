"""Reports too large to build during a request: the worker builds them, the requester watches and downloads.

A report (báo cáo tổng hợp) is built at once when its scope is small (a commune, a department). When the scope
holds more than PEOPLE_INLINE_MAX people or more than INLINE_MAX_TASKS counted tasks, asking for it records an
export and queues a `dashboard_export` job; the leader's desk shows its progress and, when it is ready, the .xlsx
and the printable A4 page, built from the same figures (a snapshot of the dashboard the worker computed).
Only the person who asked may see or download it; for anyone else it does not exist (404).
Asking twice for the same report (same scope, period and day) while it is not failed returns the same export.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

from server.dashboard import excel, services
from server.dashboard.tables import ExportState, ReportExport
from server.lib import clock
from server.lib.actor import Actor
from server.lib.db import write_transaction
from server.lib.errors import NotFound
from server.lib.i18n import current_locale
from server.people.services import get_actor

JOB_KIND = "dashboard_export"
INLINE_MAX_TASKS = 20_000
KEEP_FOR = dt.timedelta(days=7)


async def is_large(actor: Actor, scope: services.Scope, period: services.Period, today: dt.date) -> bool:
    if await services.people_count(scope) > services.PEOPLE_INLINE_MAX:
        return True
    by_unit, _ = await services.grouped(scope.path, period, today)
    return sum(f.total for f in by_unit.values()) > INLINE_MAX_TASKS


async def request(
    actor: Actor,
    *,
    unit_id: int | None = None,
    period: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
    force: bool = False,
) -> int | None:
    """None when the report is small enough to build now; else the id of the export the worker builds."""
    from server.lib import jobs

    today = today or clock.today_vn()
    chosen = services.resolve_period(period, start, end, today)
    scope = await services.scope_unit(actor, unit_id)
    if not force and not await is_large(actor, scope, chosen, today):
        return None
    async with write_transaction():
        same = await ReportExport.select(ReportExport.id).where(
            (ReportExport.person == actor.id) & (ReportExport.unit == scope.id)
            & (ReportExport.period_kind == chosen.kind) & (ReportExport.start == chosen.start)
            & (ReportExport.end == chosen.end) & (ReportExport.today == today)
            & (ReportExport.state != ExportState.failed.value)
        ).first()
        if same is not None:
            return int(same["id"])
        rows = await ReportExport.insert(ReportExport(
            person=actor.id, unit=scope.id, period_kind=chosen.kind, start=chosen.start, end=chosen.end, today=today,
            state=ExportState.queued.value, progress=0, created_at=clock.now(),
        )).returning(ReportExport.id)
        export_id = int(rows[0]["id"])
        await jobs.enqueue(JOB_KIND, {"export_id": export_id}, dedupe_key=f"{JOB_KIND}:{export_id}")
    return export_id


async def get(actor: Actor, export_id: int) -> dict[str, Any]:
    """The export, for the person who asked for it only."""
    row = await ReportExport.select(
        ReportExport.id, ReportExport.person, ReportExport.unit, ReportExport.period_kind, ReportExport.start,
        ReportExport.end, ReportExport.today, ReportExport.state, ReportExport.progress, ReportExport.filename,
        ReportExport.error, ReportExport.created_at, ReportExport.finished_at,
    ).where(ReportExport.id == export_id).first()
    if row is None or row["person"] != actor.id:
        raise NotFound("export_not_found", "Không tìm thấy báo cáo")
    return row


async def content(actor: Actor, export_id: int) -> tuple[str, bytes]:
    row = await get(actor, export_id)
    if row["state"] != ExportState.done.value:
        raise NotFound("export_not_ready", "Báo cáo chưa sẵn sàng")
    data = await ReportExport.select(ReportExport.content).where(ReportExport.id == export_id).first()
    return row["filename"], bytes(data["content"] or b"")  # type: ignore[index]


async def snapshot(actor: Actor, export_id: int) -> services.Dashboard:
    row = await get(actor, export_id)
    if row["state"] != ExportState.done.value:
        raise NotFound("export_not_ready", "Báo cáo chưa sẵn sàng")
    data = await ReportExport.select(ReportExport.snapshot).where(ReportExport.id == export_id).first()
    return services.Dashboard.from_dict(json.loads(data["snapshot"]))  # type: ignore[index]


async def _progress(export_id: int, progress: int, changes: dict[Any, Any] | None = None) -> None:
    await ReportExport.update({ReportExport.progress: progress, **(changes or {})}).where(ReportExport.id == export_id)


async def build(export_id: int) -> str:
    """The job's work; idempotent (a finished export is left alone, an interrupted one is built again)."""
    row = await ReportExport.select().where(ReportExport.id == export_id).first()
    if row is None or row["state"] == ExportState.done.value:
        return "nothing to do"
    actor = await get_actor(row["person"])
    if actor is None or not actor.manages_units:
        await _progress(export_id, 0, {ReportExport.state: ExportState.failed.value,
                                       ReportExport.error: "requester no longer manages units",
                                       ReportExport.finished_at: clock.now()})
        return "failed"
    token = current_locale.set(actor.locale or "vi")
    try:
        await _progress(export_id, 10, {ReportExport.state: ExportState.running.value})
        start, end, today = (clock.as_date(row[k]) for k in ("start", "end", "today"))
        data = await services.dashboard(
            actor, unit_id=row["unit"], period=row["period_kind"], start=start, end=end, today=today,
            overdue_limit=5000, all_people=True,
        )
        await _progress(export_id, 70)
        workbook = await asyncio.to_thread(excel.build_workbook, data)
        await _progress(export_id, 90)
        await ReportExport.update({
            ReportExport.content: workbook,
            ReportExport.snapshot: json.dumps(data.as_dict(), default=str, ensure_ascii=False),
            ReportExport.filename: excel.filename(data),
            ReportExport.state: ExportState.done.value,
            ReportExport.progress: 100,
            ReportExport.finished_at: clock.now(),
        }).where(ReportExport.id == export_id)
    except Exception as error:
        # Shown as failed (the page stops waiting, asking again makes a new export); the worker's retry of
        # this job builds it again from the start.
        await _progress(export_id, 0, {ReportExport.state: ExportState.failed.value,
                                       ReportExport.error: f"{type(error).__name__}: {error}"[:500],
                                       ReportExport.finished_at: clock.now()})
        raise
    finally:
        current_locale.reset(token)
    return "done"


async def purge(older_than: dt.timedelta = KEEP_FOR) -> None:
    await ReportExport.delete().where(ReportExport.created_at < clock.now() - older_than)
