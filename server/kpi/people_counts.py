"""kpi's kept counts for people: per (person, lead unit, done or open, deadline in force, completion date), how many
tasks (top-level or part) the person currently holds (task_assignees with removed_at NULL).

Why: a person's figures, and a unit's people table (every officer of a department, each with their four buckets),
were counted from their tasks: a department head's year read ~25,000 assignments and their tasks (40-57 ms on
1,000,000 tasks, PostgreSQL). The kept counts hold the same figures in one row per key, read by two index range
scans per person (kpi_person_days_key, kpi_person_days_done_on), without touching a task.

How it stays exact, as the units' counts (server.kpi.counts, which calls this module):
- `fact_sql()` is the one statement that says which values each current assignment of a task is counted under:
  the units' values and rules (`counts.counted_sql`), parts included (decision 0002: a person's figures count
  every task they hold). A person holds a task once, however many assignment rows say so (as `scope_sql` reads).
- `refresh_task()` runs in the task's own write transaction, after the unit count (counts.refresh_task), on every
  change that can move a count, a change of assignees included: for each (task, person) it moves one count from
  the key kept in `kpi_person_facts` to the new one; someone taken off a task loses theirs, someone put on gains it.
- `fill()` is the rebuild's part (inside counts.rebuild's transaction and table locks); `differences()` compares
  the ledger with the assignments and the counts with the ledger, for counts.check.
- Until a rebuild marks them built (kpi_aggregate_state "person_days"), a person's figures are counted from tasks.
The lead unit is in the key because a viewer sees only the tasks led inside their subtree (`within_path`); who the
person is (their unit) is read at read time, so moving an officer to another unit moves no count.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.kpi.keys import PEOPLE_STATE, asymmetric, counted_sql, is_ready, usable_for, week_index_sql
from server.kpi.keys import date_param as _param
from server.kpi.keys import day_param as _day
from server.kpi.keys import done_param as _done_param
from server.kpi.keys import key_of as _key
from server.lib.db import is_sqlite
from server.tasks.tables import Task

STATE_NAME = PEOPLE_STATE
KEPT = ("kpi_person_facts", "kpi_person_days")
COLUMNS = "task, person, unit, done, deadline, done_on"
Key = tuple[int, bool, str, str]


def fact_sql() -> str:
    """task, person, unit, done, deadline, done_on for every current assignment of a task that can count."""
    values, counted = counted_sql()
    return (
        f"SELECT DISTINCT ta.task AS task, ta.person AS person, {values}"
        f" FROM task_assignees ta JOIN tasks t ON t.id = ta.task WHERE ta.removed_at IS NULL AND {counted}"
    )


async def _add(person: int, key: Key, delta: int) -> None:
    unit, done, deadline, done_on = key
    args = (person, unit, _done_param(done), _param(deadline), _param(done_on))
    await Task.raw(
        "INSERT INTO kpi_person_days (person, unit, done, deadline, done_on, n) VALUES ({}, {}, {}, {}, {}, {})"
        " ON CONFLICT (person, deadline, unit, done, done_on) DO UPDATE SET n = kpi_person_days.n + excluded.n",
        *args, delta,
    )
    if delta < 0:  # keep the table to keys that count something
        await Task.raw(
            "DELETE FROM kpi_person_days WHERE person = {} AND unit = {} AND done = {} AND deadline = {}"
            " AND done_on = {} AND n <= 0",
            *args,
        )


async def refresh_task(task_id: int) -> None:
    """Bring the task's assignees' counts up to date (the caller's write transaction holds it; counts.refresh_task
    has locked the task's unit ledger row first)."""
    lock = "" if is_sqlite() else " FOR UPDATE"
    old_rows = await Task.raw(
        f"SELECT person, unit, done, deadline, done_on FROM kpi_person_facts WHERE task = {{}}{lock}", task_id
    )
    new_rows = await Task.raw(f"{fact_sql()} AND ta.task = {{}}", task_id)
    old: dict[int, Key | None] = {int(row["person"]): _key(row) for row in old_rows}
    new: dict[int, Key | None] = {int(row["person"]): _key(row) for row in new_rows}
    if old == new:
        return
    deltas: dict[tuple[int, Key], int] = {}
    for person in old.keys() | new.keys():
        before, after = old.get(person), new.get(person)
        if before == after:
            continue
        for key, delta in ((before, -1), (after, 1)):
            if key is not None:
                deltas[(person, key)] = deltas.get((person, key), 0) + delta
    # Always in one order (person, then key), so two writers moving counts of the same people cannot deadlock.
    for (person, key), delta in sorted(deltas.items()):
        if delta:
            await _add(person, key, delta)
    gone = sorted(person for person in old if person not in new)
    if gone:
        await Task.raw(
            f"DELETE FROM kpi_person_facts WHERE task = {{}} AND person IN ({', '.join('{}' for _ in gone)})",
            task_id, *gone,
        )
    for person, key in sorted(new.items()):
        if key is None or old.get(person) == key:
            continue
        unit, done, deadline, done_on = key
        await Task.raw(
            "INSERT INTO kpi_person_facts (task, person, unit, done, deadline, done_on) VALUES ({}, {}, {}, {}, {}, {})"
            " ON CONFLICT (task, person) DO UPDATE SET unit = excluded.unit, done = excluded.done,"
            " deadline = excluded.deadline, done_on = excluded.done_on",
            task_id, person, unit, _done_param(done), _param(deadline), _param(done_on),
        )


GROUPED_SQL = (
    "SELECT person, unit, done, deadline, done_on, COUNT(*) AS n FROM kpi_person_facts"
    " GROUP BY person, unit, done, deadline, done_on"
)


async def fill() -> dict[str, int]:
    """The rebuild's part: the ledger from the assignments, the counts from the ledger. The caller (counts.rebuild)
    has emptied and locked both tables in its transaction."""
    await Task.raw(f"INSERT INTO kpi_person_facts ({COLUMNS}) {fact_sql()}")
    await Task.raw(f"INSERT INTO kpi_person_days (person, unit, done, deadline, done_on, n) {GROUPED_SQL}")
    facts = (await Task.raw("SELECT COUNT(*) AS n FROM kpi_person_facts"))[0]["n"]
    keys = (await Task.raw("SELECT COUNT(*) AS n FROM kpi_person_days"))[0]["n"]
    return {"assignments": int(facts), "person_keys": int(keys)}


async def differences() -> int:
    """How many ledger rows disagree with the assignments, plus how many counts disagree with the ledger."""
    stored = "SELECT person, unit, done, deadline, done_on, n FROM kpi_person_days WHERE n <> 0"
    found = 0
    for one, other in ((fact_sql(), f"SELECT {COLUMNS} FROM kpi_person_facts"), (GROUPED_SQL, stored)):
        found += await asymmetric(one, other) + await asymmetric(other, one)
    return found


# ---------------------------------------------------------------- reading the counts


async def usable(start: dt.date, end: dt.date) -> bool:
    """The people's counts can answer [start, end]: built, and the period short of the sentinels."""
    return usable_for(start, end) and await is_ready(STATE_NAME)


def _who(person_id: int | None, people_path: str | None, within_path: str | None) -> tuple[str, list[object]]:
    """One person, or everyone whose unit is in `people_path` (read now: the counts know no person's unit); with
    `within_path`, only the tasks led by a unit of that subtree (what the viewer may see)."""
    if person_id is not None:
        sql, args = "person = {}", [person_id]
    elif people_path is not None:
        # The units first, then their people by people_unit: SQLite would otherwise read all the people a branch.
        sql = "person IN (SELECT p.id FROM people p WHERE p.unit IN (SELECT pu.id FROM units pu WHERE pu.path LIKE {}))"
        args = [f"{people_path}%"]
    else:
        raise ValueError("a person or a unit's people")
    if within_path is not None:
        sql += " AND unit IN (SELECT lu.id FROM units lu WHERE lu.path LIKE {})"
        args.append(f"{within_path}%")
    return sql, args


def _rows_sql(who: str, columns: str) -> str:
    """The counts of [start, end] for `who`, each row with its bucket as kpi buckets a task on `today`: the keys
    whose deadline is in the period, plus the done keys completed in it whose deadline is not (two index range
    scans a person). Arguments: `columns`' own, today, start, end, *who, then `columns`' own, start, end, start,
    end, *who."""
    return (
        f"SELECT person, {columns}, CASE WHEN done AND done_on <= deadline THEN 'done_on_time'"
        " WHEN done THEN 'done_late' WHEN deadline < {} THEN 'in_progress_overdue' ELSE 'in_progress_on_time' END"
        f" AS bucket, n FROM kpi_person_days WHERE deadline >= {{}} AND deadline <= {{}} AND {who}"
        f" UNION ALL SELECT person, {columns}, CASE WHEN done_on <= deadline THEN 'done_on_time' ELSE 'done_late' END"
        " AS bucket, n FROM kpi_person_days WHERE done AND done_on >= {} AND done_on <= {}"
        f" AND (deadline < {{}} OR deadline > {{}}) AND {who}"
    )


async def figures(
    start: dt.date, end: dt.date, *, today: dt.date, person_id: int | None = None, people_path: str | None = None,
    within_path: str | None = None,
) -> dict[int, dict[str, int]]:
    """kpi's four buckets per person over [start, end], from the counts: one person (`person_id`), or everyone of
    `people_path`'s units who holds a counted task; `within_path` keeps the tasks led inside that subtree."""
    who, who_args = _who(person_id, people_path, within_path)
    s, e = _day(start), _day(end)
    rows = await Task.raw(
        f"SELECT person, bucket, SUM(n) AS n FROM ({_rows_sql(who, 'unit')}) x GROUP BY person, bucket",
        _day(today), s, e, *who_args, s, e, s, e, *who_args,
    )
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        result.setdefault(int(row["person"]), {})[str(row["bucket"])] = int(row["n"])
    return result


async def week_rows(
    person_id: int, start: dt.date, end: dt.date, today: dt.date, within_path: str | None = None
) -> list[dict[str, Any]]:
    """One person's figures per week (0, 1, ... Monday to Sunday from the week of `start`), as rows (k, bucket, n):
    a task counts in the week of its deadline and in the week of its completion, once in each (as the units' weeks,
    counts.unit_week_rows)."""
    anchor = start - dt.timedelta(days=start.weekday())
    who, who_args = _who(person_id, None, within_path)
    s, e = _day(start), _day(end)
    columns = (
        f"CASE WHEN deadline >= {{}} AND deadline <= {{}} THEN {week_index_sql('deadline', anchor)} END AS dwk,"
        f" CASE WHEN done AND done_on >= {{}} AND done_on <= {{}} THEN {week_index_sql('done_on', anchor)} END AS cwk"
    )
    sql = (
        f"WITH q AS ({_rows_sql(who, columns)})"
        " SELECT dwk AS k, bucket, SUM(n) AS n FROM q WHERE dwk IS NOT NULL GROUP BY dwk, bucket"
        " UNION ALL SELECT cwk AS k, bucket, SUM(n) AS n FROM q"
        " WHERE cwk IS NOT NULL AND (dwk IS NULL OR dwk <> cwk) GROUP BY cwk, bucket"
    )
    # The week columns' four dates come before the bucket's `today` in each branch.
    branch = [s, e, s, e]
    return await Task.raw(sql, *branch, _day(today), s, e, *who_args, *branch, s, e, s, e, *who_args)
