"""The citizen reports not yet answered for good, as the notifications' reminders need them.

Provided to notifications (server/notifications/report_source.py) by server/reports/__init__.py: notifications
sits below reports in the house's order and imports nothing of it. The target day is counted as the reports
domain counts it (received + target working days).
"""

from __future__ import annotations

from typing import Any

from server.lib import clock
from server.notifications.reminders import OPEN_REPORT_STATES, ReportInfo
from server.reports.tables import Report
from server.units.tables import Unit


async def open_reports(calendar: Any) -> list[ReportInfo]:
    rows = await Report.select(
        Report.id, Report.code, Report.status, Report.received_at, Report.target_days, Report.task_id,
        Report.unit.path, Report.unit.name, Report.category.default_unit,
    ).where(Report.status.is_in(sorted(OPEN_REPORT_STATES)))
    default_units = {r["category.default_unit"] for r in rows if r["category.default_unit"]}
    unit_paths = {
        u["id"]: u["path"]
        for u in (await Unit.select(Unit.id, Unit.path).where(Unit.id.is_in(sorted(default_units)))
                  if default_units else [])
    }
    result = []
    for row in rows:
        target = calendar.add_working_days(clock.local_date(row["received_at"]), row["target_days"] or 0)
        routed = row["unit.path"] or None
        result.append(ReportInfo(
            id=row["id"], code=row["code"], status=row["status"], target=target, unit_path=routed,
            scope_path=routed or unit_paths.get(row["category.default_unit"]), task_id=row["task_id"],
            unit_name=row["unit.name"] or "",
        ))
    return result
