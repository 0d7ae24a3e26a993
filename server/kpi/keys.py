"""What a kept count's key is, and whether a kind of kept counts is built: shared by the units' counts
(server.kpi.counts) and the people's (server.kpi.people_counts), so that neither imports the other's module for them.

The key's values and the rule for a task to count at all are `counted_sql`; the sentinels keep the unique keys usable
on both engines (decision 0002).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.lib.db import is_sqlite
from server.tasks.tables import Task

STATE_NAME = "unit_days"
PEOPLE_STATE = "person_days"  # server.kpi.people_counts'
OPEN_STATES_SQL = "('assigned', 'in_progress', 'submitted', 'returned')"
# Not date.max / date.min: asyncpg writes those two as +/-infinity, which would make a second, different key.
NO_DEADLINE = dt.date(9999, 12, 30)  # a done task without a deadline: on time, never in a period by its deadline
NOT_DONE = dt.date(1, 1, 2)  # an open task's completion date: never read (open rows are filtered by `done`)
# A period that reaches the sentinel cannot be answered from the counts (never in practice: see `usable_for`).
LAST_USABLE_DAY = dt.date(9998, 12, 31)
KEY_COLUMNS = ("unit", "done", "deadline", "done_on")


def literal(day: dt.date) -> str:
    return f"'{day.isoformat()}'" if is_sqlite() else f"DATE '{day.isoformat()}'"


def counted_sql() -> tuple[str, str]:
    """The values a task `t` is counted under (unit, done, deadline, done_on), and the condition for it to count at
    all (done, or open with a deadline): the units' and the people's counts both use them.

    The rules are kpi's: a done task is on time when it has no deadline or its completion's local date is on or
    before the deadline; a done task without a completion time is never in a period by completion and is late.
    """
    if is_sqlite():
        done = "CASE WHEN t.state = 'done' THEN 1 ELSE 0 END"
        done_date = "date(t.completed_at, '+7 hours')"
    else:
        done = "(t.state = 'done')"
        done_date = "((t.completed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)"
    values = (
        f"t.lead_unit AS unit, {done} AS done, COALESCE(t.deadline, {literal(NO_DEADLINE)}) AS deadline,"
        f" CASE WHEN t.state = 'done' THEN COALESCE({done_date}, {literal(NO_DEADLINE)})"
        f" ELSE {literal(NOT_DONE)} END AS done_on"
    )
    return values, f"(t.state = 'done' OR (t.state IN {OPEN_STATES_SQL} AND t.deadline IS NOT NULL))"


def key_of(row: dict[str, Any] | None) -> tuple[int, bool, str, str] | None:
    if row is None:
        return None
    return (int(row["unit"]), bool(row["done"]), str(row["deadline"])[:10], str(row["done_on"])[:10])


def date_param(day: str) -> object:
    return day if is_sqlite() else dt.date.fromisoformat(day)


def done_param(done: bool) -> object:
    return int(done) if is_sqlite() else done


def day_param(day: dt.date) -> object:
    return day.isoformat() if is_sqlite() else day


def usable_for(start: dt.date, end: dt.date) -> bool:
    return end <= LAST_USABLE_DAY and start > NOT_DONE


async def is_ready(name: str = STATE_NAME) -> bool:
    """The counts `name` were built (each kind is read only once a rebuild filled it)."""
    rows = await Task.raw("SELECT built_at FROM kpi_aggregate_state WHERE name = {}", name)
    return bool(rows and rows[0]["built_at"])


def week_index_sql(date_sql: str, anchor: dt.date) -> str:
    """Which week (0, 1, ... from the Monday `anchor`) a date falls in. The anchor is a date we made ourselves (a
    Monday), so it is safe to write into the SQL."""
    if is_sqlite():
        return f"(CAST(julianday({date_sql}) - julianday('{anchor.isoformat()}') AS INTEGER) / 7)"
    return f"(({date_sql} - DATE '{anchor.isoformat()}') / 7)"


async def asymmetric(one: str, other: str) -> int:
    """How many rows of `one` are not in `other` (two SELECTs of the same columns)."""
    rows = await Task.raw(f"SELECT COUNT(*) AS n FROM (SELECT * FROM ({one}) a EXCEPT SELECT * FROM ({other}) b) d")
    return int(rows[0]["n"])
