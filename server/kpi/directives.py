"""A directive's top-level tasks with kpi's "overdue" and "done late": the figures of a directive's roll-up.

kpi says what a figure counts (server/kpi/services.py's SQL pieces), so it answers the directives' roll-up too;
directives asks through server/directives/sources.py (it sits below tasks and kpi, and imports neither).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.kpi import services as kpi
from server.tasks.tables import Task


async def directive_task_rows(
    directive_ids: list[int], *, within_path: str | None, today: dt.date
) -> list[dict[str, Any]]:
    """The directives' top-level tasks by deadline; `within_path` keeps those led by units of that subtree."""
    if not directive_ids:
        return []
    placeholders = ", ".join("{}" for _ in directive_ids)
    done_date = kpi.completed_local_date_sql()
    overdue_sql = f"t.state IN {kpi.OPEN_STATES_SQL} AND t.deadline IS NOT NULL AND t.deadline < {{}}"
    late_sql = (f"t.state = 'done' AND t.deadline IS NOT NULL AND t.completed_at IS NOT NULL"
                f" AND {done_date} > t.deadline")
    scope_sql, scope_args = "", []
    if within_path is not None:
        scope_sql, scope_args = " AND t.lead_unit IN (SELECT su.id FROM units su WHERE su.path LIKE {})", [
            f"{within_path}%"]
    return await Task.raw(
        f"SELECT t.id, t.directive, t.title, t.state, t.deadline, CASE WHEN {overdue_sql} THEN 1 ELSE 0 END AS overdue,"
        f" CASE WHEN {late_sql} THEN 1 ELSE 0 END AS done_late FROM tasks t"
        f" WHERE t.parent IS NULL AND t.directive IN ({placeholders}){scope_sql} ORDER BY t.deadline, t.id",
        kpi.date_param(today), *directive_ids, *scope_args,
    )
