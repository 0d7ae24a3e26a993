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
from typing import Any, TypedDict, Unpack

from server.kpi import counts, people_counts
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
    extra, extra_args = period_prefilter(start, end)
    sql = (
        f"SELECT {bucket} AS bucket, COUNT(*) AS n FROM tasks t"
        f" WHERE {scope} AND {period_sql()} AND {COUNTED_STATES_SQL}{extra} GROUP BY 1"
    )
    args = [date_param(today), *scope_args, *(date_param(d) for d in (start, end, start, end)), *extra_args]
    result = Figures()
    for row in await Task.raw(sql, *args):
        if row["bucket"] in BUCKETS:
            setattr(result, row["bucket"], int(row["n"]))
    return result


class Scope(TypedDict, total=False):
    """`figures()`' scope and day, as keywords: a unit's subtree, or a person (within a subtree)."""

    unit_path: str | None
    person_id: int | None
    within_path: str | None
    today: dt.date | None


async def kept_figures(start: dt.date, end: dt.date, **scope: Unpack[Scope]) -> Figures:
    """`figures(...)` read from the kept counts once they are built: a unit's (server.kpi.counts) or a person's
    (server.kpi.people_counts, with `within_path` as `figures` takes it). What the API, the desk's home and the
    dashboard show. Until a first rebuild, or for a period the counts cannot answer, the tasks are counted.
    tests/api/kpi/test_kpi_kept.py and test_people_kept.py compare the two."""
    today = scope.get("today") or clock.today_vn()
    unit_path, person_id, within_path = scope.get("unit_path"), scope.get("person_id"), scope.get("within_path")
    found = await _kept_buckets(start, end, today, unit_path=unit_path, person_id=person_id, within_path=within_path)
    if found is None:
        return await figures(start, end, unit_path=unit_path, person_id=person_id, within_path=within_path,
                             today=today)
    return Figures(**{b: n for b, n in found.items() if b in BUCKETS})


async def _kept_buckets(start: dt.date, end: dt.date, today: dt.date, *, unit_path: str | None,
                        person_id: int | None, within_path: str | None,
                        own_unit_id: int | None = None) -> dict[str, int] | None:
    """A figure's buckets from the kept counts (a person's, or a unit's subtree or own tasks), or None while the
    counts cannot answer it (not built yet, or a period they do not reach): then the tasks are counted."""
    if person_id is not None:
        if not await people_counts.usable(start, end):
            return None
        return (await people_counts.figures(start, end, today=today, person_id=person_id,
                                            within_path=within_path)).get(person_id, {})
    if counts.usable_for(start, end) and await counts.is_ready():
        return await counts.unit_figures(start, end, today=today, unit_path=unit_path, unit_id=own_unit_id)
    return None


def period_prefilter(start: dt.date, end: dt.date) -> tuple[str, list[object]]:
    """A condition implied by the period rule that PostgreSQL answers from the deadline and completed_at indexes
    (the rule itself reads the completion's local date, which no plain index serves): a sargable range on
    completed_at. It only narrows the rows the exact rule then checks. SQLite stores times as text: left out."""
    if is_sqlite():
        return "", []
    begin = dt.datetime.combine(start, dt.time(), tzinfo=clock.VN_TZ)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=clock.VN_TZ)
    return (
        " AND ((t.deadline >= {} AND t.deadline <= {}) OR (t.completed_at >= {} AND t.completed_at < {}))",
        [start, end, begin, finish],
    )


def _conditions(
    *,
    bucket: str | None,
    unit_path: str | None,
    person_id: int | None,
    within_path: str | None,
    own_unit_id: int | None,
    today: dt.date,
    scope: str | None = None,
) -> tuple[str, list[object]]:
    """The scope (or `scope`, already written), the counted states and the bucket: what `figures()` counts with,
    the period aside."""
    if bucket is not None and bucket not in BUCKETS:
        raise ValueError(bucket)
    scope_args: list[object] = []
    if scope is None:
        scope, scope_args = scope_sql(unit_path=unit_path, person_id=person_id, within_path=within_path,
                                      own_unit_id=own_unit_id)
    sql = f"{scope} AND {COUNTED_STATES_SQL}"
    args: list[object] = [*scope_args]
    if bucket is not None:
        sql += f" AND {bucket_sql()} = {{}}"
        args += [date_param(today), bucket]
    return sql, args


