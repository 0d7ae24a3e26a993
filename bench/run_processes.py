"""One and two web processes side by side (issue 11): the same app and the same bare endpoint served by uvicorn
with --workers 1 and then --workers 2, sharing the same PostgreSQL (or SQLite file) and Redis, each loaded
at 50 connections in the same run; and what limits the second process on this machine's cores."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path
from urllib.parse import urlparse

from bench.run_common import API_HEADER, BARE, TASK_LIST, log
from bench.run_load import Load, measure, wrk
from bench.run_servers import Server, start_server

CONNECTIONS = 50
WORKERS = (1, 2)


def redis_env(url: str) -> dict[str, str]:
    """REDIS_URL and a prefix of this run's own when a Redis answers at `url`, else nothing (the processes then
    share only the database and DATA_DIR: sessions need no more, live updates stay within a process)."""
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1):
            pass
    except OSError:
        return {}
    return {"REDIS_URL": url, "REDIS_PREFIX": f"dieuhanh-bench-{uuid.uuid4().hex[:8]}"}


def measure_processes(
    env: dict[str, str], workdir: Path, cookies: list[str], seconds: float, warmup: float, pg_port: int | None,
    servers: list[Server],
) -> list[Load]:
    loads = []
    for workers in WORKERS:
        app = start_server(f"app-{workers}w", "server.app:create_app", env, workdir, "/health", workers)
        servers.append(app)
        bare = start_server(f"bare-{workers}w", "bench.bare_app:create_app", env, workdir, BARE, workers)
        servers.append(bare)
        log(f"{workers} web process(es): app on :{app.port}, bare on :{bare.port}")
        wrk(app.url(TASK_LIST), CONNECTIONS, warmup, cookies, dict([API_HEADER]))
        wrk(bare.url(BARE), CONNECTIONS, warmup, [], {})
        label = "1 process" if workers == 1 else f"{workers} processes"
        for load in (
            measure(f"task list, {label}", app, TASK_LIST, CONNECTIONS, seconds, cookies, pg_port),
            measure(f"bare endpoint, {label}", bare, BARE, CONNECTIONS, seconds, [], None),
        ):
            load.extra["workers"] = workers
            loads.append(load)
        app.stop()
        bare.stop()
    return loads


def _cpu(share: float | None, per_request: float | None) -> str:
    if share is None:
        return "–"
    return f"{share:.2f}" + ("" if per_request is None else f" ({per_request:.2f} ms)")


def render_processes(loads: list[Load], nproc: int, pg: bool, redis: bool) -> str:
    shared = ("PostgreSQL" if pg else "the SQLite file") + (" and Redis" if redis else "")
    lines = [
        f"### 1 and 2 web processes, {CONNECTIONS} connections",
        "",
        f"The same app served by uvicorn with `--workers 1`, then `--workers 2` (the Procfile's `WEB_CONCURRENCY`),"
        f" sharing {shared}; each measured after its own warm-up. CPU in cores used (all of the app's processes;"
        " in brackets, CPU time per request).",
        "",
        "| endpoint | requests/s | p50 ms | p95 ms | p99 ms | errors | app CPU, cores |"
        + (" PostgreSQL CPU, cores |" if pg else "")
        + " machine busy, cores | load average |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |" + (" ---: |" if pg else "") + " ---: | ---: |",
    ]
    for load in loads:
        row = (
            f"| {load.label} | {load.rps:,.0f} | {load.p50:,.1f} | {load.p95:,.1f} | {load.p99:,.1f} |"
            f" {load.non_2xx + load.socket_errors} | {_cpu(load.app_cpu, load.app_ms)} |"
        )
        if pg:
            row += f" {_cpu(load.pg_cpu, load.pg_ms)} |"
        lines.append(row + f" {load.machine_cpu:.2f} | {load.load_average} |")

    def pick(path_is_bare: bool, workers: int) -> Load:
        return next(x for x in loads if x.extra["workers"] == workers and x.label.startswith("bare") == path_is_bare)

    one, two = pick(False, 1), pick(False, 2)
    bare_one, bare_two = pick(True, 1), pick(True, 2)
    ratio = two.rps / one.rps if one.rps else 0.0
    bare_ratio = bare_two.rps / bare_one.rps if bare_one.rps else 0.0
    app_cores, pg_cores = two.app_cpu or 0.0, two.pg_cpu or 0.0
    rest = max(0.0, (two.machine_cpu or 0.0) - app_cores - pg_cores)
    try:
        load = float(two.load_average.split()[0])
    except (ValueError, IndexError):
        load = 0.0
    lines += [
        "",
        f"Two processes serve the task list at **{ratio:.2f}×** the requests/s of one ({two.rps:,.0f} vs"
        f" {one.rps:,.0f}), p95 {two.p95:,.1f} ms vs {one.p95:,.1f} ms; the bare endpoint at {bare_ratio:.2f}×.",
        "",
        f"What limits it on {nproc} cores: under the task list load with two processes the machine was"
        f" {two.machine_cpu:.2f} of {nproc} cores busy — the app's processes {app_cores:.2f}"
        + (f", PostgreSQL {pg_cores:.2f}" if pg else "")
        + f", wrk and all other work {rest:.2f}"
        + (f" (load average {load:.1f}: other users' work held most of the CPU, so this ratio says little about"
           " an idle machine)" if load > nproc else "")
        + ".",
    ]
    app_ms, pg_ms = one.app_ms, (one.pg_ms or 0.0)
    if app_ms:
        # CPU bounds, whatever else runs: one process cannot pass its own event loop (1000 / app ms a second);
        # any number of processes cannot pass the cores shared by the app and the database.
        one_bound = 1000 / app_ms
        cores_bound = nproc * 1000 / (app_ms + pg_ms)
        lines += [
            "",
            f"The CPU per request sets the ceilings: one process spends {app_ms:.2f} ms of its own CPU per task list"
            + (f" and PostgreSQL {pg_ms:.2f} ms" if pg else "")
            + f", so one process serves at most ~{one_bound:,.0f} a second; {nproc} cores shared by the app and the"
            f" database serve at most ~{cores_bound:,.0f} whatever the number of processes (before wrk's own"
            " share). "
            + (
                "A second process helps only while one process's event loop is the limit and a core is idle."
                if one_bound < cores_bound
                else "Here the cores, not one process's event loop, are the lower ceiling: a second process adds"
                " an event loop, not CPU; what would raise both is less CPU per request, the database's first."
            ),
        ]
    lines.append("")
    return "\n".join(lines)
