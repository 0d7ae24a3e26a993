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
import http.client
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bench.local import cpu_model, free_port, memory_gib

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
DOC = ROOT / "docs" / "benchmarks.md"
LUA = BENCH_DIR / "latency.lua"
PASSWORD = "bench-password"
COOKIE_NAME = "dieuhanh_session"
API_HEADER = ("X-Requested-With", "dieuhanh")
TASK_LIST = "/api/v1/tasks?view=mine&limit=50"
SCOPE_LIST = "/api/v1/tasks?view=scope&limit=50"
BARE = "/bare"
LEVELS = (1, 10, 50)
SCOPE_CONNECTIONS = 10
# Targets (PostgreSQL, 1,000,000 tasks): the task list's p95 at 50 connections, and its requests/s as a
# share of the bare endpoint's in the same run.
TARGET_P95_MS = 50.0
TARGET_SHARE = 0.25
TARGET_TASKS = 1_000_000
SECTIONS_END = "<!-- bench:sections:end -->"
DOC_HEADER = f"""# Benchmarks

What the server does on one small machine with a realistic province (bench/generate.py), measured by
bench/run.py. Each engine's section below is rewritten by `python -m bench.run`; the rest of this file is
kept as it is.

{SECTIONS_END}
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------
# Servers.


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def uvicorn_command(app: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1", "--port", str(port),
        "--workers", "1", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip


def start_server(name: str, app: str, env: dict[str, str], workdir: Path, health: str) -> Server:
    port = free_port()
    log_path = workdir / f"{name}.log"
    handle = log_path.open("wb")
    process = subprocess.Popen(uvicorn_command(app, port), cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    handle.close()
    server = Server(name, port, process, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited at start:\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            status, _, _ = http_request(port, "GET", health)
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise SystemExit(f"{name} did not answer {health} within 60 s; see {log_path}")


def http_request(
    port: int, method: str, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Accept": "application/json", **(headers or {})}
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        conn.request(method, path, body=payload, headers=all_headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def login(port: int, username: str) -> str:
    """The Cookie header value of a fresh session for `username`."""
    status, headers, body = http_request(
        port, "POST", "/api/v1/auth/login", {"username": username, "password": PASSWORD}, dict([API_HEADER])
    )
    if status != 200:
        raise SystemExit(f"login as {username} failed: HTTP {status} {body[:300]!r}")
    for value in headers.get_all("Set-Cookie") or []:
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(value)
        if COOKIE_NAME in cookie:
            return f"{COOKIE_NAME}={cookie[COOKIE_NAME].value}"
    raise SystemExit(f"login as {username}: no {COOKIE_NAME} cookie in the answer")


# ---------------------------------------------------------------------------------------------------------
# CPU use of the processes under test, from /proc (Linux).

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def backend_pids(app_pid: int, pg_port: int) -> list[int]:
    """The PostgreSQL backends serving the app's connections (not other users' of the same server).

    The app's sockets (/proc/PID/fd) are matched in /proc/net/tcp* to connections to pg_port, and a backend's
    process title names its client's address and port: "postgres: user db 127.0.0.1(40312) idle".
    """
    inodes = set()
    try:
        for fd in Path(f"/proc/{app_pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return []
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[9] in inodes and int(fields[2].rsplit(":", 1)[1], 16) == pg_port:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        match = re.search(r"\((\d+)\)", title)
        if match and int(match.group(1)) in ports:
            pids.append(int(entry.name))
    return pids


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    total = sum(values[:8])
    return total - idle, total


def cpu_pressure() -> str:
    """How long runnable tasks waited for a CPU (PSI "some", 60 s average): other work competing with ours."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        return re.search(r"avg60=([\d.]+)", line).group(1) + "%"  # type: ignore[union-attr]
    except (OSError, AttributeError, IndexError):
        return "?"


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


