"""Published response times, in working days, per category and per unit.

For the reports *received* in the period that were accepted (spam, out-of-scope and duplicates are not
counted: they never reached a unit):
- first answer = received → the first public answer (the acceptance, which names the unit and the due date);
- resolution = received → the leader's approval that published the answer;
- within target = resolved in at most the report's target working days; the share is over the reports
  whose outcome is known: resolved, or still open and already past their target (open reports still
  within target are not counted either way);
- medians are over the reports that have reached that step.
Working days are counted by WorkCalendar.working_days_between on the Vietnamese calendar dates.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from server.holidays.services import WorkCalendar, load_calendar
from server.lib import clock
from server.reports.tables import Category, Report, ReportStatus
from server.units.tables import Unit

COUNTED = (ReportStatus.accepted.value, ReportStatus.resolved.value)


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def summarise(rows: list[dict[str, Any]], calendar: WorkCalendar, today: dt.date) -> dict[str, Any]:
    """Pure: the figures for one group of report rows (received_at, first_answer_at, resolved_at, target_days)."""
    first, resolution = [], []
    within = decided = 0
    for row in rows:
        received = clock.local_date(row["received_at"])
        if row["first_answer_at"] is not None:
            first.append(calendar.working_days_between(received, clock.local_date(row["first_answer_at"])))
        if row["resolved_at"] is not None:
            days = calendar.working_days_between(received, clock.local_date(row["resolved_at"]))
            resolution.append(days)
            decided += 1
            within += days <= row["target_days"]
        elif calendar.working_days_between(received, today) > row["target_days"]:
            decided += 1
    return {
        "count": len(rows),
        "resolved": len(resolution),
        "median_first_answer_days": _median(first),
        "median_resolution_days": _median(resolution),
        "within_target": within,
        "decided": decided,
        "share_within_target": (within / decided) if decided else None,
    }


async def response_times(date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    start = dt.datetime.combine(date_from, dt.time(), tzinfo=clock.VN_TZ).astimezone(dt.UTC)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), tzinfo=clock.VN_TZ).astimezone(dt.UTC)
    rows = await Report.select(Report.category, Report.unit, Report.received_at, Report.first_answer_at,
                               Report.resolved_at, Report.target_days).where(
        Report.status.is_in(list(COUNTED)) & (Report.received_at >= start) & (Report.received_at < end))
    calendar = await load_calendar()
    today = clock.today_vn()
    categories = {c["id"]: c for c in await Category.select(Category.id, Category.code, Category.name,
                                                            Category.target_days)}
    unit_ids = {r["unit"] for r in rows if r["unit"]}
    units = {u["id"]: u["name"] for u in await Unit.select(Unit.id, Unit.name).where(Unit.id.is_in(list(unit_ids)))
             } if unit_ids else {}
    by_category: dict[Any, list[dict[str, Any]]] = {}
    by_unit: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        by_category.setdefault(row["category"], []).append(row)
        by_unit.setdefault(row["unit"], []).append(row)
    category_rows = []
    for category_id, group in by_category.items():
        category = categories.get(category_id) or {"code": "", "name": "—", "target_days": None}
        category_rows.append({"category_id": category_id, "code": category["code"], "name": category["name"],
                              "target_days": category["target_days"], **summarise(group, calendar, today)})
    unit_rows = [{"unit_id": unit_id, "name": units.get(unit_id, "—"), **summarise(group, calendar, today)}
                 for unit_id, group in by_unit.items()]
    category_rows.sort(key=lambda r: r["name"])
    unit_rows.sort(key=lambda r: r["name"])
    return {"from": date_from, "to": date_to, "overall": summarise(list(rows), calendar, today),
            "categories": category_rows, "units": unit_rows}
