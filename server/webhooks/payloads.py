"""What a delivery says about a task or a report: an allow-list of public, operational facts (ids, code, title,
state, unit, deadline), never a citizen's name, phone, e-mail, words or photos. A read-only look at the tasks'
and reports' tables by the id the event carries, as the notifications' schedule does.
"""

from __future__ import annotations

from typing import Any

from server.holidays.services import load_calendar
from server.lib import clock
from server.reports.tables import Report
from server.settings import get_settings
from server.tasks.tables import Task


def _unit(row: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    if not row.get(f"{prefix}.id"):
        return None
    return {"id": row[f"{prefix}.id"], "code": row[f"{prefix}.code"], "name": row[f"{prefix}.name"]}


TASK_COLUMNS = (
    Task.id, Task.title, Task.state, Task.deadline, Task.source, Task.source_ref, Task.parent, Task.directive,
    Task.updated_at, Task.lead_unit.id, Task.lead_unit.code, Task.lead_unit.name, Task.lead_unit.path,
)


def _task_subject(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    task = {
        "id": row["id"], "code": row["source_ref"], "title": row["title"], "state": row["state"],
        "source": row["source"], "unit": _unit(row, "lead_unit"), "deadline": row["deadline"],
        "parent_id": row["parent"], "directive_id": row["directive"], "updated_at": row["updated_at"],
    }
    return row["lead_unit.path"] or "/", {"task": task}


async def task_subject(task_id: int) -> tuple[str, dict[str, Any]] | None:
    """(the lead unit's path, the "task" object) of a task, or None if it is gone."""
    row = await Task.select(*TASK_COLUMNS).where(Task.id == task_id).first()
    return None if row is None else _task_subject(row)


async def task_subjects(where: Any) -> list[tuple[str, dict[str, Any]]]:
    """`task_subject` of every task `where` selects, in one query (the overdue tick's tasks), in id order."""
    return [_task_subject(row) for row in await Task.select(*TASK_COLUMNS).where(where).order_by(Task.id)]


async def report_subject(report_id: int) -> tuple[str, dict[str, Any]] | None:
    """(the routed unit's path, the "report" object) of a report: what its public page shows, no more."""
    row = await Report.select(
        Report.id, Report.code, Report.kind, Report.status, Report.received_at, Report.target_days,
        Report.resolved_at, Report.task_id, Report.category.code, Report.category.name,
        Report.unit.id, Report.unit.code, Report.unit.name, Report.unit.path,
    ).where(Report.id == report_id).first()
    if row is None:
        return None
    calendar = await load_calendar()
    due = calendar.add_working_days(clock.local_date(row["received_at"]), row["target_days"] or 0)
    title = " ".join(filter(None, (row["code"], row["category.name"])))
    report = {
        "id": row["id"], "code": row["code"], "kind": row["kind"], "title": title, "state": row["status"],
        "category": {"code": row["category.code"], "name": row["category.name"]} if row["category.code"] else None,
        "unit": _unit(row, "unit"), "deadline": due, "received_at": row["received_at"],
        "resolved_at": row["resolved_at"], "task_id": row["task_id"],
        "url": f"{get_settings().base_url}/r/{row['code']}",
    }
    return row["unit.path"] or "/", {"report": report}
