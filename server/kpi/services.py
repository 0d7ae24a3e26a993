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
COUNTED_STATES_SQL = "t.state IN ('done', 'assigned', 'in_progress', 'submitted', 'returned')"
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


def completed_local_date_sql() -> str:
    """The completion's date in Asia/Ho_Chi_Minh (UTC+7 all year: Vietnam has no daylight saving)."""
    if is_sqlite():
        return "date(t.completed_at, '+7 hours')"
    return "((t.completed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)"


def bucket_sql() -> str:
    done_date = completed_local_date_sql()
    return (
        "CASE"
        f" WHEN t.state = 'done' AND (t.deadline IS NULL OR {done_date} <= t.deadline) THEN 'done_on_time'"
        " WHEN t.state = 'done' THEN 'done_late'"
        f" WHEN t.state IN {OPEN_STATES_SQL} AND t.deadline IS NOT NULL AND t.deadline < {{}}"
        " THEN 'in_progress_overdue'"
        f" WHEN t.state IN {OPEN_STATES_SQL} THEN 'in_progress_on_time'"
        " END"
    )


def period_sql() -> str:
    done_date = completed_local_date_sql()
    return (
        "((t.deadline >= {} AND t.deadline <= {})"
        f" OR (t.state = 'done' AND {done_date} >= {{}} AND {done_date} <= {{}}))"
    )


def date_param(day: dt.date) -> object:
    # SQLite compares dates as ISO text; PostgreSQL wants a real date.
    return day.isoformat() if is_sqlite() else day


def led_within_sql(path: str) -> tuple[str, list[object]]:
    return "t.lead_unit IN (SELECT lu.id FROM units lu WHERE lu.path LIKE {})", [f"{path}%"]


def scope_sql(
    *,
    unit_path: str | None = None,
    person_id: int | None = None,
    within_path: str | None = None,
    own_unit_id: int | None = None,
) -> tuple[str, list[object]]:
    """The scope's condition on tasks `t`. A person's tasks are those assigned to them (subtasks included);
    `within_path` keeps only those led by a unit of that subtree: what the viewer may see (a unit head sees their
    unit's tasks, not the tasks another unit gave the same officer). `own_unit_id`: the top-level tasks that one
    unit leads itself, without its sub-units' (the dashboard's "own" row)."""
    if person_id is not None:
        sql = "t.id IN (SELECT ta.task FROM task_assignees ta WHERE ta.person = {} AND ta.removed_at IS NULL)"
        args: list[object] = [person_id]
        if within_path is not None:
            led, led_args = led_within_sql(within_path)
            sql, args = f"{sql} AND {led}", [*args, *led_args]
        return sql, args
    if own_unit_id is not None:
        return "t.parent IS NULL AND t.lead_unit = {}", [own_unit_id]
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
    bucket = bucket_sql()
    sql = (
        f"SELECT {bucket} AS bucket, COUNT(*) AS n FROM tasks t"
        f" WHERE {scope} AND {period_sql()} AND {COUNTED_STATES_SQL} GROUP BY 1"
    )
    args = [date_param(today), *scope_args, *(date_param(d) for d in (start, end, start, end))]
    result = Figures()
    for row in await Task.raw(sql, *args):
        if row["bucket"] in BUCKETS:
            setattr(result, row["bucket"], int(row["n"]))
    return result


def _listing_sql(
    start: dt.date,
    end: dt.date,
    *,
    bucket: str | None,
    unit_path: str | None,
    person_id: int | None,
    within_path: str | None,
    own_unit_id: int | None,
    today: dt.date,
) -> tuple[str, list[object]]:
    """FROM … WHERE … for the tasks behind a figure: the same conditions `figures()` counts with."""
    if bucket is not None and bucket not in BUCKETS:
        raise ValueError(bucket)
    scope, scope_args = scope_sql(unit_path=unit_path, person_id=person_id, within_path=within_path,
                                  own_unit_id=own_unit_id)
    sql = f" FROM tasks t WHERE {scope} AND {period_sql()} AND {COUNTED_STATES_SQL}"
    args: list[object] = [*scope_args, *(date_param(d) for d in (start, end, start, end))]
    if bucket is not None:
        sql += f" AND {bucket_sql()} = {{}}"
        args += [date_param(today), bucket]
    return sql, args


# The same order on both engines: PostgreSQL sorts NULLs last, SQLite first.
_LISTING_ORDER = " ORDER BY CASE WHEN t.deadline IS NULL THEN 1 ELSE 0 END, t.deadline, t.id"


async def task_ids(
    start: dt.date,
    end: dt.date,
    *,
    bucket: str | None = None,
    unit_path: str | None = None,
    person_id: int | None = None,
    within_path: str | None = None,
    own_unit_id: int | None = None,
    today: dt.date | None = None,
    offset: int = 0,
    limit: int = 10_000,
) -> list[int]:
    """The exact tasks behind a figure (a bucket, or all four), so a count and its list always agree; one page
    of them, paged in SQL (a province's figure may stand for hundreds of thousands of tasks)."""
    where, args = _listing_sql(start, end, bucket=bucket, unit_path=unit_path, person_id=person_id,
                               within_path=within_path, own_unit_id=own_unit_id, today=today or clock.today_vn())
    sql = f"SELECT t.id{where}{_LISTING_ORDER} LIMIT {int(max(0, limit))} OFFSET {int(max(0, offset))}"
    return [row["id"] for row in await Task.raw(sql, *args)]


async def task_page(
    start: dt.date,
    end: dt.date,
    *,
    bucket: str | None = None,
    unit_path: str | None = None,
    person_id: int | None = None,
    within_path: str | None = None,
    own_unit_id: int | None = None,
    today: dt.date | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[int, list[int]]:
    """How many tasks are behind a figure, and one page of them, from one scan: the count rides on each row
    (a window over the whole list, before the limit), so the figure and its list come from the same rows."""
    where, args = _listing_sql(start, end, bucket=bucket, unit_path=unit_path, person_id=person_id,
                               within_path=within_path, own_unit_id=own_unit_id, today=today or clock.today_vn())
    rows = await Task.raw(
        f"SELECT t.id, COUNT(*) OVER () AS total{where}{_LISTING_ORDER}"
        f" LIMIT {int(max(0, limit))} OFFSET {int(max(0, offset))}",
        *args,
    )
    if rows:
        return int(rows[0]["total"]), [row["id"] for row in rows]
    # A page past the end carries no row to read the count from.
    counted = await Task.raw(f"SELECT COUNT(*) AS n{where}", *args)
    return int(counted[0]["n"]), []
