"""bench.run's Markdown report, and where it goes in docs/benchmarks.md."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from typing import Any

from bench.run_common import BARE, DOC, LEVELS, SCOPE_CONNECTIONS, SCOPE_LIST, TASK_LIST
from bench.run_load import Load

# Targets (issue 11; PostgreSQL, 1,000,000 tasks): the task list's p95 at 50 connections, its requests/s as a
# share of the bare endpoint's in the same run (the field's ceiling is 25%), and the CPU per request.
TARGET_P95_MS = 50.0
TARGET_SHARE = 0.10
CEILING_SHARE = 0.25
TARGET_APP_MS = 0.6
TARGET_PG_MS = 0.4
TARGET_TASKS = 1_000_000
SECTIONS_END = "<!-- bench:sections:end -->"
DOC_HEADER = f"""# Benchmarks

What the server does on one small machine with a realistic province (bench/generate.py), measured by
bench/run.py. Each engine's section below is rewritten by `python -m bench.run`; the rest of this file is
kept as it is.

{SECTIONS_END}
"""


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
        f"Measured {started:%Y-%m-%d %H:%M} UTC at commit {info.get('commit', '?')}"
        f"{' (--quick: 3 s per level)' if args.quick else ''};"
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
        f'`server.kpi.services.kept_figures(start, end, unit_path="{report["root_unit"]["path"]}")` (what'
        f" `/api/v1/kpi` shows: the kept counts): {kpi_warm} warm-up runs, then the median of {kpi_runs}.",
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
    lines += [f"- {p95_text}", f"- {share_text} (the field's ceiling: {CEILING_SHARE:.0%})"]
    if at50.app_ms is not None:
        app_ok = at50.app_ms <= TARGET_APP_MS
        cpu_text = (
            f"app CPU per task list request ≤ {TARGET_APP_MS} ms: **{'met' if app_ok else 'missed'}** —"
            f" {at50.app_ms:.2f} ms" + ("" if app_ok else f" ({at50.app_ms / TARGET_APP_MS:.1f}× the target)")
        )
        if at50.pg_ms is not None:
            pg_ok = at50.pg_ms <= TARGET_PG_MS
            cpu_text += (
                f"; PostgreSQL CPU ≤ {TARGET_PG_MS} ms: **{'met' if pg_ok else 'missed'}** — {at50.pg_ms:.2f} ms"
                + ("" if pg_ok else f" ({at50.pg_ms / TARGET_PG_MS:.1f}× the target)")
            )
        lines.append(f"- {cpu_text}")
        verdicts.append(f"{title}: {cpu_text}")
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