def _page_sql(start: dt.date, end: dt.date, conditions: str, args: list[object], offset: int,
              limit: int, *, units: bool = False) -> tuple[str, list[object]]:
    """One page of the tasks behind a figure, in the order (no deadline last, deadline, id), from two disjoint
    branches that each stop early: the tasks whose deadline is in the period, read along the deadline index; and the
    done tasks completed in the period whose deadline is not, found by a sargable range on completed_at (PostgreSQL;
    the exact local-date rule then checks them). Each branch gives its own first offset + limit; the page is the
    first of their union. No window over the whole list: the count comes separately (from the kept counts)."""
    top = int(max(0, offset)) + int(max(0, limit))
    done_date = completed_local_date_sql()
    s, e = date_param(start), date_param(end)
    ranged, range_args = "", []
    if not is_sqlite():
        ranged = " AND t.completed_at >= {} AND t.completed_at < {}"
        range_args = [dt.datetime.combine(start, dt.time(), tzinfo=clock.VN_TZ),
                      dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=clock.VN_TZ)]
    # SQLite without statistics prefers the index on `parent` (every top-level task): for a unit's figure, name the
    # right ones (a person's few tasks are better found from their assignments).
    by_deadline_index, by_day_index = (" INDEXED BY tasks_deadline", " INDEXED BY tasks_done_local_day") \
        if is_sqlite() and units else ("", "")
    by_deadline = (
        f"SELECT t.id, t.deadline, 0 AS nodl FROM tasks t{by_deadline_index} WHERE {conditions}"
        f" AND t.deadline >= {{}} AND t.deadline <= {{}} ORDER BY t.deadline, t.id LIMIT {top}"
    )
    by_completion = (
        f"SELECT t.id, t.deadline, CASE WHEN t.deadline IS NULL THEN 1 ELSE 0 END AS nodl FROM tasks t{by_day_index}"
        f" WHERE {conditions} AND t.state = 'done' AND {done_date} >= {{}} AND {done_date} <= {{}}"
        f" AND (t.deadline IS NULL OR t.deadline < {{}} OR t.deadline > {{}}){ranged}"
        f" ORDER BY nodl, t.deadline, t.id LIMIT {top}"
    )
    sql = (
        f"SELECT id FROM (SELECT * FROM ({by_deadline}) a UNION ALL SELECT * FROM ({by_completion}) b) p"
        f" ORDER BY nodl, deadline, id LIMIT {int(max(0, limit))} OFFSET {int(max(0, offset))}"
    )
    return sql, [*args, s, e, *args, s, e, s, e, *range_args]


class Figure(TypedDict, total=False):
    """Which figure: a bucket (None: all four) for a scope (a unit's subtree, a person, a desk's units), on `today`
    (None: today in Vietnam). The keyword arguments `task_ids()`, `count()` and `task_page()` share."""

    bucket: str | None
    unit_path: str | None
    person_id: int | None
    within_path: str | None
    own_unit_id: int | None
    today: dt.date | None


def _figure_conditions(figure: Figure, today: dt.date, scope: str | None = None) -> tuple[str, list[object]]:
    return _conditions(bucket=figure.get("bucket"), unit_path=figure.get("unit_path"),
                       person_id=figure.get("person_id"), within_path=figure.get("within_path"),
                       own_unit_id=figure.get("own_unit_id"), today=today, scope=scope)


async def task_ids(
    start: dt.date, end: dt.date, *, offset: int = 0, limit: int = 10_000, **figure: Unpack[Figure]
) -> list[int]:
    """The exact tasks behind a figure (a bucket, or all four), so a count and its list always agree; one page
    of them, paged in SQL (a province's figure may stand for hundreds of thousands of tasks)."""
    today = figure.get("today") or clock.today_vn()
    conditions, args = _figure_conditions(figure, today)
    unit_path, person_id = figure.get("unit_path"), figure.get("person_id")
    if unit_path is not None and person_id is None and figure.get("own_unit_id") is None:
        conditions, args = _figure_conditions({"bucket": figure.get("bucket")}, today,
                                              scope=await _subtree_sql(unit_path))
    sql, all_args = _page_sql(start, end, conditions, args, offset, limit, units=person_id is None)
    return [row["id"] for row in await Task.raw(sql, *all_args)]


async def _subtree_sql(unit_path: str) -> str:
    """A subtree's top-level tasks with its units' ids written in (our own integers) instead of a join on the path:
    the planner then neither loops over units for each task nor misjudges how many tasks the scope holds; and the
    whole tree needs no condition on the unit at all."""
    rows = await Task.raw("SELECT u.id, u.path FROM units u")
    ids = [int(row["id"]) for row in rows if row["path"].startswith(unit_path)]
    if len(ids) == len(rows):
        return "t.parent IS NULL"
    return f"t.parent IS NULL AND t.lead_unit IN ({', '.join(map(str, ids)) or 'NULL'})"


async def count(start: dt.date, end: dt.date, *, kept: bool = False, **figure: Unpack[Figure]) -> int:
    """How many tasks are behind a figure. With `kept`, a unit's or a person's figure is read from the kept counts
    once they are built; else the tasks are counted, narrowed by the sargable period prefilter."""
    today = figure.get("today") or clock.today_vn()
    bucket = figure.get("bucket")
    found = await _kept_buckets(start, end, today, unit_path=figure.get("unit_path"),
                                person_id=figure.get("person_id"), within_path=figure.get("within_path"),
                                own_unit_id=figure.get("own_unit_id")) if kept else None
    if found is not None:
        return found.get(bucket, 0) if bucket is not None else sum(found.get(b, 0) for b in BUCKETS)
    conditions, args = _figure_conditions(figure, today)
    extra, extra_args = period_prefilter(start, end)
    rows = await Task.raw(
        f"SELECT COUNT(*) AS n FROM tasks t WHERE {conditions} AND {period_sql()}{extra}",
        *args, *(date_param(d) for d in (start, end, start, end)), *extra_args,
    )
    return int(rows[0]["n"])


async def task_page(
    start: dt.date, end: dt.date, *, offset: int = 0, limit: int = 100, kept: bool = False, **figure: Unpack[Figure]
) -> tuple[int, list[int]]:
    """How many tasks are behind a figure, and one page of them (`kept`: the count from the kept counts)."""
    figure = {**figure, "today": figure.get("today") or clock.today_vn()}
    page = await task_ids(start, end, offset=offset, limit=limit, **figure)
    return await count(start, end, kept=kept, **figure), page
