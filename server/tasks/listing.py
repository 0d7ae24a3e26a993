"""The task lists as one statement: which tasks (a page, most urgent first), and either their rows or the JSON
of the whole answer built by the database (docs/decisions/0004-list-sql.md says why this is raw SQL).

Which tasks an actor sees is `access.visibility_sql`'s rule, written here as branches that each can use its own
index (a UNION of the top of each branch, not one OR that no index serves):
- the tasks assigned to the actor: the partial covering index `task_assignees_current (person, task)`;
- the tasks led by a unit of the actor's subtree, given as the subtree's unit ids (`lead_unit = ANY($n)`), so
  that the planner sees how big the scope is: a commune's few units read `tasks_unit_urgency`, a province
  office walks `tasks_urgency` in the list's order and stops after a page;
- for a unit head, the tasks their subtree coordinates;
- when the subtree holds every unit (the province's leader), no predicate at all: the first page of
  `tasks_urgency`.

The order (open before closed, tasks without a deadline after those with one, earliest deadline first, newest
first on a tie) and every field of an item are those of `queries._summary`; tests/api/tasks/test_list_sql.py
compares the database's JSON with the rows' path on both engines.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from server.lib import clock
from server.lib.actor import Actor
from server.lib.db import engine, is_sqlite, pooled_connection
from server.lib.errors import Invalid
from server.lib.vn_text import like_pattern
from server.tasks import list_cache
from server.tasks.tables import Task, TaskState

MARKER = re.compile("\x00([0-9]+)\x00")
STATES = frozenset(state.value for state in TaskState)
KEYS = (
    "CASE WHEN t.state IN ('done', 'cancelled') THEN 1 ELSE 0 END",
    "CASE WHEN t.deadline IS NULL THEN 1 ELSE 0 END",
)
# The order of every list; `tasks_urgency` holds exactly these keys.
ORDER = f"{KEYS[0]}, {KEYS[1]}, t.deadline, t.id DESC"
PAGE_ORDER = "p.k_closed, p.k_nodl, p.deadline, p.id DESC"


class Params:
    """Placeholders for either engine: `$n` for asyncpg (PostgreSQL), `{}` for Piccolo's raw (SQLite)."""

    def __init__(self, sqlite: bool) -> None:
        self.sqlite = sqlite
        self.values: list[object] = []

    def __call__(self, value: object, cast: str = "") -> str:
        if self.sqlite:
            # A marker, made `{}` in the order the text names it (a page's SQL may appear twice): `finish`.
            self.values.append(value.isoformat() if isinstance(value, dt.date) else value)
            return f"\x00{len(self.values) - 1}\x00"
        self.values.append(value)
        return f"${len(self.values)}{cast}"

    def finish(self, sql: str) -> tuple[str, list[object]]:
        """The statement and its arguments, ready for the engine."""
        if not self.sqlite:
            return sql, self.values
        args: list[object] = []

        def named(match: re.Match[str]) -> str:
            args.append(self.values[int(match.group(1))])
            return "{}"

        return MARKER.sub(named, sql), args


async def scope_unit_ids(unit_path: str) -> tuple[list[int], bool]:
    """The ids of the units of a subtree, and whether that is every unit (then no predicate is needed).

    One row (the count of all units, the subtree's ids aggregated) rather than every unit's row to filter here:
    0.86 -> 0.18 ms on SQLite with 501 units."""
    ids_of = "group_concat(u.id)" if is_sqlite() else "array_agg(u.id)"
    rows = await Task.raw(
        f"SELECT (SELECT COUNT(*) FROM units) AS total, (SELECT {ids_of} FROM units u"
        " WHERE substr(u.path, 1, {}) = {}) AS ids",
        len(unit_path), unit_path,
    )
    found = rows[0]["ids"] if rows else None
    if isinstance(found, str):
        ids = [int(i) for i in found.split(",")]
    else:
        ids = [int(i) for i in found or []]
    return ids, len(ids) == int(rows[0]["total"])


