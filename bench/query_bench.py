"""The leader's figures and everyone's lists, one request at a time, on the generated province (issue 11's targets).

    .venv/bin/python -m bench.query_bench \
        --database-url postgres://postgres@127.0.0.1:5432/dieuhanh_bench sqlite:////tmp/dieuhanh_bench.sqlite \
        [--runs 15] [--write docs/benchmarks.md]

Each database is measured in a process of its own (the engine is chosen at import), in-process: the app served
over ASGI to httpx, so a time is the app's own (routing, session, guards, SQL, JSON), without a socket. Signed in
as the generated province's people, it requests, warm (3 runs, then the median of --runs):
- `GET /api/v1/kpi` for the whole province, this month and this year (kept counts; target <= 60 / <= 100 ms);
- `GET /api/v1/dashboard/tasks?bucket=done_on_time`, the first page of the province's figure, month and year
  (target <= 100 ms);
- `GET /api/v1/tasks?view=scope&limit=50` for the province's leader, the largest unit head, a department head and
  the smallest commune sub-unit head, and `view=mine` for a typical officer (target <= 5 ms each).
The CPU column is this process's CPU plus, on PostgreSQL, its backends' (from /proc), per request.
`--write` replaces the part of the file between <!-- bench:queries:begin --> and <!-- bench:queries:end -->
(appended at the end when the markers are not there yet): the measured engines' blocks, each with its date, load
average and commit; an engine not measured this time keeps its block.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- bench:queries:begin -->", "<!-- bench:queries:end -->"
PASSWORD = "bench-password"  # bench/generate.py's
TARGETS = {"kpi month": 60.0, "kpi year": 100.0, "drill-down month": 100.0, "drill-down year": 100.0,
           "kpi person year": 100.0}
LIST_TARGET = 5.0


async def _people() -> dict[str, tuple[str, int]]:
    from bench.plans import _people as chosen

    result: dict[str, tuple[str, int]] = {}
    for label, person in await chosen():
        if label.startswith("busiest"):
            continue
        result[label] = ("mine" if "mine" in label else "scope", person)
    return result


async def _measure(url: str, runs: int) -> dict[str, Any]:
    import httpx

    from bench.timing import timed
    from server.app import create_app
    from server.lib import clock
    from server.people.tables import Person
    from server.tasks.tables import Task

    logging.getLogger("httpx").setLevel(logging.WARNING)
    app = create_app()
    rows: list[dict[str, Any]] = []
    async with app.lifespan():
        count = (await Task.raw("SELECT COUNT(*) AS n FROM tasks"))[0]["n"]
        today = clock.today_vn()
        month = (today.replace(day=1), (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                 - dt.timedelta(days=1))
        year = (dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
        people = await _people()
        clients: dict[int, httpx.AsyncClient] = {}

        async def client_of(person: int) -> httpx.AsyncClient:
            if person not in clients:
                username = (await Person.select(Person.username).where(Person.id == person).first())["username"]
                # One address per person: sign-in is rate-limited per address.
                address = (f"127.0.{len(clients) // 250}.{len(clients) % 250 + 2}", 40000 + len(clients))
                client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=address),
                                           base_url="http://bench.local", headers={"X-Requested-With": "dieuhanh"})
                login = await client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
                assert login.status_code == 200, login.text
                clients[person] = client
            return clients[person]

        leader = next(person for label, (_, person) in people.items() if label.startswith("province leader"))
        requests: list[tuple[str, int, str, dict[str, Any]]] = []
        for name, (start, end) in (("month", month), ("year", year)):
            period = {"start": start.isoformat(), "end": end.isoformat()}
            requests.append((f"kpi {name}", leader, "/api/v1/kpi", period))
        for name, (start, end) in (("month", month), ("year", year)):
            period = {"start": start.isoformat(), "end": end.isoformat()}
            requests.append((f"drill-down {name}", leader, "/api/v1/dashboard/tasks",
                             {**period, "bucket": "done_on_time"}))
        for label, (view, person) in people.items():
            requests.append((f"list: {label}", person, "/api/v1/tasks", {"view": view, "limit": 50}))
        # A person's figures and a unit head's dashboard (every person of the unit) read the people's kept counts
        # (server.kpi.people_counts): the year, the largest period a leader asks for.
        officer = next(person for label, (_, person) in people.items() if label.startswith("officer"))
        head = next(person for label, (_, person) in people.items() if label.startswith("department head"))
        year_period = {"start": year[0].isoformat(), "end": year[1].isoformat()}
        requests.append(("kpi person year", leader, "/api/v1/kpi", {**year_period, "person_id": officer}))
        requests.append(("dashboard: department head, year (units and people)", head, "/api/v1/dashboard/",
                         {"period": "year"}))
        try:
            for label, person, path, params in requests:
                client = await client_of(person)

                async def call(client: httpx.AsyncClient = client, path: str = path,
                               params: dict[str, Any] = params) -> httpx.Response:
                    return await client.get(path, params=params)

                median, fastest, slowest, cpu, response = await timed(call, 3, runs)
                assert response.status_code == 200, (label, response.status_code, response.text[:300])
                body = response.json()
                shown = (f"{len(body.get('people') or [])} people, {len(body.get('units') or [])} units"
                         if "people" in body and "total" not in body else
                         f"{body['total']:,} tasks counted" if "total" in body and "items" not in body else
                         f"{len(body['items'])} of {body['count']:,}" if "count" in body else
                         f"{len(body['items'])} tasks")
                target = TARGETS.get(label, LIST_TARGET if label.startswith("list") else None)
                rows.append({"label": label, "median": median, "min": fastest, "max": slowest, "cpu": cpu,
                             "shown": shown, "target": target, "bytes": len(response.content)})
                print(f"  {label:<58} median {rows[-1]['median']:7.1f} ms (min {rows[-1]['min']:.1f},"
                      f" max {rows[-1]['max']:.1f}; CPU {rows[-1]['cpu']:.1f} ms)  {shown}", file=sys.stderr)
        finally:
            for client in clients.values():
                await client.aclose()
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    return {"engine": engine, "tasks": count, "today": today.isoformat(), "rows": rows}


def _commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return result.stdout.strip() or "unknown"


def engine_block(result: dict[str, Any], runs: int, command: str, load_before: str, load_after: str) -> str:
    when = dt.datetime.now(dt.UTC)
    lines = [
        f"### {result['engine']} — {result['tasks']:,} tasks (today {result['today']})",
        "",
        f"Measured {when:%Y-%m-%d %H:%M} UTC at commit {_commit()}; load average {load_before} before,"
        f" {load_after} after ({os.cpu_count()} cores, shared); Python {platform.python_version()}; 3 warm-up"
        f" requests, then the median of {runs}: `{command}`",
        "",
        "| request | median ms | min ms | max ms | CPU ms (app + database) | answer | target | met |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: | --- |",
    ]
    for row in result["rows"]:
        target = row["target"]
        met = "" if target is None else ("yes" if row["median"] <= target else
                                         f"**no** ({row['median'] / target:.1f}×)")
        lines.append(f"| {row['label']} | {row['median']:.1f} | {row['min']:.1f} | {row['max']:.1f} |"
                     f" {row['cpu']:.1f} | {row['shown']} | {'' if target is None else f'≤ {target:.0f}'} |"
                     f" {met} |")
    return "\n".join(lines) + "\n"


def section(blocks: dict[str, str]) -> str:
    """The whole section: one block per engine (PostgreSQL first)."""
    lines = [
        BEGIN,
        "## The leader's figures and the lists, one request at a time (bench/query_bench.py)",
        "",
        "In-process (the app over ASGI, httpx), signed in as the generated province's people; each engine's block"
        " is rewritten by its own run and keeps the other's. The CPU column is the app's process plus, on"
        " PostgreSQL, its backends', per request.",
        "",
    ]
    for engine in sorted(blocks, key=lambda name: name != "PostgreSQL"):
        lines.append(blocks[engine])
    lines.append(END)
    return "\n".join(lines)


def existing_blocks(path: Path) -> dict[str, str]:
    """The engine blocks already in the file's section, by engine name."""
    text = path.read_text() if path.exists() else ""
    if BEGIN not in text or END not in text:
        return {}
    body = text.split(BEGIN, 1)[1].split(END, 1)[0]
    blocks: dict[str, str] = {}
    for part in body.split("\n### ")[1:]:
        name = part.split(" ", 1)[0]
        if name in ("PostgreSQL", "SQLite"):
            blocks[name] = "### " + part.rstrip("\n") + "\n"
    return blocks


