"""The receptionist's queue with a real day's backlog (issue 10), one command:

    .venv/bin/python -m bench.triage_bench                        # SQLite, 2,000 waiting reports
    .venv/bin/python -m bench.triage_bench --database postgres    # a fresh PostgreSQL database, dropped after
    .venv/bin/python -m bench.triage_bench --write                # also appends the figures to docs/benchmarks.md

A fresh database, migrated; one commune (make_jurisdiction) with 8 categories, 4 drawn areas and 6 routing
rules; 2,000 new reports (and 1,000 already handled), each with one photo row, spread over 10 days and a few
km, as a busy district's week would leave them. Then, in-process through the real app (httpx over ASGI: the
app's own time, no network), signed in as the receptionist, each page below is loaded `--runs` times after
one warm-up: the time of each (median and worst), its size as sent (bytes; and gzip-compressed), and the
number of SQL queries it ran. Target: ≤ 300 ms and ≤ 100 KB for the queue of 2,000.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gzip
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "docs" / "benchmarks.md"
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PAGES = [
    ("queue, oldest first", {}),
    ("queue, newest first", {"order": "newest"}),
    ("page 40 of 80", {"page": "40"}),
    ("one category", {"category": "CAT0"}),
    ("one drawn area", {"area": "AREA0"}),
    ("waiting over 3 days", {"age": "3"}),
    ("all states", {"state": "all"}),
]


def _prepare_environment(database: str) -> tuple[Path, str | None]:
    tmp = Path(tempfile.mkdtemp(prefix="triage-bench-"))
    os.environ.update({"DATA_DIR": str(tmp), "SECRET_KEY": "triage-bench-secret",
                       "PICCOLO_CONF": "server.piccolo_conf"})
    os.environ.pop("REDIS_URL", None)
    if database == "postgres":
        name = f"triage_bench_{os.getpid()}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        os.environ["DATABASE_URL"] = f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
        return tmp, name
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'triage.sqlite'}"
    return tmp, None


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _fill(waiting: int, handled: int) -> dict[str, Any]:
    from server.lib import clock
    from server.reports import admin
    from server.reports.services import _search_text, new_code, save_category
    from server.reports.tables import Report, ReportPhoto, RoutingRule
    from tests.factories import make_jurisdiction

    rng = random.Random(10)
    j = await make_jurisdiction()
    units = [j.dept, j.dept_sub, j.other_dept]
    categories = [await save_category(None, code=f"c{i}", name=f"Lĩnh vực {i}", target_days=5 + i,
                                      default_unit_id=units[i % 3].id) for i in range(8)]
    areas = []
    for i in range(4):
        lat, lon = 10.70 + i * 0.02, 106.60
        square = f"[[{lat},{lon}],[{lat},{lon + 0.05}],[{lat + 0.02},{lon + 0.05}],[{lat + 0.02},{lon}]]"
        areas.append(await admin.add_area(None, name=f"Ấp {i}", polygon=square))
    for i, area in enumerate(areas[:3]):
        await admin.add_rule(None, unit_id=units[i].id, category_id=categories[i]["id"], area_id=area)
    for i in range(3):
        await admin.add_rule(None, unit_id=units[(i + 1) % 3].id, category_id=categories[3 + i]["id"], area_id=None)
    now = clock.now()
    rows = []
    for n in range(waiting + handled):
        category = rng.choice(categories)
        code = new_code()
        description = f"Phản ánh số {n}: đèn đường hỏng, rác thải ùn ứ trước nhà số {rng.randint(1, 500)} " * 2
        status = "new" if n < waiting else rng.choice(["accepted", "rejected", "duplicate", "resolved"])
        rows.append(Report(
            code=code, kind="report", category=category["id"], description=description,
            latitude=round(10.70 + rng.random() * 0.1, 6), longitude=round(106.58 + rng.random() * 0.1, 6),
            address=f"Số {rng.randint(1, 500)} đường {rng.choice(['Lê Lợi', 'Trần Phú', 'Nguyễn Huệ'])}",
            status=status, source="portal", reporter_name="Người dân", reporter_phone="0900000000",
            received_at=now - dt.timedelta(minutes=rng.randint(1, 10 * 24 * 60)), updated_at=now,
            target_days=category["target_days"], search_text=_search_text(code, description),
        ))
    for start in range(0, len(rows), 500):
        await Report.insert(*rows[start:start + 500])
    ids = [r["id"] for r in await Report.select(Report.id)]
    photos = [ReportPhoto(report=i, kind="before", original_sha256="0" * 64, position=0, created_at=now) for i in ids]
    for start in range(0, len(photos), 500):
        await ReportPhoto.insert(*photos[start:start + 500])
    return {"j": j, "category": categories[0]["id"], "area": areas[0], "rules": await RoutingRule.count()}


async def _measure(runs: int, waiting: int, handled: int) -> list[dict[str, Any]]:
    import httpx

    from server.app import create_app
    from server.lib.db import close_pool, prepare_database, start_pool
    from server.migrate import migrate
    from server.reports.tables import Report
    from tests.factories import PASSWORD

    await migrate()
    await prepare_database()
    await start_pool()
    try:
        facts = await _fill(waiting, handled)
        app = create_app()
        engine = type(Report._meta.db)
        original = engine.run_querystring
        queries = [0]

        async def counting(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
            queries[0] += 1
            return await original(self, querystring, *args, **kwargs)

        engine.run_querystring = counting  # type: ignore[method-assign]
        results = []
        async with app.lifespan(), httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                                     base_url="http://bench.local") as client:
            login = await client.post("/api/v1/auth/login", json={"username": facts["j"].receptionist.username,
                                                                   "password": PASSWORD},
                                      headers={"X-Requested-With": "bench"})
            assert login.status_code == 200, login.text
            for label, params in PAGES:
                params = {k: str(facts["category"]) if v == "CAT0" else str(facts["area"]) if v == "AREA0" else v
                          for k, v in params.items()}
                await client.get("/reports/triage", params=params)  # warm-up
                times, sizes = [], []
                for _ in range(runs):
                    queries[0] = 0
                    start = time.perf_counter()
                    response = await client.get("/reports/triage", params=params)
                    times.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, response.text[:300]
                    sizes.append(len(response.content))
                results.append({"page": label, "median_ms": statistics.median(times), "max_ms": max(times),
                                "bytes": sizes[-1], "gzip": len(gzip.compress(response.content)),
                                "queries": queries[0], "items": response.text.count('class="card triage-item"')})
        engine.run_querystring = original  # type: ignore[method-assign]
        return results
    finally:
        await close_pool()


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def report(database: str, results: list[dict[str, Any]], waiting: int, handled: int, runs: int,
           load_before: str, load_after: str) -> str:
    from bench.local import cpu_model

    lines = [
        f"### Triage queue, {waiting:,} waiting + {handled:,} handled reports, {database} "
        f"({dt.date.today():%d/%m/%Y}, commit {_commit()})",
        "",
        f"`python -m bench.triage_bench --database {database}`; in-process (httpx over ASGI, the app's own time), "
        f"{runs} runs after a warm-up; {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average before {load_before}, after {load_after} (shared machine).",
        "",
        "| page | reports shown | median ms | worst ms | bytes | gzip bytes | SQL queries |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r['page']} | {r['items']} | {r['median_ms']:.0f} | {r['max_ms']:.0f} | {r['bytes']:,} | "
                     f"{r['gzip']:,} | {r['queries']} |")
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--waiting", type=int, default=2000)
    parser.add_argument("--handled", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--write", action="store_true", help="append the figures to docs/benchmarks.md")
    args = parser.parse_args()
    _tmp, pg_name = _prepare_environment(args.database)
    load_before = Path("/proc/loadavg").read_text().split(" ", 3)[:3]
    try:
        results = asyncio.run(_measure(args.runs, args.waiting, args.handled))
    finally:
        if pg_name:
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
    load_after = Path("/proc/loadavg").read_text().split(" ", 3)[:3]
    text = report(args.database, results, args.waiting, args.handled, args.runs, " ".join(load_before),
                  " ".join(load_after))
    print(text)
    if args.write:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)


if __name__ == "__main__":
    main()