def _array(ids: list[int]) -> str:
    """Our own integers written into the text as an array: the planner sees the subtree even in a generic plan
    (a statement's text then differs per subtree; asyncpg keeps each prepared, per connection)."""
    return "'{" + ",".join(str(int(i)) for i in ids) + "}'::int[]"


def _ids_sql(ids: list[int], p: Params) -> str:
    if p.sqlite:  # our own integers: written in, so SQLite sees the list (and there is no array type)
        return "(" + ", ".join(str(int(i)) for i in ids) + ")" if ids else "(NULL)"
    return f"ANY({_array(ids)})"


# A scope of at most this many units reads each unit's own top (an index range that stops after a page) and
# merges them; a larger one walks the list's order once (`tasks_urgency`), which finds a page soon in a large scope.
PER_UNIT = 64
SELECT = f"SELECT t.id, {KEYS[0]} AS k_closed, {KEYS[1]} AS k_nodl, t.deadline FROM tasks t"
# The same four columns from a link row that carries its task's sort keys (kept by triggers: migration
# tasks_2026_12_07t00_00_00), so that a branch is a range read of the link's own index in the list's order.
LINK_KEYS = "{a}.task AS id, {a}.list_closed AS k_closed, {a}.list_nodl AS k_nodl, {a}.list_deadline AS deadline"
LINK_ORDER = "{a}.list_closed, {a}.list_nodl, {a}.list_deadline, {a}.task DESC"
OUTER_ORDER = "x.k_closed, x.k_nodl, x.deadline, x.id DESC"


def _per_unit(ids: list[int], p: Params, top: int, one: str, distinct: bool) -> str:
    """Each unit's first `top` rows (`one` names the unit as {unit}), merged in the list's order: the first `top`
    of the merge are the subtree's first `top` (a unit's rows above one of them are above it in the merge too)."""
    keyword = "DISTINCT " if distinct else ""  # a task coordinated by two units of the subtree comes twice
    if p.sqlite:
        units = " UNION ALL ".join(f"SELECT * FROM ({one.format(unit=int(i))} LIMIT {top})" for i in ids)
        return f"SELECT {keyword}x.* FROM ({units}) x ORDER BY {OUTER_ORDER} LIMIT {top}"
    return (f"SELECT {keyword}x.* FROM unnest({_array(ids)}) s(unit) CROSS JOIN LATERAL"
            f" ({one.format(unit='s.unit')} LIMIT {top}) x ORDER BY {OUTER_ORDER} LIMIT {top}")


async def branches(actor: Actor, view: str, p: Params, where: list[str], top: int) -> list[str] | None:
    """The branches whose union is what the actor sees in this view, each a SELECT of (id, k_closed, k_nodl,
    deadline) giving its first `top` rows in the list's order (None: everything, no predicate).

    Without filters the assigned and coordinated branches read the link rows' own keys; a filter needs the
    task's columns, so then they probe the tasks (`tasks_id_urgency`) as before."""
    def by_task(condition: str) -> str:
        return f"{SELECT} WHERE {' AND '.join([condition, *where])} ORDER BY {ORDER} LIMIT {top}"

    def assigned() -> str:  # a parameter is named only when its text is used (asyncpg types every one)
        if not where:
            return (f"SELECT {LINK_KEYS.format(a='ta')} FROM task_assignees ta WHERE ta.person = {p(actor.id)}"
                    f" AND ta.removed_at IS NULL ORDER BY {LINK_ORDER.format(a='ta')} LIMIT {top}")
        return by_task(f"t.id IN (SELECT ta.task FROM task_assignees ta WHERE ta.person = {p(actor.id)}"
                       " AND ta.removed_at IS NULL)")

    if view == "mine" or not actor.manages_units:
        return [assigned()]
    ids, everything = await scope_unit_ids(actor.unit_path)
    if everything:
        return None
    small = 0 < len(ids) <= PER_UNIT
    match = "IN" if p.sqlite else "="
    if small:
        led = _per_unit(ids, p, top, " ".join([SELECT, "WHERE t.lead_unit = {unit}", *(f"AND {w}" for w in where),
                                               f"ORDER BY {ORDER}"]), distinct=False)
    else:
        led = by_task(f"t.lead_unit {match} {_ids_sql(ids, p)}")
    result = [led, assigned()]
    if actor.is_unit_head:
        if small and not where:
            result.append(_per_unit(ids, p, top, f"SELECT {LINK_KEYS.format(a='c')} FROM task_coordinating_units c"
                                    f" WHERE c.unit = {{unit}} ORDER BY {LINK_ORDER.format(a='c')}", distinct=True))
        else:
            result.append(by_task(f"t.id IN (SELECT c.task FROM task_coordinating_units c"
                                  f" WHERE c.unit {match} {_ids_sql(ids, p)})"))
    return result


