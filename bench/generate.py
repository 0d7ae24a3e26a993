"""Fill a database with a realistic province for benchmarks.

    .venv/bin/python -m bench.generate --database-url postgres://postgres@127.0.0.1:5432/dieuhanh_bench
    .venv/bin/python -m bench.generate --database-url sqlite:////tmp/bench.sqlite --tasks 100000

The shape follows the product brief's scale: one province (the root unit, whose office is the root itself),
30 departments with 2-3 sub-units each, 100 communes (a fifth of them wards) with 3 sub-units each;
5,000 officers plus one head per unit, 3 leaders and an admin; ~2,000 directives and meeting conclusions;
N tasks over the last three years (1,000,000 by default on PostgreSQL, 100,000 on SQLite).

Tasks are in these shares: 55% done (about 65% of them on time: the approved submission's local date is
on or before the deadline), 25% open within their deadline (assigned, in progress, submitted, returned),
15% open and overdue, 3% cancelled, 2% drafts. Each non-draft task has one main assignee (12% a second one)
in the lead unit's subtree, and about a third have 1-3 coordinating units. Task ids follow created_at.
The task history tables (events, deadlines, progress reports) are left empty. Columns the generator does
not know (the schema moves) are written as NULL when nullable, else left to their defaults.

A PostgreSQL database that does not exist yet is created (SQLite makes its file itself). The migrations
are run first; the database must then hold no units (or pass --reset to empty it).
On PostgreSQL the three task tables are loaded with COPY, with their secondary indexes and foreign keys
dropped and rebuilt in the same transaction, then VACUUM ANALYZE. Then kpi's kept counts (the units' and the
people's) are rebuilt from the rows (server.dashboard.aggregate.rebuild: the rows did not go through tasks.services).
On SQLite rows go in with executemany in one transaction.
Everybody's password is "bench-password" (one argon2 hash, reused).
bench/results/generated.json (--report) names typical officers, unit heads and leaders to log in as.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from bench.gen_load import (
    Timer,
    create_database_postgres,
    directive_rows,
    load_postgres,
    load_sqlite,
    log,
    person_rows,
    unit_rows,
)
from bench.gen_province import PASSWORD, RESULTS_DIR, Calendar, Province, UnitPlan, build_province
from bench.gen_tasks import TaskFactory, Values

# ---------------------------------------------------------------------------------------------------------
# Report.


def write_report(
    province: Province, factory: TaskFactory, url: str, args: argparse.Namespace, cal: Calendar, seconds: float
) -> Path:
    officers = province.officers
    counts = factory.officer_tasks
    ordered = sorted(range(len(officers)), key=lambda i: counts[i])
    median = counts[ordered[len(ordered) // 2]]

    def officer_entry(i: int) -> dict[str, Any]:
        person = officers[i]
        unit = province.unit(person.unit)
        return {
            "id": person.id,
            "username": person.username,
            "full_name": person.full_name,
            "unit_id": unit.id,
            "unit": unit.name,
            "unit_path": unit.path,
            "tasks": counts[i],
            "open_tasks": factory.officer_open[i],
        }

    # Typical: the officers nearest the median, five in departments and five in communes, each in another unit.
    by_distance = sorted(range(len(officers)), key=lambda i: (abs(counts[i] - median), (i * 2654435761) % 2**32))
    picked: dict[bool, list[int]] = {True: [], False: []}
    seen_tops: set[int] = set()
    for i in by_distance:
        unit = province.unit(officers[i].unit)
        side = bool(unit.commune)
        if unit.top in seen_tops or unit.kind == "province" or len(picked[side]) >= 5:
            continue
        seen_tops.add(unit.top)
        picked[side].append(i)
    in_department, in_commune = picked[False], picked[True]
    busiest = ordered[-3:][::-1]

    unit_tasks: dict[int, int] = {}
    for i, person in enumerate(officers):
        top = province.unit(person.unit).top
        unit_tasks[top] = unit_tasks.get(top, 0) + counts[i]

    def head_entry(unit: UnitPlan) -> dict[str, Any]:
        head = province.people[unit.head - 1]
        return {
            "id": head.id,
            "username": head.username,
            "full_name": head.full_name,
            "title": head.title,
            "unit_id": unit.id,
            "unit": unit.name,
            "unit_path": unit.path,
            "subtree_assignments": unit_tasks.get(unit.id, 0),
        }

    departments = sorted((u for u in province.units if u.kind == "department"), key=lambda u: unit_tasks.get(u.id, 0))
    communes = sorted((u for u in province.units if u.kind == "commune"), key=lambda u: unit_tasks.get(u.id, 0))
    parsed = urlparse(url)
    if parsed.password:
        parsed = parsed._replace(netloc=parsed.netloc.replace(f":{parsed.password}@", ":***@"))
    report = {
        "database_url": urlunparse(parsed),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "today_vn": cal.today.isoformat(),
        "seed": args.seed,
        "seconds": seconds,
        "password": PASSWORD,
        "tasks": factory.total,
        "states": dict(sorted(factory.state_counts.items())),
        "done_on_time": factory.done_on_time,
        "assignments_per_officer": {"median": median, "min": counts[ordered[0]], "max": counts[ordered[-1]]},
        "typical_officers": [officer_entry(i) for i in in_department + in_commune],
        "busiest_officers": [officer_entry(i) for i in busiest],
        "unit_heads": [head_entry(u) for u in (departments[len(departments) // 2], departments[-1])]
        + [head_entry(u) for u in (communes[len(communes) // 2], communes[-1])],
        "leaders": [
            {"id": p.id, "username": p.username, "full_name": p.full_name, "title": p.title} for p in province.leaders
        ],
        "admin": {"id": province.admin.id, "username": province.admin.username},
        "root_unit": {"id": 1, "path": "/1/", "name": province.units[0].name},
    }
    path = Path(args.report)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://user@host:port/db or sqlite:///path")
    parser.add_argument("--tasks", type=int, default=None, help="default 1,000,000 (PostgreSQL), 100,000 (SQLite)")
    parser.add_argument("--officers", type=int, default=5000)
    parser.add_argument("--directives", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--chunk", type=int, default=50_000, help="tasks per batch written")
    parser.add_argument("--reset", action="store_true", help="empty a database that already holds data")
    parser.add_argument(
        "--report", default=str(RESULTS_DIR / "generated.json"), help="where to write who to log in as (JSON)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    url = args.database_url
    is_postgres = url.startswith(("postgres://", "postgresql://"))
    if not is_postgres and not url.startswith("sqlite:///"):
        raise SystemExit("--database-url must start with postgres://, postgresql:// or sqlite:///")
    if args.tasks is None:
        args.tasks = 1_000_000 if is_postgres else 100_000

    # The server's modules read these when first imported.
    os.environ["DATABASE_URL"] = url
    os.environ["PICCOLO_CONF"] = "server.piccolo_conf"
    os.environ.setdefault("SECRET_KEY", "bench-generator-not-a-secret")
    from server.auth.passwords import hash_password
    from server.lib import clock
    from server.lib.db import prepare_database
    from server.lib.vn_text import fold
    from server.migrate import migrate
    from server.settings import reset_settings

    reset_settings()
    timer = Timer()
    log(f"generating {args.tasks:,} tasks into {'PostgreSQL' if is_postgres else 'SQLite'}")
    if is_postgres and asyncio.run(create_database_postgres(url)):
        log(f"created the database {urlparse(url).path.lstrip('/')}")

    async def run_migrations() -> None:
        await migrate()
        await prepare_database()

    asyncio.run(run_migrations())
    timer.mark("migrations")

    now = clock.now()
    cal = Calendar(clock.today_vn(), int(now.timestamp()))
    rng = random.Random(args.seed)
    built: dict[str, Any] = {}

    def build(values: Values) -> tuple:
        password_hash = hash_password(PASSWORD)
        province = build_province(rng, cal, fold, args.officers, args.directives)
        small = [
            ("units", unit_rows(province, fold, values)),
            ("people", person_rows(province, fold, values, password_hash, rng, cal)),
            ("directives", directive_rows(province, fold, values)),
        ]
        factory = TaskFactory(province, cal, random.Random(args.seed + 1), values, fold, args.tasks)
        built.update(province=province, factory=factory)
        return province, factory, small, timer

    if is_postgres:
        counts = asyncio.run(load_postgres(url, args, build))
    else:
        counts = load_sqlite(url.removeprefix("sqlite:///"), args, build)

    async def rebuild_unit_counts() -> dict[str, int]:
        # The rows went in around tasks.services, so the dashboard's kept counts are rebuilt from them.
        from server.dashboard import aggregate
        from server.lib.db import close_pool, engine, start_pool

        await start_pool()
        try:
            result = await aggregate.rebuild()
            if is_postgres:
                await engine().run_ddl("VACUUM (ANALYZE) kpi_task_facts, kpi_unit_days, kpi_tree_days,"
                                       " kpi_person_facts, kpi_person_days")
            return result
        finally:
            await close_pool()

    rebuilt = asyncio.run(rebuild_unit_counts())
    timer.mark("dashboard counts rebuilt")
    log(f"  dashboard counts: {rebuilt['keys']:,} keys for {rebuilt['tasks']:,} tasks;"
        f" people's: {rebuilt['person_keys']:,} keys for {rebuilt['assignments']:,} assignments")
    seconds = timer.total
    factory: TaskFactory = built["factory"]
    report = write_report(built["province"], factory, url, args, cal, seconds)

    done = factory.state_counts.get("done", 0)
    print(f"generated in {seconds:.1f}s ({'PostgreSQL' if is_postgres else 'SQLite'})")
    for table, count in counts.items():
        print(f"  {table:<24} {count:>10,}")
    print("  states: " + ", ".join(f"{k} {v:,}" for k, v in sorted(factory.state_counts.items())))
    if done:
        print(f"  done on time: {factory.done_on_time / done:.1%} of done")
    print(f"  phases: {json.dumps(timer.phases)}")
    print(f"  login: see {report} (password {PASSWORD!r})")


if __name__ == "__main__":
    main()
