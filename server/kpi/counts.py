"""kpi's kept counts: per (lead unit, done or open, deadline in force, completion date), how many top-level tasks.

kpi owns them (issue 12: one reader of the KPIs): `server.kpi.services.figures`, the drill-downs' counts and the
dashboard's grouped figures read them. The tables are still declared by the dashboard's Piccolo app (their
names and migrations unchanged, so nothing had to be moved in any database); server.dashboard.aggregate keeps the
task listener's name and re-exports these functions for the generator, the demo and the worker.

Why: the whole province's month holds ~160,000 counted tasks; counting them on every view took 1.9 s. The same
tasks fall into ~40,000 keys, read by two index-only range scans (bench/results_dashboard.md).

How it stays exact:
- `fact_sql()` is the one statement that says which values a top-level task is counted under (the same rules and
  the same local-date expression as `server.kpi.services`); the rebuild and the per-task refresh both use it.
- `refresh_task()` runs inside the task's own write transaction (`on_task_changed(..., in_transaction=True)`):
  it moves the task's one count from the key it was last counted under (kept in `kpi_task_facts`) to its new
  key, so the figures commit or roll back with the change itself; then its assignees' (server.kpi.people_counts).
- `rebuild()` recomputes everything from the tasks (after a bulk load, or when `check()` finds a difference);
  `check()` compares each ledger with the tasks and each count with its ledger, in one statement each.
- Until a first rebuild (`kpi_aggregate_state.built_at`), the dashboard counts the tasks directly.
Figures that depend on today (overdue or within the deadline) are decided at read time from the deadline.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from server.kpi import people_counts
from server.kpi.keys import (  # noqa: F401 - counts' own names before keys.py, which other modules read here
    KEY_COLUMNS,
    LAST_USABLE_DAY,
    NO_DEADLINE,
    NOT_DONE,
    OPEN_STATES_SQL,
    PEOPLE_STATE,
    STATE_NAME,
    asymmetric,
    counted_sql,
    is_ready,
    usable_for,
    week_index_sql,
)
from server.kpi.keys import date_param as _param
from server.kpi.keys import day_param as _day
from server.kpi.keys import done_param as _done_param
from server.kpi.keys import key_of as _key
from server.lib import clock
from server.lib.db import is_sqlite, write_transaction
from server.tasks.tables import Task

log = logging.getLogger("dieuhanh.kpi")

KEPT = ("kpi_task_facts", "kpi_unit_days", "kpi_tree_days")


def fact_sql() -> str:
    """task, unit, done, deadline, done_on for every top-level task that can count."""
    values, counted = counted_sql()
    return f"SELECT t.id AS task, {values} FROM tasks t WHERE t.parent IS NULL AND {counted}"


async def _add(key: tuple[int, bool, str, str], delta: int) -> None:
    unit, done, deadline, done_on = key
    args = (unit, _done_param(done), _param(deadline), _param(done_on))
    await Task.raw(
        "INSERT INTO kpi_unit_days (unit, done, deadline, done_on, n) VALUES ({}, {}, {}, {}, {})"
        " ON CONFLICT (unit, deadline, done, done_on) DO UPDATE SET n = kpi_unit_days.n + excluded.n",
        *args, delta,
    )
    if delta < 0:  # keep the table to keys that count something
        await Task.raw(
            "DELETE FROM kpi_unit_days WHERE unit = {} AND done = {} AND deadline = {} AND done_on = {} AND n <= 0",
            *args,
        )


# Task changes that leave what a task is counted under (lead unit, done, deadline, completion date, top-level)
# as it was: no need to move its unit count on these writes. A change of assignees moves the people's counts.
UNCOUNTED_ACTIONS = frozenset({"comment", "extension_requested", "extension_rejected", "progress", "assignees"})
PEOPLE_UNCOUNTED_ACTIONS = UNCOUNTED_ACTIONS - {"assignees"}


async def refresh_task(task_id: int, action: str = "") -> None:
    """Bring one task's counts (its unit's, its assignees') up to date; the caller's write transaction holds it (a
    task listener)."""
    if action in PEOPLE_UNCOUNTED_ACTIONS:
        return
    lock = "" if is_sqlite() else " FOR UPDATE"
    # The ledger row first, locked (even when only the people's counts move: every writer then locks the ledgers
    # in one order, kpi_task_facts before kpi_person_facts, as a rebuild locks them): a rebuild runs wholly before
    # or after us.
    old_rows = await Task.raw(
        f"SELECT unit, done, deadline, done_on FROM kpi_task_facts WHERE task = {{}}{lock}", task_id
    )
    if action not in UNCOUNTED_ACTIONS:
        await _move_unit_count(task_id, _key(old_rows[0] if old_rows else None))
    await people_counts.refresh_task(task_id)


async def _move_unit_count(task_id: int, old: tuple[int, bool, str, str] | None) -> None:
    new_rows = await Task.raw(f"{fact_sql()} AND t.id = {{}}", task_id)
    new = _key(new_rows[0] if new_rows else None)
    if old == new:
        return
    # Always in the same order (by key), so two writers moving counts between the same two keys cannot deadlock.
    for key, delta in sorted([(k, d) for k, d in ((old, -1), (new, 1)) if k is not None]):
        await _add(key, delta)
    await _tree_move(old, new)
    if new is None:
        await Task.raw("DELETE FROM kpi_task_facts WHERE task = {}", task_id)
    else:
        unit, done, deadline, done_on = new
        await Task.raw(
            "INSERT INTO kpi_task_facts (task, unit, done, deadline, done_on) VALUES ({}, {}, {}, {}, {})"
            " ON CONFLICT (task) DO UPDATE SET unit = excluded.unit, done = excluded.done,"
            " deadline = excluded.deadline, done_on = excluded.done_on",
            task_id, unit, _done_param(done), _param(deadline), _param(done_on),
        )


def _tree_class(key: tuple[int, bool, str, str]) -> str:
    _unit, done, deadline, done_on = key
    return "open" if not done else "on_time" if done_on <= deadline else "late"


async def _tree_move(old: tuple[int, bool, str, str] | None, new: tuple[int, bool, str, str] | None) -> None:
    """Move the task's one count in kpi_tree_days, on its lead unit and every unit above it: the net change per
    (unit, deadline, class), applied in one order (deadline, class, then the ancestors by path) by every writer,
    so that two writers sharing the province's rows cannot deadlock."""
    deltas: dict[tuple[int, str, str], int] = {}
    for key, delta in ((old, -1), (new, 1)):
        if key is not None:
            slot = (key[0], key[2], _tree_class(key))
            deltas[slot] = deltas.get(slot, 0) + delta
    for (unit, deadline, cls), delta in sorted(deltas.items(), key=lambda item: (item[0][1], item[0][2], item[0][0])):
        if delta == 0:
            continue
        await Task.raw(
            "INSERT INTO kpi_tree_days (unit, deadline, cls, n) SELECT a.id, {}, {}, {} FROM units u"
            " JOIN units a ON u.path LIKE a.path || '%' WHERE u.id = {} ORDER BY a.path"
            " ON CONFLICT (unit, deadline, cls) DO UPDATE SET n = kpi_tree_days.n + excluded.n",
            _param(deadline), cls, delta, unit,
        )
        if delta < 0:
            await Task.raw(
                "DELETE FROM kpi_tree_days WHERE deadline = {} AND cls = {} AND n <= 0 AND unit IN"
                " (SELECT a.id FROM units u JOIN units a ON u.path LIKE a.path || '%' WHERE u.id = {})",
                _param(deadline), cls, unit,
            )


