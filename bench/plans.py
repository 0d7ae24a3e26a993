"""The task lists' plans on the generated province: EXPLAIN (ANALYZE, BUFFERS) of the exact statement the API runs.

    .venv/bin/python -m bench.plans --database-url postgres://postgres@127.0.0.1:5432/dieuhanh_bench \
        [--write bench/results_plans.md]

For each list (an officer's `view=mine`, the busiest officer's, the province's leader's `view=scope`, a
province office head's, a department head's, the smallest commune sub-unit head's) it builds the statement with
server.tasks.listing (the one `GET /api/v1/tasks?limit=50` sends, JSON included), runs it once to warm, then
EXPLAIN (ANALYZE, BUFFERS) with the app's session settings (plan_cache_mode=force_custom_plan, jit=off), and
prints one line per list: execution time, shared buffers hit/read, the scans used (index-only or not, heap
fetches). `--full` prints the whole plans. docs/decisions/0004-list-sql.md reads these figures.
PostgreSQL only (SQLite's EXPLAIN QUERY PLAN is printed instead, without times).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dieuhanh_bench"


async def _people() -> list[tuple[str, int]]:
    """(label, person id) of the lists to explain, chosen from the generated data."""
    from server.tasks.tables import Task

    chosen: list[tuple[str, int]] = []
    officers = await Task.raw(
        "SELECT ta.person, COUNT(*) AS n FROM task_assignees ta JOIN people p ON p.id = ta.person"
        " WHERE ta.removed_at IS NULL AND p.role = 'officer' GROUP BY ta.person ORDER BY n, ta.person"
    )
    if officers:
        typical = officers[len(officers) // 2]
        chosen.append((f"officer, mine ({typical['n']} tasks)", typical["person"]))
        busiest = officers[-1]
        chosen.append((f"busiest officer, mine ({busiest['n']} tasks)", busiest["person"]))
    leader = await Task.raw(
        "SELECT p.id FROM people p JOIN units u ON u.id = p.unit WHERE p.role = 'leader' AND u.parent IS NULL"
        " ORDER BY p.id LIMIT 1"
    )
    if leader:
        chosen.append(("province leader, scope", leader[0]["id"]))
    heads = await Task.raw(
        "SELECT p.id, u.path, (SELECT COUNT(*) FROM tasks t JOIN units lu ON lu.id = t.lead_unit"
        " WHERE lu.path LIKE u.path || '%') AS n FROM people p JOIN units u ON u.id = p.unit"
        " WHERE p.role = 'unit_head' ORDER BY n DESC, p.id"
    )
    if heads:
        depth = {row["id"]: row["path"].count("/") - 1 for row in heads}
        chosen.append((f"largest unit head, scope ({heads[0]['n']:,} tasks led)", heads[0]["id"]))
        middle = [row for row in heads if depth[row["id"]] == 2]
        if middle:
            row = middle[len(middle) // 2]
            chosen.append((f"department head, scope ({row['n']:,} tasks led)", row["id"]))
        deep = [row for row in heads if depth[row["id"]] >= 3 and row["n"]]
        if deep:
            row = deep[-1]
            chosen.append((f"smallest sub-unit head, scope ({row['n']:,} tasks led)", row["id"]))
    return chosen


def _summary(plan: dict[str, Any]) -> dict[str, Any]:
    scans: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        kind = node["Node Type"]
        if "Scan" in kind:
            name = node.get("Index Name") or node.get("Relation Name") or ""
            label = f"{kind} {name}".strip()
            if kind == "Index Only Scan":
                label += f" (heap fetches {node.get('Heap Fetches', 0)})"
            if label not in scans:
                scans.append(label)
        for child in node.get("Plans", []):
            walk(child)

    walk(plan["Plan"])
    return {
        "ms": plan["Execution Time"],
        "planning_ms": plan["Planning Time"],
        "hit": plan["Plan"].get("Shared Hit Blocks", 0),
        "read": plan["Plan"].get("Shared Read Blocks", 0),
        "scans": scans,
    }


async def main(args: argparse.Namespace) -> int:
    from server.lib import clock
    from server.lib.db import close_pool, is_sqlite, start_pool
    from server.people.services import get_actor
    from server.tasks import listing
    from server.tasks.tables import Task

    await start_pool()
    lines: list[str] = []
    try:
        count = (await Task.raw("SELECT COUNT(*) AS n FROM tasks"))[0]["n"]
        today = clock.today_vn()
        head = (f"{count:,} tasks; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; commit {args.commit};"
                f" load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(head)
        lines += [f"Measured on {head}.", "",
                  "| list | execution ms | planning ms | shared hit | shared read | scans |",
                  "| --- | ---: | ---: | ---: | ---: | --- |"]
        for label, person in await _people():
            actor = await get_actor(person)
            assert actor is not None
            view = "mine" if "mine" in label else "scope"
            sqlite = is_sqlite()
            page, p, _ = await listing.build(actor, view, 50, 0, today, sqlite, states=None, q="", overdue=False,
                                          directive_id=None, unit_id=None, parent_id=None)
            sql, values = p.finish(listing.json_sql(page, p, 50, 0, today))
            await listing.fetch_value(sql, values)  # warm
            if sqlite:
                rows = await Task.raw(f"EXPLAIN QUERY PLAN {sql}", *values)
                print(f"\n{label}\n" + "\n".join(f"  {r['detail']}" for r in rows))
                continue
            raw = await listing.fetch_value(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", values)
            plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]
            s = _summary(plan)
            print(f"\n{label}: {s['ms']:.2f} ms (planning {s['planning_ms']:.2f} ms), shared hit {s['hit']},"
                  f" read {s['read']}\n  " + "\n  ".join(s["scans"]))
            lines.append(f"| {label} | {s['ms']:.2f} | {s['planning_ms']:.2f} | {s['hit']:,} | {s['read']:,} |"
                         f" {'; '.join(s['scans'])} |")
            if args.full:
                text = await listing.fetch_rows(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", values)
                print("\n".join(re.sub(r"\s+$", "", next(iter(r.values()))) for r in text))
    finally:
        await close_pool()
    args.lines = lines
    return 0


def cli() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--full", action="store_true", help="print the whole plans too")
    parser.add_argument("--write", default="", help="a Markdown file for the table")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DATA_DIR", str(Path(tempfile.mkdtemp(prefix="dieuhanh-plans-"))))
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["PICCOLO_CONF"] = "server.piccolo_conf"
    os.environ.pop("REDIS_URL", None)
    args.commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    status = asyncio.run(main(args))
    if args.write and len(args.lines) > 4:
        Path(args.write).write_text("# The task lists' plans (bench/plans.py)\n\n" + "\n".join(args.lines) + "\n")
        print(f"\nwritten to {args.write}")
    return status


if __name__ == "__main__":
    sys.exit(cli())
