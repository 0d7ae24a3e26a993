"""Writing the generated province: the rows of the small tables, and each backend's loader (COPY on
PostgreSQL with the bulk tables' indexes rebuilt, executemany on SQLite).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlparse, urlunparse

from bench.gen_province import Calendar, Province
from bench.gen_tasks import TaskFactory, Values

TASK_COLUMNS = [
    "id", "title", "description", "source", "source_ref", "directive", "parent", "lead_unit", "state",
    "priority", "deadline", "deadline_working_days", "assigned_at", "created_by", "created_at", "updated_at",
    "submitted_at", "completed_at", "approved_at", "approved_by", "cancelled_reason", "progress_percent",
    "version", "search_text",
]  # fmt: skip
ASSIGNEE_COLUMNS = ["id", "task", "person", "is_main", "assigned_at"]
COORDINATING_COLUMNS = ["id", "task", "unit"]
UNIT_COLUMNS = ["id", "name", "code", "kind", "parent", "path", "active", "search_text"]
PERSON_COLUMNS = [
    "id", "username", "full_name", "title", "email", "phone", "role", "unit", "password_hash", "active",
    "is_demo", "locale", "search_text", "created_at",
]  # fmt: skip
DIRECTIVE_COLUMNS = [
    "id", "number", "issued_on", "signer", "issuing_body", "kind", "title", "summary", "unit", "created_by",
    "created_at", "search_text",
]  # fmt: skip
BULK_TABLES = ["tasks", "task_assignees", "task_coordinating_units"]
TABLE_COLUMNS = {
    "units": UNIT_COLUMNS,
    "people": PERSON_COLUMNS,
    "directives": DIRECTIVE_COLUMNS,
    "tasks": TASK_COLUMNS,
    "task_assignees": ASSIGNEE_COLUMNS,
    "task_coordinating_units": COORDINATING_COLUMNS,
}
# Tables the generator leaves alone when it empties a database with --reset.
KEPT_TABLES = {"migration", "calendar_days"}


# ---------------------------------------------------------------------------------------------------------
# Rows of the small tables.


def unit_rows(province: Province, fold: Callable[[str], str], values: Values) -> list[tuple]:
    return [
        (u.id, u.name, u.code, u.kind, u.parent, u.path, values.true, fold(f"{u.name} {u.code}"))
        for u in province.units
    ]


def person_rows(
    province: Province,
    fold: Callable[[str], str],
    values: Values,
    password_hash: str,
    rng: random.Random,
    cal: Calendar,
) -> list[tuple]:
    rows = []
    first = cal.midnight[cal.i_start]
    for person in province.people:
        created_s = first - rng.randint(0, 200) * 86400 + rng.randint(0, 86400)
        rows.append(
            (
                person.id,
                person.username,
                person.full_name,
                person.title,
                f"{person.username}@binhdinh.gov.vn",
                f"09{rng.randrange(10**8):08d}",
                person.role,
                person.unit,
                password_hash,
                values.true,
                values.false,
                "vi",
                fold(f"{person.full_name} {person.username}"),
                values.moment(created_s),
            )
        )
    return rows


def directive_rows(province: Province, fold: Callable[[str], str], values: Values) -> list[tuple]:
    return [
        (
            d.id,
            d.number,
            values.day(date.fromordinal(d.issued_ord)),
            d.signer,
            d.issuing_body,
            d.kind,
            d.title,
            d.summary,
            d.unit,
            d.created_by,
            values.moment(d.created_s),
            fold(f"{d.number} {d.title}"),
        )
        for d in province.directives
    ]


# ---------------------------------------------------------------------------------------------------------
# Backends.


class Layout:
    """The columns written to each table: the generator's own, plus any nullable column it does not know.

    The schema moves while the app is built. A nullable column the generator does not know is written as NULL
    (Piccolo gives nullable timestamps a CURRENT_TIMESTAMP default, which would be wrong for old rows);
    a NOT NULL one is left to its database default. A column the generator writes but the table lacks is an error.
    """

    def __init__(self, actual: dict[str, list[tuple[str, bool]]]) -> None:
        self.columns: dict[str, list[str]] = {}
        self.pads: dict[str, tuple] = {}
        for table, mine in TABLE_COLUMNS.items():
            found = actual.get(table, [])
            names = {name for name, _ in found}
            missing = [c for c in mine if c not in names]
            if missing:
                raise SystemExit(f"table {table} lacks {missing}: bench/generate.py is behind the schema")
            extra = [name for name, nullable in found if name not in mine and nullable]
            defaulted = [name for name, nullable in found if name not in mine and not nullable]
            self.columns[table] = mine + extra
            self.pads[table] = (None,) * len(extra)
            if extra:
                log(f"  note: {table}.({', '.join(extra)}) unknown to the generator, written as NULL")
            if defaulted:
                log(f"  note: {table}.({', '.join(defaulted)}) unknown to the generator, left to their defaults")

    def rows(self, table: str, rows: list[tuple]) -> list[tuple]:
        pad = self.pads[table]
        return [row + pad for row in rows] if pad else rows


def _moment_pg(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _moment_sqlite(seconds: int) -> str:
    # The form Piccolo's SQLite adapter writes: str() of an aware UTC datetime.
    return str(datetime.fromtimestamp(seconds, UTC))


PG_VALUES = Values(moment=_moment_pg, day=lambda d: d, true=True, false=False)
SQLITE_VALUES = Values(moment=_moment_sqlite, day=lambda d: d.isoformat(), true=1, false=0)


class Timer:
    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.last = self.start
        self.phases: dict[str, float] = {}

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = round(now - self.last, 2)
        self.last = now
        log(f"  {name}: {self.phases[name]:.1f}s")

    @property
    def total(self) -> float:
        return round(time.perf_counter() - self.start, 2)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def produce_chunks(factory: TaskFactory, size: int):
    """Chunks of rows; the next one is generated in a thread while the caller writes the current one."""
    loop = asyncio.get_running_loop()
    pending = loop.run_in_executor(None, factory.chunk, size)
    while True:
        chunk = await pending
        if chunk is None:
            return
        pending = loop.run_in_executor(None, factory.chunk, size)
        yield chunk


async def create_database_postgres(url: str) -> bool:
    """Create the database that `url` names when the server does not have it; True when it was created.

    Asked through the server's own `postgres` database, as createdb does; the name is quoted as an identifier."""
    import asyncpg

    try:
        conn = await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError:
        pass
    else:
        await conn.close()
        return False
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = await asyncpg.connect(urlunparse(parts._replace(path="/postgres")))
    try:
        quoted = '"' + name.replace('"', '""') + '"'
        try:
            await admin.execute(f"CREATE DATABASE {quoted}")
        except asyncpg.DuplicateDatabaseError:  # another run made it in the meantime
            return False
    finally:
        await admin.close()
    return True