def write(path: Path, text: str) -> None:
    current = path.read_text() if path.exists() else ""
    if BEGIN in current and END in current:
        before, rest = current.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        path.write_text(before + text + after)
    else:
        path.write_text(current.rstrip("\n") + "\n\n" + text + "\n")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cli() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", nargs="+",
                        default=[os.environ.get("BENCH_DATABASE_URL",
                                                "postgres://postgres@127.0.0.1:5432/dieuhanh_bench")])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--write", default="", help="the Markdown file to write the section into")
    parser.add_argument("--json", default="", help=argparse.SUPPRESS)  # one database, in a process of its own
    args = parser.parse_args()
    if args.json:
        url = args.database_url[0]
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="dieuhanh-query-bench-"))
        os.environ.setdefault("SECRET_KEY", "bench-query-secret-key-long-enough-0123456789")
        os.environ["PICCOLO_CONF"] = "server.piccolo_conf"
        os.environ.pop("REDIS_URL", None)
        print(f"{url}", file=sys.stderr)
        result = asyncio.run(_measure(url, args.runs))
        Path(args.json).write_text(json.dumps(result))
        return 0
    load_before = _load()
    results = []
    for url in args.database_url:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            done = subprocess.run([sys.executable, "-m", "bench.query_bench", "--database-url", url,
                                   "--runs", str(args.runs), "--json", out.name], cwd=ROOT)
            if done.returncode != 0:
                print(f"{url}: failed ({done.returncode})", file=sys.stderr)
                continue
            results.append(json.loads(Path(out.name).read_text()))
    command = (".venv/bin/python -m bench.query_bench --database-url " + " ".join(args.database_url) +
               f" --runs {args.runs}" + (f" --write {args.write}" if args.write else ""))
    load_after = _load()
    blocks = existing_blocks(Path(args.write)) if args.write else {}
    for result in results:
        blocks[result["engine"]] = engine_block(result, args.runs, command, load_before, load_after)
    text = section(blocks)
    print(text)
    if args.write and results:
        write(Path(args.write), text)
    return 0 if results else 1


if __name__ == "__main__":
    sys.exit(cli())