TREE_STATE = "tree_days"
TREE_CLASS_SQL = "CASE WHEN f.done AND f.done_on <= f.deadline THEN 'on_time' WHEN f.done THEN 'late' ELSE 'open' END"
# kpi_tree_days as the ledger says it should be: every fact on its lead unit and on each unit above it.
TREE_SQL = (
    "SELECT anc.ancestor AS unit, f.deadline AS deadline, " + TREE_CLASS_SQL + " AS cls, COUNT(*) AS n"
    " FROM kpi_task_facts f JOIN (SELECT u.id AS unit, a.id AS ancestor FROM units u"
    " JOIN units a ON u.path LIKE a.path || '%') anc ON anc.unit = f.unit"
    " GROUP BY anc.ancestor, f.deadline, " + TREE_CLASS_SQL
)


async def _mark(name: str = STATE_NAME, **changes: Any) -> None:
    columns = ", ".join(changes)
    placeholders = ", ".join("{}" for _ in changes)
    updates = ", ".join(f"{c} = excluded.{c}" for c in changes)
    await Task.raw(
        f"INSERT INTO kpi_aggregate_state (name, {columns}, last_differences) VALUES ({{}}, {placeholders}, 0)"
        f" ON CONFLICT (name) DO UPDATE SET {updates}",
        name, *changes.values(),
    )