async def load_postgres(url: str, args: argparse.Namespace, build: Callable[[Values], tuple]) -> dict[str, int]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await prepare_target_postgres(conn, args.reset)
        actual: dict[str, list[tuple[str, bool]]] = {}
        for r in await conn.fetch(
            "SELECT table_name, column_name, is_nullable FROM information_schema.columns"
            " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        ):
            actual.setdefault(r["table_name"], []).append((r["column_name"], r["is_nullable"] == "YES"))
        layout = Layout(actual)

        async def copy(table: str, rows: list[tuple]) -> None:
            await conn.copy_records_to_table(table, records=layout.rows(table, rows), columns=layout.columns[table])

        _, factory, small, timer = build(PG_VALUES)
        async with conn.transaction():
            await conn.execute("SET LOCAL synchronous_commit = off")
            await conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for table, rows in small:
                await copy(table, rows)
            timer.mark("units, people, directives")
            restore = await drop_bulk_indexes_postgres(conn)
            # A new database has no kept list page (server/tasks/list_cache.py), so every person's list version
            # may stay 0: the trigger that moves them would otherwise run once per link row, 1.1 million times.
            versions = [r["tgname"] for r in await conn.fetch(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'task_assignees'::regclass"
                " AND tgname = 'task_assignees_list_version'")]
            for trigger in versions:
                await conn.execute(f"ALTER TABLE task_assignees DISABLE TRIGGER {trigger}")
            done = 0
            async for tasks, assignees, coordinating in produce_chunks(factory, args.chunk):
                await copy("tasks", tasks)
                await copy("task_assignees", assignees)
                await copy("task_coordinating_units", coordinating)
                done += len(tasks)
                log(f"    {done:,} tasks")
            timer.mark("tasks (COPY)")
            for trigger in versions:
                await conn.execute(f"ALTER TABLE task_assignees ENABLE TRIGGER {trigger}")
            for statement in restore:
                await conn.execute(statement)
            timer.mark("indexes and foreign keys rebuilt")
            for table in ["units", "people", "directives", *BULK_TABLES]:
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
        timer.mark("commit")
        await conn.execute(f"VACUUM (ANALYZE) {', '.join(['units', 'people', 'directives', *BULK_TABLES])}")
        await conn.execute("ANALYZE")
        timer.mark("vacuum analyze")
        counts = {}
        for table in ["units", "people", "directives", *BULK_TABLES]:
            counts[table] = await conn.fetchval(f"SELECT count(*) FROM {table}")
        return counts
    finally:
        await conn.close()


async def prepare_target_postgres(conn: Any, reset: bool) -> None:
    if await conn.fetchval("SELECT count(*) FROM units") == 0:
        return
    if not reset:
        raise SystemExit("the database already holds units: pass --reset to empty it first")
    tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    names = [r["tablename"] for r in tables if r["tablename"] not in KEPT_TABLES]
    await conn.execute(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
    log(f"  emptied {len(names)} tables")


async def drop_bulk_indexes_postgres(conn: Any) -> list[str]:
    """Drop the task tables' secondary indexes and foreign keys; return the statements that restore them."""
    indexes = await conn.fetch(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = any($1::text[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        ORDER BY i.indexname
        """,
        BULK_TABLES,
    )
    foreign_keys = await conn.fetch(
        """
        SELECT c.conrelid::regclass::text AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.conrelid::regclass::text = any($1::text[])
        ORDER BY c.conname
        """,
        BULK_TABLES,
    )
    for fk in foreign_keys:
        await conn.execute(f'ALTER TABLE {fk["tbl"]} DROP CONSTRAINT "{fk["conname"]}"')
    for index in indexes:
        await conn.execute(f'DROP INDEX "{index["indexname"]}"')
    return [r["indexdef"] for r in indexes] + [
        f'ALTER TABLE {fk["tbl"]} ADD CONSTRAINT "{fk["conname"]}" {fk["def"]}' for fk in foreign_keys
    ]


def load_sqlite(path: str, args: argparse.Namespace, build: Callable[[Values], tuple]) -> dict[str, int]:
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")
        if conn.execute("SELECT count(*) FROM units").fetchone()[0]:
            if not args.reset:
                raise SystemExit("the database already holds units: pass --reset to empty it first")
            conn.execute("BEGIN")
            names = [
                r[0]
                for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")
                if r[0] not in KEPT_TABLES
            ]
            for name in names:
                conn.execute(f'DELETE FROM "{name}"')
            conn.execute("COMMIT")
            log(f"  emptied {len(names)} tables")
        actual: dict[str, list[tuple[str, bool]]] = {}
        for table in TABLE_COLUMNS:
            info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
            actual[table] = [(name, not notnull and not pk) for _, name, _, notnull, _, pk in info]
        layout = Layout(actual)

        def insert(table: str, rows: list[tuple]) -> None:
            columns = layout.columns[table]
            sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
            conn.executemany(sql, layout.rows(table, rows))

        _, factory, small, timer = build(SQLITE_VALUES)
        conn.execute("BEGIN")
        for table, rows in small:
            insert(table, rows)
        timer.mark("units, people, directives")
        placeholders = ",".join("?" * len(BULK_TABLES))
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master"
            f" WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({placeholders})",
            BULK_TABLES,
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        done = 0
        while (chunk := factory.chunk(args.chunk)) is not None:
            tasks, assignees, coordinating = chunk
            insert("tasks", tasks)
            insert("task_assignees", assignees)
            insert("task_coordinating_units", coordinating)
            done += len(tasks)
            log(f"    {done:,} tasks")
        timer.mark("tasks (executemany)")
        for _, sql in indexes:
            conn.execute(sql)
        conn.execute("COMMIT")
        timer.mark("indexes rebuilt, commit")
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ["units", "people", "directives", *BULK_TABLES]
        }
    finally:
        conn.close()