def filters(
    p: Params,
    *,
    states: list[str] | None,
    q: str,
    overdue: bool,
    directive_id: int | None,
    unit_id: int | None,
    parent_id: int | None,
    today: dt.date,
) -> list[str]:
    where: list[str] = []
    if states:
        valid = [s for s in states if s in STATES]
        if not valid:
            raise Invalid("state_invalid", "Trạng thái không hợp lệ")
        where.append("t.state IN (" + ", ".join(p(s) for s in valid) + ")")
    if q.strip():
        where.append(f"t.search_text LIKE {p(like_pattern(q))}")
    if overdue:
        where.append(f"t.deadline < {p(today)} AND t.state NOT IN ('done', 'cancelled', 'draft')")
    if directive_id is not None:
        where.append(f"t.directive = {p(directive_id)}")
    if parent_id is not None:
        where.append(f"t.parent = {p(parent_id)}")
    if unit_id is not None:
        where.append("t.lead_unit IN (SELECT u.id FROM units u WHERE u.path LIKE "
                     f"(SELECT pu.path || '%' FROM units pu WHERE pu.id = {p(unit_id)}))")
    return where


def page_sql(parts: list[str] | None, where: list[str], limit: int, offset: int) -> str:
    """The page's ids and sort keys (limit + 1 rows, to know whether there is more), in the list's order: the top of
    the union of the branches' tops (or, for everything, the first rows of `tasks_urgency`)."""
    if parts is None:
        sql = SELECT + (" WHERE " + " AND ".join(where) if where else "")
        return f"{sql} ORDER BY {ORDER} LIMIT {limit + 1} OFFSET {offset}"
    union = " UNION ".join(f"SELECT * FROM ({part}) b{n}" for n, part in enumerate(parts))
    return (f"SELECT * FROM ({union}) u"
            f" ORDER BY u.k_closed, u.k_nodl, u.deadline, u.id DESC LIMIT {limit + 1} OFFSET {offset}")


async def build(actor: Actor, view: str, limit: int, offset: int, today: dt.date, sqlite: bool,
                **filter_args: Any) -> tuple[str, Params, bool]:
    """The page's SQL, its parameters, and whether it is unfiltered (then its best plan does not depend on the
    parameters' values, and PostgreSQL may keep one generic plan for it)."""
    p = Params(sqlite)
    where = filters(p, today=today, **filter_args)
    parts = await branches(actor, view, p, where, offset + limit + 1)
    return page_sql(parts, where, limit, offset), p, not where


# ---------------------------------------------------------------- the two projections

ROW_COLUMNS = (
    "t.id, t.title, t.state, t.priority, t.deadline, t.lead_unit, COALESCE(u.name, '') AS lead_unit_name,"
    " t.parent, t.directive, t.source, t.progress_percent, t.version, t.updated_at"
)


def rows_sql(page: str) -> str:
    return (f"SELECT {ROW_COLUMNS} FROM ({page}) p JOIN tasks t ON t.id = p.id"
            f" LEFT JOIN units u ON u.id = t.lead_unit ORDER BY {PAGE_ORDER}")


def _utc_text(column: str, sqlite: bool) -> str:
    """A timestamptz as msgspec writes a UTC datetime: 2026-12-06T01:02:03Z, or with .123456 when not whole."""
    if sqlite:
        # Piccolo stores str(datetime in UTC): '2026-12-06 01:02:03[.123456]+00:00'.
        return (f"CASE WHEN {column} IS NULL THEN NULL ELSE replace(substr({column}, 1, 19), ' ', 'T')"
                f" || CASE WHEN substr({column}, 20, 1) = '.' THEN substr({column}, 20, 7) ELSE '' END || 'Z' END")
    # One to_char (the fraction dropped when it is zero: '.000000' can stand nowhere else in the text).
    return f"replace(to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '') || 'Z'"