class CpuMeter:
    """CPU used during a block: by the app's process, by PostgreSQL's, and by the whole machine (in cores)."""

    def __init__(self, app_pid: int, pg_port: int | None) -> None:
        self.app_pid = app_pid
        self.pg_port = pg_port

    def __enter__(self) -> CpuMeter:
        self.backends = backend_pids(self.app_pid, self.pg_port) if self.pg_port else []
        self.t0 = time.monotonic()
        self.app0 = process_ticks(self.app_pid)
        self.pg0 = sum(process_ticks(pid) for pid in self.backends)
        self.busy0, self.total0 = machine_ticks()
        return self

    def __exit__(self, *_: object) -> None:
        seconds = max(time.monotonic() - self.t0, 1e-6)
        self.app = (process_ticks(self.app_pid) - self.app0) / CLOCK_TICKS / seconds
        # Backends the pool opened during the block are missed: the warm-up runs first to open them all.
        pg = sum(process_ticks(pid) for pid in self.backends)
        self.pg = (pg - self.pg0) / CLOCK_TICKS / seconds if self.pg_port else None
        busy, total = machine_ticks()
        cores = os.cpu_count() or 1
        self.machine = (busy - self.busy0) / max(total - self.total0, 1) * cores
        self.load = load_average()


# ---------------------------------------------------------------------------------------------------------
# wrk.


@dataclass
class Load:
    label: str
    path: str
    connections: int
    requests: int = 0
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    max: float = 0.0
    non_2xx: int = 0
    socket_errors: int = 0
    app_cpu: float | None = None
    pg_cpu: float | None = None
    machine_cpu: float | None = None
    load_average: str = ""

    @property
    def app_ms(self) -> float | None:
        """Milliseconds of the app's CPU per request."""
        return None if self.app_cpu is None or not self.rps else self.app_cpu * 1000 / self.rps

    @property
    def pg_ms(self) -> float | None:
        return None if self.pg_cpu is None or not self.rps else self.pg_cpu * 1000 / self.rps

    extra: dict[str, Any] = field(default_factory=dict)


def wrk(url: str, connections: int, seconds: float, cookies: list[str], headers: dict[str, str]) -> dict[str, Any]:
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "60s", "-s", str(LUA),
    ]  # fmt: skip
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += [url, "--", *cookies]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    match = re.search(r"^BENCH_RESULT (\{.*\})$", done.stdout, re.M)
    if done.returncode != 0 or match is None:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return json.loads(match.group(1))


def measure(
    label: str, server: Server, path: str, connections: int, seconds: float, cookies: list[str], pg_port: int | None
) -> Load:
    headers = dict([API_HEADER, ("Accept", "application/json")])
    with CpuMeter(server.pid, pg_port) as cpu:
        result = wrk(server.url(path), connections, seconds, cookies, headers)
    load = Load(
        label=label,
        path=path,
        connections=connections,
        requests=result["requests"],
        rps=result["rps"],
        p50=result["p50_us"] / 1000,
        p95=result["p95_us"] / 1000,
        p99=result["p99_us"] / 1000,
        max=result["max_us"] / 1000,
        non_2xx=result["non_2xx"],
        socket_errors=result["socket_errors"],
        app_cpu=cpu.app,
        pg_cpu=cpu.pg,
        machine_cpu=cpu.machine,
        load_average=cpu.load,
    )
    log(
        f"  {label:<28} c={connections:<3} {load.rps:8.1f} req/s  p50 {load.p50:7.1f}  p95 {load.p95:7.1f}"
        f"  p99 {load.p99:7.1f} ms  errors {load.non_2xx + load.socket_errors}  app CPU {load.app_cpu:.0%}"
        + (f"  postgres CPU {load.pg_cpu:.0%}" if load.pg_cpu is not None else "")
        + f"  machine busy {load.machine_cpu:.2f} cores (load {load.load_average})"
    )
    return load


# ---------------------------------------------------------------------------------------------------------
# The KPI query, in-process.


