"""A commune joins the province's server: a SQLite archive restored into PostgreSQL, table by table.

The target is first migrated forwards with this version's migrations, so its schema is PostgreSQL's own (indexes,
triggers, types); then every table the code knows is copied in foreign-key order with its ids, in one transaction,
and each id sequence is moved past the largest id copied. The rows are read through Piccolo's SQLite converters
(its declared types: TIMESTAMPTZ, BOOLEAN, DATE, ...) so PostgreSQL receives real dates, times and booleans, and
the audit log's HMACs, computed over those values, still verify. A column the archive's older schema lacks takes
its default; one the code no longer has is left behind.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from server.backup.archive import BackupError
from server.backup.database import MIGRATION_TABLE, connect_pg

BATCH = 5000
# Tables the database's own triggers fill as the tasks are copied in (migration tasks_2026_12_07t05_00_00): the
# code declares no Piccolo table for them, so they are not copied, and their rows on the province's server are its
# own (each person's list version starts again from the copy; no process keeps a page across the move).
KEPT_BY_TRIGGERS = ("task_list_versions",)


def _ordered_tables() -> list[str]:
    from piccolo.conf.apps import Finder
    from piccolo.table import sort_table_classes

    return [table._meta.tablename for table in sort_table_classes(Finder().get_table_classes())]


def _source_columns(source: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in source.execute(f'PRAGMA table_info("{table}")')]


async def sqlite_to_postgres(source_file: Path, database_url: str, *, force: bool = False) -> dict[str, int]:
    import asyncpg

    import server.piccolo_conf  # noqa: F401 - the engine and, with piccolo.engine.sqlite, the SQLite converters
    from server.migrate import migrate

    await migrate()
    tables = _ordered_tables()
    # PARSE_DECLTYPES with the converters Piccolo registers: the same Python values the app reads on SQLite.
    source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True, detect_types=sqlite3.PARSE_DECLTYPES)
    target = await connect_pg(database_url)
    copied: dict[str, int] = {}
    try:
        present = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        async with target.transaction():
            if force:
                names = ", ".join(f'"{t}"' for t in tables if t != MIGRATION_TABLE)
                await target.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            for table in tables:
                if table == MIGRATION_TABLE or table not in present:
                    continue
                copied[table] = await _copy_table(source, target, table)
    except (asyncpg.PostgresError, sqlite3.Error, ValueError, TypeError) as error:
        raise BackupError("backup_move_failed", f"copying into PostgreSQL failed at table "
                                                f"{table if 'table' in locals() else '?'}: {error}") from error
    finally:
        source.close()
        await target.close()
    return copied


async def _copy_table(source: sqlite3.Connection, target: Any, table: str) -> int:
    wanted = {row["column_name"]: row for row in await target.fetch(
        "SELECT column_name, is_generated, column_default FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = $1", table)}
    columns = [c for c in _source_columns(source, table) if c in wanted and wanted[c]["is_generated"] != "ALWAYS"]
    if not columns:
        return 0
    quoted = ", ".join(f'"{c}"' for c in columns)
    cursor = source.execute(f'SELECT {quoted} FROM "{table}" ORDER BY rowid')
    count = 0
    while batch := cursor.fetchmany(BATCH):
        await target.copy_records_to_table(table, records=batch, columns=columns)
        count += len(batch)
    sequence = await target.fetchval("SELECT pg_get_serial_sequence($1, 'id')", table) if "id" in columns else None
    if sequence:  # the next row made on the province's server takes the next free id
        await target.execute(f'SELECT setval($1, COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{table}"', sequence)
    return count
