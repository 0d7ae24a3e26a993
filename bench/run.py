"""Measure the officer's task list, the leader's view and the KPI query against a generated province.

    .venv/bin/python -m bench.run --database-url postgres://postgres@127.0.0.1:5432/dieuhanh_bench
    .venv/bin/python -m bench.run --database-url sqlite:////tmp/dieuhanh_bench.sqlite --quick

The real app and a bare Litestar app (bench/bare_app.py) are served side by side by uvicorn with the same
flags (one worker); wrk (Debian's package) loads them at 1, 10 and 50 connections with bench/latency.lua,
which rotates several officers' session cookies and prints p50/p95/p99. The leader's and a unit head's
view (view=scope) are loaded at 10 connections. The KPI figures for the whole province are then computed
in-process (server.kpi.services.figures) for a month, a quarter and a year: 3 warm-up runs, the median of
the next 10. The Markdown table is printed and written into docs/benchmarks.md, replacing the section of
this database engine and keeping the other. Log in as whom: bench/results/generated.json (PostgreSQL) or
bench/results/generated-sqlite.json (SQLite), as written by bench.generate (--report to choose another).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from bench.run_common import (
    API_HEADER,
    BARE,
    DOC,
    LEVELS,
    RESULTS_DIR,
    ROOT,
    SCOPE_CONNECTIONS,
    SCOPE_LIST,
    TASK_LIST,
    log,
)
from bench.run_facts import dataset_postgres, dataset_sqlite, machine, measure_kpi
from bench.run_load import Load, cpu_pressure, load_average, measure, wrk
from bench.run_processes import measure_processes, redis_env, render_processes
from bench.run_report import render, write_section
from bench.run_servers import Server, http_request, login, start_server

# ---------------------------------------------------------------------------------------------------------


def commit() -> str:
    """The commit measured, with "+changes" when the working tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "server", "bench"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" +changes" if dirty else "")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://user@host:port/db or sqlite:///path")
    parser.add_argument(
        "--quick", action="store_true", help="3 s per load level instead of 10; KPI: 1 warm-up run, median of 3"
    )
    parser.add_argument("--seconds", type=float, default=None, help="seconds per load level (default 10, quick 3)")
    parser.add_argument("--report", default=None, help="bench.generate's report (default by engine, see above)")
    parser.add_argument("--officers", type=int, default=10, help="how many typical officers' cookies to rotate")
    parser.add_argument("--no-write", action="store_true", help="print the table, leave docs/benchmarks.md alone")
    parser.add_argument("--no-processes", action="store_true", help="skip the 1 and 2 web processes comparison")
    parser.add_argument("--no-queries", action="store_true", help="skip bench.query_bench (KPI, drill-downs, lists)")
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/0", help="shared by the processes compared, when it answers"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    url = args.database_url
    postgres = url.startswith(("postgres://", "postgresql://"))
    if not postgres and not url.startswith("sqlite:///"):
        raise SystemExit("--database-url must start with postgres://, postgresql:// or sqlite:///")
    engine = "postgresql" if postgres else "sqlite"
    pg_port = (urlparse(url).port or 5432) if postgres else None
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (Debian's package), then run this again")
    if args.seconds is None:
        args.seconds = 3.0 if args.quick else 10.0
    warmup = 1.0 if args.quick else 3.0
    report_path = Path(args.report or RESULTS_DIR / ("generated.json" if postgres else "generated-sqlite.json"))
    if not report_path.exists():
        raise SystemExit(f"{report_path} is missing: run python -m bench.generate --database-url {url} first")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    if postgres != report.get("database_url", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"{report_path} was written for {report.get('database_url')}; pass --report")
    officers = report["typical_officers"][: args.officers]
    if not officers:
        raise SystemExit(f"{report_path} names no typical officers")

    started = dt.datetime.now(dt.UTC)
    args.load_before, args.pressure_before = load_average(), cpu_pressure()
    t_start = time.monotonic()
    info = machine()
    info["commit"] = commit()
    data = dataset_postgres(url) if postgres else dataset_sqlite(url.removeprefix("sqlite:///"))
    if data["tasks"] != report.get("tasks"):
        log(f"warning: the database holds {data['tasks']:,} tasks, {report_path.name} says {report.get('tasks')}")
    log(f"{engine}: {data['tasks']:,} tasks; {info['nproc']} cores, {info['cpu']}")

    workdir = Path(tempfile.mkdtemp(prefix="dieuhanh-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DATA_DIR": str(workdir / "data"),
        "SECRET_KEY": "bench",
        "PICCOLO_CONF": "server.piccolo_conf",
    }
    env.pop("REDIS_URL", None)
    # The app's FileStore makes DATA_DIR/sessions but not DATA_DIR itself (mkdir without parents).
    (workdir / "data").mkdir()
    servers: list[Server] = []
    loads: list[Load] = []
    scope_loads: list[Load] = []
    process_loads: list[Load] = []
    redis_used = False
    try:
        app = start_server("app", "server.app:create_app", env, workdir, "/health")
        servers.append(app)
        bare = start_server("bare", "bench.bare_app:create_app", env, workdir, BARE)
        servers.append(bare)
        log(f"app on :{app.port} (pid {app.pid}), bare on :{bare.port} (pid {bare.pid}); logs in {workdir}")

        cookies = [login(app.port, o["username"]) for o in officers]
        for officer, cookie in zip(officers, cookies, strict=True):
            status, _, body = http_request(app.port, "GET", TASK_LIST, headers={"Cookie": cookie})
            if status != 200:
                raise SystemExit(f"{TASK_LIST} as {officer['username']}: HTTP {status} {body[:300]!r}")
            items = json.loads(body)["items"]
            if not items:
                raise SystemExit(f"{TASK_LIST} as {officer['username']} is empty: is this the generated database?")
        scope_people = ["ld01", "td0001"]
        scope_cookies = {username: login(app.port, username) for username in scope_people}

        log(f"warm-up ({warmup:g} s each)")
        # 50 connections, so that the app's connection pool is full before anything is measured.
        wrk(app.url(TASK_LIST), 50, warmup, cookies, dict([API_HEADER]))
        wrk(bare.url(BARE), 10, warmup, [], {})
        log(f"load: {args.seconds:g} s per level")
        for level in LEVELS:
            loads.append(measure("task list (officer, mine)", app, TASK_LIST, level, args.seconds, cookies, pg_port))
            loads.append(measure("bare Litestar endpoint", bare, BARE, level, args.seconds, [], None))
        for username, cookie in scope_cookies.items():
            who = "leader ld01 (province)" if username.startswith("ld") else "unit head td0001 (province office)"
            alone = []
            for _ in range(4):  # one at a time: the first warms, the median of the other three is kept
                t0 = time.perf_counter()
                status, _, body = http_request(app.port, "GET", SCOPE_LIST, headers={"Cookie": cookie})
                alone.append((time.perf_counter() - t0) * 1000)
                if status != 200:
                    raise SystemExit(f"{SCOPE_LIST} as {username}: HTTP {status} {body[:300]!r}")
            load = measure(who, app, SCOPE_LIST, SCOPE_CONNECTIONS, args.seconds, [cookie], pg_port)
            load.extra["alone_ms"] = statistics.median(alone[1:])
            scope_loads.append(load)
        if not args.no_processes:
            log("1 and 2 web processes")
            shared_env = {**env, **redis_env(args.redis_url)}
            redis_used = "REDIS_URL" in shared_env
            process_loads = measure_processes(shared_env, workdir, cookies, args.seconds, warmup, pg_port, servers)
    finally:
        for server in reversed(servers):
            server.stop()

    log("KPI figures, in-process")
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "DATA_DIR", "SECRET_KEY", "PICCOLO_CONF")})
    sys.path.insert(0, str(ROOT))
    kpi, kpi_warm, kpi_runs = asyncio.run(
        measure_kpi(report["root_unit"]["path"], *((1, 3) if args.quick else (3, 10)))
    )
    shutil.rmtree(workdir, ignore_errors=True)

    seconds = time.monotonic() - t_start
    args.load_after, args.pressure_after = load_average(), cpu_pressure()
    python = ".venv/bin/python"
    report_arg = f" --report {shlex.quote(str(report_path.relative_to(ROOT)))}" if not postgres else ""
    generate_command = (
        f"{python} -m bench.generate --database-url {shlex.quote(url)} --tasks {data['tasks']} --reset{report_arg}"
    )
    command_args = [f"--database-url {shlex.quote(url)}"]
    if args.quick:
        command_args.append("--quick")
    if args.seconds != (3.0 if args.quick else 10.0):
        command_args.append(f"--seconds {args.seconds:g}")
    if args.report:
        command_args.append(f"--report {shlex.quote(args.report)}")
    command = f"{python} -m bench.run {' '.join(command_args)}"
    body, verdicts = render(
        engine, args, command, generate_command, info, data, report, officers, loads, scope_loads, kpi,
        kpi_warm, kpi_runs, seconds, started,
    )  # fmt: skip
    if process_loads:
        body = body.rstrip() + "\n\n" + render_processes(process_loads, int(info["nproc"] or 1), postgres, redis_used)
    print(body)
    if not args.no_write:
        write_section(engine, body)
        log(f"written into {DOC.relative_to(ROOT)} (section {engine})")
    if not args.no_queries and (ROOT / "bench" / "query_bench.py").exists():
        # One request at a time: the KPI, the drill-downs, every kind of list (its own section; a process of
        # its own, since the engine is chosen when server.piccolo_conf is imported).
        log("bench.query_bench")
        write = [] if args.no_write else ["--write", str(DOC)]
        subprocess.run([sys.executable, "-m", "bench.query_bench", "--database-url", url, "--runs", "15", *write],
                       cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    for verdict in verdicts:
        log(verdict.replace("**", ""))


if __name__ == "__main__":
    main()