def json_sql(page: str, p: Params, limit: int, offset: int, today: dt.date) -> str:
    """The whole answer, {"items": [...], "has_more", "offset", "limit"}, as one JSON text."""
    sqlite = p.sqlite
    day, soon = p(today, "::date"), p(today + dt.timedelta(days=3), "::date")
    late_days = (f"CAST(julianday({day}) - julianday(t.deadline) AS INTEGER)" if sqlite
                 else f"({day} - t.deadline)")
    urgency = (
        "CASE WHEN t.state IN ('done', 'cancelled') THEN 'closed' WHEN t.deadline IS NULL THEN 'later'"
        f" WHEN t.deadline < {day} THEN 'overdue' WHEN t.deadline = {day} THEN 'due_today'"
        f" WHEN t.deadline <= {soon} THEN 'due_soon' ELSE 'later' END"
    )
    overdue = (f"CASE WHEN t.deadline IS NOT NULL AND t.deadline < {day}"
               f" AND t.state NOT IN ('done', 'cancelled') THEN {late_days} ELSE 0 END")
    obj, agg, arr = ("json_object", "json_group_array", "json_array()") if sqlite else \
        ("json_build_object", "json_agg", "'[]'::json")
    fields = (
        ("id", "t.id"), ("title", "t.title"), ("state", "t.state"), ("priority", "t.priority"),
        ("deadline", "t.deadline"), ("lead_unit_id", "t.lead_unit"), ("lead_unit_name", "COALESCE(u.name, '')"),
        ("parent_id", "t.parent"), ("directive_id", "t.directive"), ("source", "t.source"),
        ("progress_percent", "t.progress_percent"), ("version", "t.version"),
        ("updated_at", _utc_text("t.updated_at", sqlite)), ("urgency", urgency), ("days_overdue", overdue),
    )
    item = f"{obj}(" + ", ".join(f"'{key}', {value}" for key, value in fields) + ")"
    numbered = (f"SELECT p.*, row_number() OVER (ORDER BY {PAGE_ORDER}) AS rn FROM ({page}) p")
    if sqlite:
        # The page once (MATERIALIZED), read twice: its first `limit` rows and whether there is one more.
        # SQLite's json_group_array keeps the order its input arrives in: feed it ordered rows. `json(...)`
        # marks the text as JSON, so the outer object nests it instead of quoting it.
        rows = "FROM pg p JOIN tasks t ON t.id = p.id LEFT JOIN units u ON u.id = t.lead_unit"
        items = (f"(SELECT COALESCE({agg}(json(j)), {arr}) FROM (SELECT {item} AS j {rows}"
                 f" WHERE p.rn <= {limit} ORDER BY p.rn))")
        more = f"(SELECT COUNT(*) > {limit} FROM pg)"
        return (f"WITH pg AS MATERIALIZED ({numbered}) SELECT json_object('items', json({items}), 'has_more',"
                f" json(CASE WHEN {more} THEN 'true' ELSE 'false' END), 'offset', {offset}, 'limit', {limit}) AS body")
    # PostgreSQL: the text as UTF-8 bytes (bytea), which asyncpg hands over as they came: as text it was decoded
    # into a str and encoded again to be sent, ~4% of the app's CPU per list (perf, bench.run's load).
    # Each item a row value whose columns are named as the keys, and json_agg of those rows: ~0.1 ms of
    # the database's CPU less per page of 50 than json_build_object with 15 pairs (which types every argument on
    # every call), and compact (no spaces after ':' and ',').
    rows = f"FROM ({numbered}) p JOIN tasks t ON t.id = p.id LEFT JOIN units u ON u.id = t.lead_unit"
    columns = ", ".join(f"{value} AS {key}" for key, value in fields)
    return (
        f"SELECT convert_to(json_build_object('items', COALESCE({agg}(x.j ORDER BY x.rn) FILTER (WHERE x.rn <="
        f" {limit}), {arr}), 'has_more', COUNT(*) > {limit}, 'offset', {offset}, 'limit', {limit})::text, 'UTF8')"
        " AS body"
        f" FROM (SELECT p.rn, (SELECT r FROM (SELECT {columns}) r) AS j {rows}) x"
    )