def periods(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    month_start = today.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    quarter_first = 3 * ((today.month - 1) // 3) + 1
    quarter_start = dt.date(today.year, quarter_first, 1)
    quarter_end = (
        dt.date(today.year + 1, 1, 1) if quarter_first == 10 else dt.date(today.year, quarter_first + 3, 1)
    ) - dt.timedelta(days=1)
    return [
        (f"month ({month_start:%m/%Y})", month_start, next_month - dt.timedelta(days=1)),
        (f"quarter (Q{(quarter_first - 1) // 3 + 1}/{today.year})", quarter_start, quarter_end),
        (f"year ({today.year})", dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)),
    ]


async def measure_kpi(root_path: str, warm: int, runs: int) -> tuple[list[dict[str, Any]], int, int]:
    from server.kpi.services import figures
    from server.lib import clock
    from server.lib.db import close_pool, prepare_database, start_pool

    await prepare_database()
    await start_pool()
    results = []
    try:
        today = clock.today_vn()
        for label, start, end in periods(today):
            for _ in range(warm):
                result = await figures(start, end, unit_path=root_path)
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                result = await figures(start, end, unit_path=root_path)
                times.append((time.perf_counter() - t0) * 1000)
            results.append(
                {
                    "label": label,
                    "start": start,
                    "end": end,
                    "median_ms": statistics.median(times),
                    "min_ms": min(times),
                    "max_ms": max(times),
                    "counted": result.total,
                    "done": result.done,
                }
            )
            log(f"  KPI {label:<22} median {statistics.median(times):8.1f} ms  ({result.total:,} tasks counted)")
    finally:
        await close_pool()
    return results, warm, runs


# ---------------------------------------------------------------------------------------------------------
# The machine and the data.


def machine() -> dict[str, str]:
    cpu, ram = cpu_model(), memory_gib()
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split("[")[0]
    import litestar
    import piccolo
    import uvicorn

    return {
        "nproc": nproc or str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "litestar": ".".join(str(part) for part in tuple(litestar.__version__)[:3]),
        "uvicorn": uvicorn.__version__,
        "piccolo": piccolo.__VERSION__,
        "wrk": wrk_version.strip(),
        "os": platform.platform(),
    }


def dataset_postgres(url: str) -> dict[str, Any]:
    import asyncpg

    async def read() -> dict[str, Any]:
        conn = await asyncpg.connect(url)
        try:
            info: dict[str, Any] = {"engine_version": "PostgreSQL " + await conn.fetchval("SHOW server_version")}
            for table in ("tasks", "task_assignees", "task_coordinating_units", "people", "units", "directives"):
                info[table] = await conn.fetchval(f"SELECT count(*) FROM {table}")
            info["settings"] = {
                name: await conn.fetchval(f"SHOW {name}")
                for name in ("shared_buffers", "work_mem", "jit", "max_parallel_workers_per_gather")
            }
            info["size"] = await conn.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
            return info
        finally:
            await conn.close()

    return asyncio.run(read())


def dataset_sqlite(path: str) -> dict[str, Any]:
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        info: dict[str, Any] = {"engine_version": f"SQLite {sqlite3.sqlite_version}"}
        for table in ("tasks", "task_assignees", "task_coordinating_units", "people", "units", "directives"):
            info[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        info["settings"] = {"journal_mode": conn.execute("PRAGMA journal_mode").fetchone()[0]}
        info["size"] = f"{Path(path).stat().st_size / 1024 / 1024:.0f} MB"
        return info
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------------------
# The report.


def ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def rate(value: float) -> str:
    return f"{value:,.1f}" if value < 10 else f"{value:,.0f}"


def cpu_cell(share: float | None, per_request: float | None) -> str:
    if share is None:
        return "–"
    return f"{share:.0%}" + ("" if per_request is None else f" ({per_request:.2f} ms)")


def render(
    engine: str,
    args: argparse.Namespace,
    command: str,
    generate_command: str,
    info: dict[str, str],
    data: dict[str, Any],
    report: dict[str, Any],
    officers: list[dict[str, Any]],
    loads: list[Load],
    scope_loads: list[Load],
    kpi: list[dict[str, Any]],
    kpi_warm: int,
    kpi_runs: int,
    seconds: float,
    started: dt.datetime,
) -> tuple[str, list[str]]:
    title = "PostgreSQL" if engine == "postgresql" else "SQLite"
    pg = engine == "postgresql"
    table_head = (
        " | connections | requests/s | p50 ms | p95 ms | p99 ms | max ms | errors | app CPU (per request) |"
        + (" PostgreSQL CPU (per request) |" if pg else "")
        + " machine busy, cores | load average |"
    )
    table_rule = (
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" + (" ---: |" if pg else "") + " ---: | ---: |"
    )
    lines = [f"## {title} — {data['tasks']:,} tasks", ""]
    lines.append(
        f"Measured {started:%Y-%m-%d %H:%M} UTC{' (--quick: 3 s per level)' if args.quick else ''};"
        f" {seconds:.0f} s in all. The machine's load average was {args.load_before} before the run and"
        f" {args.load_after} after it; tasks waited for a CPU {args.pressure_before} of the time in the minute"
        f" before and {args.pressure_after} in the last minute (PSI cpu some avg60)."
    )
    busiest = 0.0
    for text in [args.load_before, args.load_after, *(load.load_average for load in [*loads, *scope_loads])]:
        try:
            busiest = max(busiest, float(text.split()[0]))
        except (ValueError, IndexError):
            pass
    if busiest > float(info["nproc"] or 1):
        lines += [
            "",
            f"**Warning: the machine was shared while this ran** (load average up to {busiest:.1f} on"
            f" {info['nproc']} cores): latencies and requests/s are worse than on an idle machine. The CPU time"
            " per request depends much less on that.",
        ]
    lines += [
        "",
        f"- Machine: {info['nproc']} cores (`nproc`), {info['cpu']}, {info['ram']} RAM; {info['os']}",
        f"- {data['engine_version']}"
        + (f" ({', '.join(f'{k}={v}' for k, v in data['settings'].items())})" if data.get("settings") else "")
        + f"; database size {data['size']}",
        f"- Python {info['python']}, Litestar {info['litestar']}, uvicorn {info['uvicorn']} (1 worker),"
        f" Piccolo {info['piccolo']}; {info['wrk']} (1 thread)",
        f"- Dataset: {data['tasks']:,} tasks, {data['task_assignees']:,} assignments,"
        f" {data['task_coordinating_units']:,} coordinating units, {data['people']:,} people, {data['units']:,} units,"
        f" {data['directives']:,} directives (generated {report.get('generated_at', '?')}, seed {report.get('seed')})",
        f"- Officers whose cookies rotate in the task list load: {len(officers)} typical officers ("
        + ", ".join(f"{o['username']} {o['tasks']}" for o in officers)
        + " tasks assigned; median over all officers"
        f" {report.get('assignments_per_officer', {}).get('median', '?')})",
        "",
        "Commands:",
        "",
        "```sh",
        generate_command,
        command,
        "```",
        "",
        f"### The officer's task list (`GET {TASK_LIST}`) and the bare endpoint",
        "",
        "Both apps served at the same time by uvicorn with the same flags; each level runs"
        f" {args.seconds:g} s after a warm-up. CPU: the share of one core used by the app's process"
        + (" and by all PostgreSQL processes" if pg else "")
        + " during the level, and in brackets that CPU time per request (the figure that depends least on"
        " what else the machine runs); machine busy: cores in use by every process (wrk, other users'"
        " work too) out of"
        f" {info['nproc']}; load average at the end of the level.",
        "",
        "| endpoint" + table_head,
        table_rule,
    ]

    def row(load: Load) -> str:
        text = (
            f"| {load.label} | {load.connections} | {rate(load.rps)} | {ms(load.p50)} | {ms(load.p95)} | {ms(load.p99)}"
            f" | {ms(load.max)} | {load.non_2xx + load.socket_errors} | {cpu_cell(load.app_cpu, load.app_ms)} |"
        )
        if pg:
            text += f" {cpu_cell(load.pg_cpu, load.pg_ms)} |"
        return text + f" {load.machine_cpu:.2f} | {load.load_average} |"

    for level in LEVELS:
        lines += [row(load) for load in loads if load.connections == level]
    share_rows = []
    for level in LEVELS:
        tasks = next(load for load in loads if load.connections == level and load.path != BARE)
        bare = next(load for load in loads if load.connections == level and load.path == BARE)
        share_rows.append(f"{level} connections: {tasks.rps / bare.rps:.1%}")
    lines += ["", "Task list requests/s as a share of the bare endpoint's: " + "; ".join(share_rows) + ".", ""]

    lines += [
        f"### The leader's and a unit head's view (`GET {SCOPE_LIST}`), {SCOPE_CONNECTIONS} connections",
        "",
        "| who" + table_head,
        table_rule,
    ]
    lines += [row(load) for load in scope_loads]
    lines += [
        "",
        "One request at a time, before the load (median of 3 after one warm-up): "
        + "; ".join(f"{load.label} {ms(load.extra['alone_ms'])} ms" for load in scope_loads)
        + ". A level that finished no request in its time shows 0.",
    ]
    lines += [
        "",
        "### KPI figures for the whole province, in-process",
        "",
        f'`server.kpi.services.figures(start, end, unit_path="{report["root_unit"]["path"]}")`: {kpi_warm} warm-up'
        f" runs, then the median of {kpi_runs}.",
        "",
        "| period | from | to | median ms | min ms | max ms | tasks counted |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for item in kpi:
        lines.append(
            f"| {item['label']} | {item['start']} | {item['end']} | {ms(item['median_ms'])} | {ms(item['min_ms'])}"
            f" | {ms(item['max_ms'])} | {item['counted']:,} |"
        )

    # Targets.
    at50 = next(load for load in loads if load.connections == 50 and load.path != BARE)
    bare50 = next(load for load in loads if load.connections == 50 and load.path == BARE)
    share = at50.rps / bare50.rps if bare50.rps else 0.0
    p95_ok = at50.p95 <= TARGET_P95_MS
    share_ok = share >= TARGET_SHARE
    applies = engine == "postgresql" and data["tasks"] >= TARGET_TASKS
    verdicts = []
    lines += ["", "### Targets", ""]
    if not applies:
        lines += [
            f"The targets are set for PostgreSQL with {TARGET_TASKS:,} tasks; this run is checked against them"
            " for reference only.",
            "",
        ]
    p95_text = (
        f"task list p95 at 50 connections ≤ {TARGET_P95_MS:g} ms: **{'met' if p95_ok else 'missed'}** —"
        f" {ms(at50.p95)} ms"
        + ("" if p95_ok else f", {at50.p95 - TARGET_P95_MS:,.0f} ms over ({at50.p95 / TARGET_P95_MS:.1f}× the target)")
    )
    needed_rps = TARGET_SHARE * bare50.rps
    share_text = (
        f"task list requests/s ≥ {TARGET_SHARE:.0%} of the bare endpoint's (50 connections):"
        f" **{'met' if share_ok else 'missed'}** — {at50.rps:,.0f} vs {bare50.rps:,.0f} req/s = {share:.1%}"
        + ("" if share_ok else f" (needs {needed_rps:,.0f} req/s, {needed_rps / max(at50.rps, 1e-9):.1f}× more)")
    )
    lines += [f"- {p95_text}", f"- {share_text}"]
    if at50.non_2xx or at50.socket_errors:
        lines.append(f"- errors during the 50-connection task list load: {at50.non_2xx + at50.socket_errors}")
    verdicts += [f"{title}: {p95_text}", f"{title}: {share_text}"]
    if at50.app_ms and bare50.app_ms:
        # What the CPU cost per request implies, whatever else the machine runs: one worker serves at most
        # 1000 / ms requests a second, and 50 connections wait in turn.
        capacity = 1000 / at50.app_ms
        lines += [
            "",
            f"What the CPU cost implies, on an idle machine: the app's process spent {at50.app_ms:.2f} ms of CPU per"
            f" task list request (the bare endpoint {bare50.app_ms:.3f} ms), so one uvicorn worker serves at most"
            f" ~{capacity:,.0f} task lists a second, and 50 connections queue for ~{50 * at50.app_ms:,.0f} ms on"
            f" average. p95 ≤ {TARGET_P95_MS:g} ms at 50 connections needs well under"
            f" {TARGET_P95_MS / 50:.1f} ms of CPU per request; {TARGET_SHARE:.0%} of the bare endpoint needs"
            f" ≤ {bare50.app_ms / TARGET_SHARE:.2f} ms.",
        ]
    lines.append("")
    return "\n".join(lines), verdicts


def write_section(engine: str, body: str) -> None:
    begin, end = f"<!-- bench:{engine}:begin -->", f"<!-- bench:{engine}:end -->"
    section = f"{begin}\n{body.rstrip()}\n{end}"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else DOC_HEADER
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    elif engine == "postgresql" and "<!-- bench:sqlite:begin -->" in text:
        text = text.replace("<!-- bench:sqlite:begin -->", f"{section}\n\n<!-- bench:sqlite:begin -->", 1)
    elif SECTIONS_END in text:
        text = text.replace(SECTIONS_END, f"{section}\n\n{SECTIONS_END}", 1)
    else:
        text = text.rstrip() + f"\n\n{section}\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------------------------


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
    print(body)
    if not args.no_write:
        write_section(engine, body)
        log(f"written into {DOC.relative_to(ROOT)} (section {engine})")
    for verdict in verdicts:
        log(verdict.replace("**", ""))


if __name__ == "__main__":
    main()
