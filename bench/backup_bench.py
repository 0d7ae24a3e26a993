"""How long a backup and a restore take on the generated province and commune, as an operator runs them.

    .venv/bin/python -m bench.backup_bench --database-url postgres://postgres@127.0.0.1:5432/dieuhanh_bench [--write]
    .venv/bin/python -m bench.backup_bench --database-url sqlite:////tmp/dieuhanh_bench.sqlite [--write]

Each step is the command of docs/operations.md (`python -m server backup PATH`, then `python -m server restore
PATH` into an empty database made for it), timed from outside, with the peak memory of the process. The
restored database is counted table by table against the original before the figures are believed. With
--write the engine's row of the table between the `bench:backup` markers in docs/benchmarks.md is replaced.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:backup:begin -->", "<!-- bench:backup:end -->"
HEADER = (
    "## Backup and restore\n\n"
    "`python -m bench.backup_bench --database-url URL --write`: `python -m server backup` of the generated\n"
    "database, then `python -m server restore` into an empty one, each timed from outside (wall clock, and the\n"
    "peak memory of the command). The restored tables are counted against the original's before a row is kept.\n"
    "No photos are stored in the generated databases: a commune's photos add their bytes, copied as files.\n\n"
    "| engine | tasks | rows | archive MB | backup s | restore s | peak MB (backup / restore) "
    "| load average before | commit | measured |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |\n"
)


def run_timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and the peak resident MB of one command (its own children's figure)."""
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, args)
    return seconds, usage.ru_maxrss / 1024


async def pg_counts(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        tables = [r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")]
        return {t: await conn.fetchval(f'SELECT count(*) FROM "{t}"') for t in sorted(tables)}
    finally:
        await conn.close()


def sqlite_counts(path: str) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        names = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        tables = [r[0] for r in names]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in sorted(tables)}


def counts(url: str) -> dict[str, int]:
    import asyncio

    if url.startswith("sqlite"):
        return sqlite_counts(url.removeprefix("sqlite:///"))
    return asyncio.run(pg_counts(url))


def empty_target(url: str, workdir: Path) -> str:
    """An empty database beside the original: a new PostgreSQL database, or a new SQLite file."""
    if url.startswith("sqlite"):
        return f"sqlite:///{workdir / 'restored.sqlite'}"
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_restored"
    admin = urlunsplit(parts._replace(path="/postgres"))
    import asyncio

    async def recreate() -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(recreate())
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_target(url: str) -> None:
    if url.startswith("sqlite"):
        return
    import asyncio

    parts = urlsplit(url)

    async def drop() -> None:
        conn = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}"')
        finally:
            await conn.close()

    asyncio.run(drop())


def commit() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    return out.stdout.strip() or "unknown"


def write_row(engine: str, row: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    if BEGIN not in text:
        text = text.rstrip("\n") + f"\n\n{BEGIN}\n{HEADER}{END}\n"
    head, rest = text.split(BEGIN, 1)
    body, tail = rest.split(END, 1)
    rows = [line for line in body.splitlines() if line.startswith(f"| {engine} |")]
    lines = body.splitlines()
    others = [line for line in lines if line.startswith("| ") and not line.startswith(("| engine", "| ---"))]
    kept = [line for line in others if line not in rows] + [row]
    DOCS.write_text(f"{head}{BEGIN}\n{HEADER}" + "\n".join(sorted(kept)) + f"\n{END}{tail}", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--write", action="store_true", help="replace this engine's row in docs/benchmarks.md")
    args = parser.parse_args()
    url: str = args.database_url
    engine = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    original = counts(url)

    with tempfile.TemporaryDirectory(prefix="dieuhanh-backup-bench-") as tmp:
        work = Path(tmp)
        archive = work / "backup.tar"
        target = empty_target(url, work)
        python = sys.executable
        base = {**os.environ, "PYTHONPATH": str(DOCS.parent.parent)}
        try:
            backup_s, backup_mb = run_timed(
                [python, "-m", "server", "backup", str(archive)],
                {**base, "DATABASE_URL": url, "DATA_DIR": str(work / "data-original")},
            )
            restore_s, restore_mb = run_timed(
                [python, "-m", "server", "restore", str(archive)],
                {**base, "DATABASE_URL": target, "DATA_DIR": str(work / "data-restored")},
            )
            restored = counts(target)
            size_mb = archive.stat().st_size / 1e6
        finally:
            drop_target(target)

    # A restore runs the migrations that are newer than the archive: their own table may grow, nothing else.
    differ = {t: (n, restored.get(t)) for t, n in original.items() if restored.get(t) != n and t != "migration"}
    if differ:
        print(f"restored counts differ: {differ}", file=sys.stderr)
        return 1
    tasks = original.get("tasks", 0)
    rows = sum(original.values())
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    row = (
        f"| {engine} | {tasks:,} | {rows:,} | {size_mb:,.0f} | {backup_s:.1f} | {restore_s:.1f} | "
        f"{backup_mb:.0f} / {restore_mb:.0f} | {load} | {commit()} | {when} |"
    )
    print(row)
    if args.write:
        write_row(engine, row)
        print(f"written to {DOCS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