@asynccontextmanager
async def _postgres_connection(generic: bool = False) -> AsyncIterator[Any]:
    """The connection a read should use on PostgreSQL: the transaction's when there is one, else one from the
    engine's pool, or from the pool that keeps generic plans when `generic`, in turn (server.lib.db.pooled_connection);
    a new one when no pool is started, as in a script. asyncpg prepares each statement once per connection and
    keeps it (its statement cache), so a list's statement is parsed once and, on a generic-plan connection,
    planned once."""
    db = engine()
    transaction = db.current_transaction.get()  # type: ignore[attr-defined]
    if transaction is not None:
        yield transaction.connection
        return
    async with pooled_connection(generic) as pooled:
        if pooled is not None:
            yield pooled
            return
    connection = await db.get_new_connection()  # type: ignore[attr-defined]
    try:
        yield connection
    finally:
        await connection.close()


async def fetch_value(sql: str, args: list[object], generic: bool = False) -> Any:
    """One value of one row. PostgreSQL: straight through asyncpg (which prepares and caches the statement);
    SQLite: through Piccolo's raw."""
    if is_sqlite():
        rows = await Task.raw(sql, *args)
        return next(iter(rows[0].values())) if rows else None
    async with _postgres_connection(generic) as connection:
        return await connection.fetchval(sql, *args)


async def fetch_rows(sql: str, args: list[object], generic: bool = False) -> list[dict[str, Any]]:
    if is_sqlite():
        return await Task.raw(sql, *args)
    async with _postgres_connection(generic) as connection:
        return [dict(row) for row in await connection.fetch(sql, *args)]


def _clamp(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(int(limit), 200)), max(0, int(offset))


async def list_version(person_id: int) -> int:
    """The person's list version plus everyone's (list_cache): it moves with every write that changes what their
    list of their own tasks shows."""
    return int(await fetch_value(list_cache.version_sql(), [person_id], generic=True) or 0)


async def page_json(actor: Actor, *, view: str = "mine", limit: int = 50, offset: int = 0,
                    today: dt.date | None = None, **filter_args: Any) -> bytes:
    """The list's answer as the bytes to send: built by the database in the same statement that finds the page."""
    limit, offset = _clamp(limit, offset)
    today = today or clock.today_vn()
    sqlite = is_sqlite()
    key: tuple[object, ...] | None = None
    # Only the lists of one's own tasks are kept: a scope's page depends on a subtree's many units.
    if (view == "mine" or not actor.manages_units) and list_cache.usable():
        key = (actor.id, await list_version(actor.id), today, limit, offset,
               tuple((name, tuple(v) if isinstance(v, list) else v) for name, v in sorted(filter_args.items())))
        kept = list_cache.pages.get(key)
        if kept is not None:
            return kept
    page, p, generic = await build(actor, view, limit, offset, today, sqlite, **filter_args)
    body = await fetch_value(*p.finish(json_sql(page, p, limit, offset, today)), generic=generic)
    answer = body.encode() if isinstance(body, str) else bytes(body)
    if key is not None:
        list_cache.pages.put(key, answer)
    return answer


async def page_rows(actor: Actor, *, view: str = "mine", limit: int = 50, offset: int = 0,
                    today: dt.date | None = None, **filter_args: Any) -> tuple[list[dict[str, Any]], bool]:
    """The same page as rows (for the desk, the sync batch, the search), and whether there is more."""
    limit, offset = _clamp(limit, offset)
    today = today or clock.today_vn()
    sqlite = is_sqlite()
    page, p, generic = await build(actor, view, limit, offset, today, sqlite, **filter_args)
    rows = await fetch_rows(*p.finish(rows_sql(page)), generic=generic)
    return rows[:limit], len(rows) > limit
