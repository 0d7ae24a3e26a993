"""The accountability figures, exactly as PRODUCT.md defines them. `kpi` reads everything and writes nothing.

For a scope (a unit subtree: the top-level tasks its units lead; or a person: the tasks assigned to them)
and a period [start, end] of local dates, a task counts when its deadline in force falls in the period or
it was completed in it (completion = the time of the submission the leader approved). Then:
  done on time      approved, completed on or before the deadline (local date);
  done late         approved, completed after it;
  in progress, within deadline / overdue   open, with today (or the deadline) deciding;
  cancelled and draft tasks count nowhere.
Completion rate = done / (done + in progress); on-time rate = done on time / the same denominator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from server.lib import clock
from server.lib.db import is_sqlite
from server.tasks.tables import Task

OPEN_STATES_SQL = "('assigned', 'in_progress', 'submitted', 'returned')"
BUCKETS = ("done_on_time", "done_late", "in_progress_on_time", "in_progress_overdue")


@dataclass
class Figures:
    done_on_time: int = 0
    done_late: int = 0
    in_progress_on_time: int = 0
    in_progress_overdue: int = 0

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def in_progress(self) -> int:
        return self.in_progress_on_time + self.in_progress_overdue

    @property
    def total(self) -> int:
        return self.done + self.in_progress

    @property
    def completion_rate(self) -> float | None:
        return self.done / self.total if self.total else None

    @property
    def on_time_rate(self) -> float | None:
        return self.done_on_time / self.total if self.total else None

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "done": self.done,
            "in_progress": self.in_progress,
            "total": self.total,
            "completion_rate": self.completion_rate,
            "on_time_rate": self.on_time_rate,
        }


def _completed_local_date_sql() -> str:
    """The completion's date in Asia/Ho_Chi_Minh (UTC+7 all year: Vietnam has no daylight saving)."""
    if is_sqlite():
        return "date(t.completed_at, '+7 hours')"
    return "((t.completed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)"


def _bucket_sql() -> str:
    done_date = _completed_local_date_sql()
    return (
        "CASE"
        f" WHEN t.state = 'done' AND (t.deadline IS NULL OR {done_date} <= t.deadline) THEN 'done_on_time'"
        " WHEN t.state = 'done' THEN 'done_late'"
        f" WHEN t.state IN {OPEN_STATES_SQL} AND t.deadline IS NOT NULL AND t.deadline < {{}}"
        " THEN 'in_progress_overdue'"
        f" WHEN t.state IN {OPEN_STATES_SQL} THEN 'in_progress_on_time'"
        " END"
    )


def _period_sql() -> str:
    done_date = _completed_local_date_sql()
    return (
        "((t.deadline >= {} AND t.deadline <= {})"
        f" OR (t.state = 'done' AND {done_date} >= {{}} AND {done_date} <= {{}}))"
    )


def _date_param(day: dt.date) -> object:
    # SQLite compares dates as ISO text; PostgreSQL wants a real date.
    return day.isoformat() if is_sqlite() else day


def led_within_sql(path: str) -> tuple[str, list[object]]:
    return "t.lead_unit IN (SELECT lu.id FROM units lu WHERE lu.path LIKE {})", [f"{path}%"]


def scope_sql(
    *, unit_path: str | None = None, person_id: int | None = None, within_path: str | None = None
) -> tuple[str, list[object]]:
    """The scope's condition on tasks `t`. A person's tasks are those assigned to them (subtasks included);
    `within_path` keeps only those led by a unit of that subtree: what the viewer may see (a unit head sees their
    unit's tasks, not the tasks another unit gave the same officer)."""
    if person_id is not None:
        sql = "t.id IN (SELECT ta.task FROM task_assignees ta WHERE ta.person = {} AND ta.removed_at IS NULL)"
        args: list[object] = [person_id]
        if within_path is not None:
            led, led_args = led_within_sql(within_path)
            sql, args = f"{sql} AND {led}", [*args, *led_args]
        return sql, args
    if unit_path is None:
        raise ValueError("a scope needs a unit or a person")
    return "t.parent IS NULL AND t.lead_unit IN (SELECT u.id FROM units u WHERE u.path LIKE {})", [f"{unit_path}%"]


async def figures(
    start: dt.date,
    end: dt.date,
    *,
    unit_path: str | None = None,
    person_id: int | None = None,
    within_path: str | None = None,
    today: dt.date | None = None,
) -> Figures:
    today = today or clock.today_vn()
    scope, scope_args = scope_sql(unit_path=unit_path, person_id=person_id, within_path=within_path)
    bucket = _bucket_sql()
    sql = (
        f"SELECT {bucket} AS bucket, COUNT(*) AS n FROM tasks t"
        f" WHERE {scope} AND {_period_sql()} AND t.state IN ('done', 'assigned', 'in_progress', 'submitted',"
        " 'returned') GROUP BY 1"
    )
    args = [_date_param(today), *scope_args, *(_date_param(d) for d in (start, end, start, end))]
    result = Figures()
    for row in await Task.raw(sql, *args):
        if row["bucket"] in BUCKETS:
            setattr(result, row["bucket"], int(row["n"]))
    return result


async def task_ids(
    start: dt.date,
    end: dt.date,
    *,
    bucket: str | None = None,
    unit_path: str | None = None,
    person_id: int | None = None,
    within_path: str | None = None,
    today: dt.date | None = None,
    limit: int = 10_000,
) -> list[int]:
    """The exact tasks behind a figure (a bucket, or all four), so a count and its list always agree."""
    if bucket is not None and bucket not in BUCKETS:
        raise ValueError(bucket)
    today = today or clock.today_vn()
    scope, scope_args = scope_sql(unit_path=unit_path, person_id=person_id, within_path=within_path)
    bucket_sql = _bucket_sql()
    sql = (
        f"SELECT t.id, {bucket_sql} AS bucket FROM tasks t WHERE {scope} AND {_period_sql()}"
        " AND t.state IN ('done', 'assigned', 'in_progress', 'submitted', 'returned')"
        # The same order on both engines: PostgreSQL sorts NULLs last, SQLite first.
        " ORDER BY CASE WHEN t.deadline IS NULL THEN 1 ELSE 0 END, t.deadline, t.id"
    )
    args = [_date_param(today), *scope_args, *(_date_param(d) for d in (start, end, start, end))]
    rows = await Task.raw(sql, *args)
    return [row["id"] for row in rows if bucket is None or row["bucket"] == bucket][:limit]
