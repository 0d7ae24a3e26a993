"""The database half of a backup: copy it out and back in on each engine, and tell an empty target from a used one."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from server.backup.archive import BackupError

MIGRATION_TABLE = "migration"  # Piccolo's; the only table a freshly migrated database has rows in


def run_tool(args: list[str], what: str) -> subprocess.CompletedProcess[str]:
    if shutil.which(args[0]) is None:
        raise BackupError("backup_tool_missing", f"{args[0]} is not installed (Debian: apt-get install "
                                                 f"postgresql-client)")
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = done.stderr.strip() or done.stdout.strip()
        if "version mismatch" in message or "unsupported version" in message:
            raise BackupError("backup_pg_version", f"{what}: the PostgreSQL client tools do not match the server or "
                                                   f"the archive ({tool_version(args[0])}): install the "
                                                   f"postgresql-client of the newer version. {message}")
        raise BackupError("backup_tool_failed", f"{what} failed: {message}")
    return done


def tool_version(tool: str) -> str:
    done = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def _major(version: str) -> int:
    found = re.search(r"(\d+)(?:\.\d+)?", version)
    return int(found.group(1)) if found else 0


# ---------------------------------------------------------------- SQLite


def sqlite_backup(source: Path, target: Path) -> None:
    """The online backup API: a consistent copy even while the web process and the worker write."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=15)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def sqlite_snapshot_info(path: Path, tables: list[str]) -> dict[str, Any]:
    """Counts and migrations read from the copy itself, so they describe exactly what the archive holds."""
    with sqlite3.connect(path) as connection:
        present = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        counts = {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                  for name in tables if name in present}
        rows = connection.execute(f'SELECT app_name, name FROM "{MIGRATION_TABLE}"').fetchall() \
            if MIGRATION_TABLE in present else []
    return {"counts": counts, "migrations": _group(rows), "tools": {"sqlite": sqlite3.sqlite_version}}


def _group(rows: Any) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for app_name, name in rows:
        grouped.setdefault(app_name, []).append(name)
    return {app: sorted(ids) for app, ids in sorted(grouped.items())}


def sqlite_restore(source: Path, target: Path) -> None:
    """Copy page by page into the target file through SQLite itself, so its -wal and -shm stay coherent."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=15)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def sqlite_non_empty(path: Path) -> list[str]:
    if not path.is_file() or path.stat().st_size == 0:
        return []
    with sqlite3.connect(path) as connection:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return [name for name in names if name != MIGRATION_TABLE
                and connection.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone()]


# ---------------------------------------------------------------- PostgreSQL


def libpq_url(database_url: str) -> str:
    return "postgresql://" + database_url.split("://", 1)[1]


async def connect_pg(database_url: str) -> Any:
    import asyncpg

    try:
        return await asyncpg.connect(libpq_url(database_url))
    except (OSError, asyncpg.PostgresError) as error:
        where = database_url.rsplit("@", 1)[-1]  # never the password
        raise BackupError("backup_database_unreachable", f"cannot open the database {where}: {error}") from error


async def pg_dump(database_url: str, target: Path, tables: list[str]) -> dict[str, Any]:
    """`pg_dump -Fc` of the snapshot in which the counts and migrations are read, so the manifest describes
    exactly the dump even while the app writes."""
    import asyncio

    connection = await connect_pg(database_url)
    try:
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await connection.fetchval("SELECT pg_export_snapshot()")
            present = {row["tablename"] for row in await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
            counts = {name: await connection.fetchval(f'SELECT count(*) FROM "{name}"')
                      for name in tables if name in present}
            rows = await connection.fetch(f'SELECT app_name, name FROM "{MIGRATION_TABLE}"') \
                if MIGRATION_TABLE in present else []
            server = await connection.fetchval("SHOW server_version")
            await asyncio.to_thread(run_tool, ["pg_dump", "-Fc", "--no-owner", "--no-privileges",
                                               f"--snapshot={snapshot}", "-f", str(target),
                                               f"--dbname={libpq_url(database_url)}"], "pg_dump")
    finally:
        await connection.close()
    return {"counts": counts, "migrations": _group((r["app_name"], r["name"]) for r in rows),
            "tools": {"postgres_server": server, "pg_dump": tool_version("pg_dump")}}


def check_pg_restore_can_read(manifest: dict[str, Any]) -> None:
    made_by = str((manifest.get("tools") or {}).get("pg_dump", ""))
    if shutil.which("pg_restore") is None:
        raise BackupError("backup_tool_missing", "pg_restore is not installed (Debian: apt-get install "
                                                 "postgresql-client)")
    ours = tool_version("pg_restore")
    if made_by and _major(made_by.split(")")[-1]) > _major(ours.split(")")[-1]):
        raise BackupError("backup_pg_version", f"the archive was dumped by {made_by}; this machine has {ours}, "
                                               f"which cannot read it: install the newer postgresql-client")


def pg_restore(database_url: str, source: Path) -> None:
    # --clean --if-exists: a migrated but empty target already has the tables; one transaction: all or nothing.
    run_tool(["pg_restore", "--no-owner", "--no-privileges", "--clean", "--if-exists", "--single-transaction",
              "--exit-on-error", f"--dbname={libpq_url(database_url)}", str(source)], "pg_restore")


async def pg_non_empty(database_url: str) -> list[str]:
    connection = await connect_pg(database_url)
    try:
        names = [row["tablename"] for row in await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        return [name for name in names if name != MIGRATION_TABLE
                and await connection.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{name}")')]
    finally:
        await connection.close()


def non_empty_tables(settings: Any) -> list[str]:
    import asyncio

    if settings.is_sqlite:
        return sqlite_non_empty(settings.sqlite_path)
    return asyncio.run(pg_non_empty(settings.database_url))