async def rebuild() -> dict[str, int]:
    """Recompute the ledgers and the counts (units' and people's) from the tasks, in one transaction; returns how
    many of each."""
    async with write_transaction():
        if is_sqlite():
            for table in (*KEPT, *people_counts.KEPT):
                await Task.raw(f"DELETE FROM {table}")
        else:
            # Task writers wait (their refresh locks a ledger row) until the new counts are committed. The ledgers
            # first, in the order every writer locks them.
            tables = ", ".join((*KEPT, *people_counts.KEPT))
            await Task.raw(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
            await Task.raw(f"TRUNCATE {tables}")
        await Task.raw(f"INSERT INTO kpi_task_facts (task, unit, done, deadline, done_on) {fact_sql()}")
        await Task.raw(
            "INSERT INTO kpi_unit_days (unit, done, deadline, done_on, n)"
            " SELECT unit, done, deadline, done_on, COUNT(*) FROM kpi_task_facts GROUP BY unit, done, deadline, done_on"
        )
        await Task.raw(f"INSERT INTO kpi_tree_days (unit, deadline, cls, n) {TREE_SQL}")
        people = await people_counts.fill()
        now = clock.now()
        for name in (STATE_NAME, TREE_STATE, PEOPLE_STATE):
            await _mark(name, built_at=now, checked_at=now)
        facts = (await Task.raw("SELECT COUNT(*) AS n FROM kpi_task_facts"))[0]["n"]
        keys = (await Task.raw("SELECT COUNT(*) AS n FROM kpi_unit_days"))[0]["n"]
    return {"tasks": int(facts), "keys": int(keys), **people}


async def differences() -> int:
    """How many ledger rows disagree with the tasks, plus how many counts disagree with the ledgers (0: exact); the
    people's counts included."""
    columns = "task, unit, done, deadline, done_on"
    grouped = (
        "SELECT unit, done, deadline, done_on, COUNT(*) AS n FROM kpi_task_facts GROUP BY unit, done, deadline, done_on"
    )
    stored = "SELECT unit, done, deadline, done_on, n FROM kpi_unit_days WHERE n <> 0"
    tree_stored = "SELECT unit, deadline, cls, n FROM kpi_tree_days WHERE n <> 0"
    found = 0
    for one, other in ((fact_sql(), f"SELECT {columns} FROM kpi_task_facts"), (grouped, stored),
                       (TREE_SQL, tree_stored)):
        found += await asymmetric(one, other) + await asymmetric(other, one)
    return found + await people_counts.differences()


async def state() -> dict[str, Any] | None:
    rows = await Task.raw(
        "SELECT built_at, checked_at, last_differences FROM kpi_aggregate_state WHERE name = {}", STATE_NAME
    )
    return rows[0] if rows else None


async def tree_is_ready() -> bool:
    """kpi_tree_days was built (it came after the other counts: until a rebuild, it is not read)."""
    return await is_ready(TREE_STATE)


async def check(*, every: dt.timedelta = dt.timedelta(hours=6), force: bool = False) -> dict[str, Any]:
    """The periodic consistency job's work: rebuild when never built or when the counts and the tasks differ.

    Runs at most once per `every` (the job is queued on every schedule tick); the comparison reads every task.
    """
    row = await state()
    now = clock.now()
    if row is None or not row["built_at"] or not await tree_is_ready() or not await is_ready(PEOPLE_STATE):
        return {"rebuilt": True, "differences": None, **await rebuild()}
    checked = row["checked_at"]
    if isinstance(checked, str):
        checked = dt.datetime.fromisoformat(checked)
    if not force and checked is not None and now - clock.as_utc(checked) < every:
        return {"skipped": True}
    found = await differences()
    if found:
        # Something wrote tasks without going through tasks.services (a bulk load, a manual fix): say so, repair.
        log.warning("kpi's kept counts differed from the tasks in %s rows: rebuilding", found)
        result = {"rebuilt": True, "differences": found, **await rebuild()}
    else:
        result = {"rebuilt": False, "differences": 0}
    async with write_transaction():
        await _mark(checked_at=now)
        await Task.raw("UPDATE kpi_aggregate_state SET last_differences = {} WHERE name = {}", found, STATE_NAME)
    return result


# ---------------------------------------------------------------- reading the counts

def _scope_sql(unit_path: str | None, unit_id: int | None) -> tuple[str, list[object]]:
    if unit_id is not None:  # one unit's own tasks (the dashboard's "own" row), not its sub-units'
        return "unit = {}", [unit_id]
    return "unit IN (SELECT u.id FROM units u WHERE u.path LIKE {})", [f"{unit_path}%"]


async def unit_figures(
    start: dt.date, end: dt.date, *, today: dt.date, unit_path: str | None = None, unit_id: int | None = None
) -> dict[str, int]:
    """kpi's four buckets for a unit subtree (or one unit's own tasks) over [start, end], from the counts: the keys
    whose deadline is in the period, plus the done keys completed in it whose deadline is not (two index range
    scans of kpi_unit_days), bucketed with today as kpi buckets a task."""
    scope, scope_args = _scope_sql(unit_path, unit_id)
    s, e, day = _day(start), _day(end), _day(today)
    if unit_path is not None and await tree_is_ready():
        # The subtree's own rows of kpi_tree_days for the deadlines in the period, plus the done keys completed in it
        # whose deadline is not (kpi_unit_days, few): the province's year reads ~800 + ~10,000 rows.
        top = int(unit_path.strip("/").split("/")[-1])
        sql = (
            "SELECT bucket, SUM(n) AS n FROM ("
            " SELECT CASE WHEN cls = 'on_time' THEN 'done_on_time' WHEN cls = 'late' THEN 'done_late'"
            " WHEN deadline < {} THEN 'in_progress_overdue' ELSE 'in_progress_on_time' END AS bucket, n"
            " FROM kpi_tree_days WHERE unit = {} AND deadline >= {} AND deadline <= {}"
            " UNION ALL SELECT CASE WHEN done_on <= deadline THEN 'done_on_time' ELSE 'done_late' END AS bucket, n"
            " FROM kpi_unit_days WHERE done AND done_on >= {} AND done_on <= {} AND (deadline < {} OR deadline > {})"
            f" AND {scope}) x GROUP BY bucket"
        )
        rows = await Task.raw(sql, day, top, s, e, s, e, s, e, *scope_args)
        return {str(row["bucket"]): int(row["n"]) for row in rows}
    sql = (
        "SELECT bucket, SUM(n) AS n FROM ("
        " SELECT CASE WHEN done AND done_on <= deadline THEN 'done_on_time' WHEN done THEN 'done_late'"
        " WHEN deadline < {} THEN 'in_progress_overdue' ELSE 'in_progress_on_time' END AS bucket, n"
        f" FROM kpi_unit_days WHERE deadline >= {{}} AND deadline <= {{}} AND {scope}"
        " UNION ALL SELECT CASE WHEN done_on <= deadline THEN 'done_on_time' ELSE 'done_late' END AS bucket, n"
        " FROM kpi_unit_days WHERE done AND done_on >= {} AND done_on <= {} AND (deadline < {} OR deadline > {})"
        f" AND {scope}) x GROUP BY bucket"
    )
    rows = await Task.raw(sql, day, s, e, *scope_args, s, e, s, e, *scope_args)
    return {str(row["bucket"]): int(row["n"]) for row in rows}


async def unit_week_rows(path: str, start: dt.date, end: dt.date, today: dt.date) -> list[dict[str, Any]]:
    """The subtree's figures over [start, end] per lead unit (kind 'u') and per week (kind 'w', Monday to Sunday
    from the week of `start`), as rows (kind, k, bucket, n): the keys whose deadline is in the period, plus the done
    keys completed in it whose deadline is not (two index range scans), bucketed with today as kpi buckets a task.
    A task completed in another week than its deadline's counts in both weeks, once in the period."""
    anchor = start - dt.timedelta(days=start.weekday())
    start, end, day = (_day(d) for d in (start, end, today))
    done = "done"  # written alike on both engines, so SQLite uses the partial index on done rows
    # In each branch, not after their union: a department's rows are then read by unit (kpi_unit_days_key), not
    # the whole province's year filtered afterwards (78 -> 6 ms for a department's year on 1,000,000 tasks, PostgreSQL).
    in_subtree = "unit IN (SELECT u.id FROM units u WHERE u.path LIKE {})"
    sql = (
        "WITH p AS ("
        " SELECT unit, done, deadline, done_on, n FROM kpi_unit_days WHERE deadline >= {} AND deadline <= {}"
        f" AND {in_subtree}"
        # `done` as a constant, not the column: then the partial index on done rows answers alone (index-only).
        f" UNION ALL SELECT unit, {'1' if is_sqlite() else 'TRUE'} AS done, deadline, done_on, n FROM kpi_unit_days"
        f" WHERE {done} AND done_on >= {{}} AND done_on <= {{}} AND (deadline < {{}} OR deadline > {{}})"
        f" AND {in_subtree}),"
        " q AS (SELECT unit,"
        f" CASE WHEN {done} AND done_on <= deadline THEN 'done_on_time' WHEN {done} THEN 'done_late'"
        " WHEN deadline < {} THEN 'in_progress_overdue' ELSE 'in_progress_on_time' END AS bucket,"
        f" CASE WHEN deadline >= {{}} AND deadline <= {{}} THEN {week_index_sql('deadline', anchor)} END AS dwk,"
        f" CASE WHEN {done} AND done_on >= {{}} AND done_on <= {{}} THEN {week_index_sql('done_on', anchor)} END"
        " AS cwk, n FROM p)"
        " SELECT 'u' AS kind, unit AS k, bucket, SUM(n) AS n FROM q GROUP BY unit, bucket"
        " UNION ALL SELECT 'w' AS kind, dwk AS k, bucket, SUM(n) AS n FROM q WHERE dwk IS NOT NULL GROUP BY dwk, bucket"
        " UNION ALL SELECT 'w' AS kind, cwk AS k, bucket, SUM(n) AS n FROM q"
        " WHERE cwk IS NOT NULL AND (dwk IS NULL OR dwk <> cwk) GROUP BY cwk, bucket"
    )
    subtree = f"{path}%"
    args = [start, end, subtree, start, end, start, end, subtree, day, start, end, start, end]
    return await Task.raw(sql, *args)


