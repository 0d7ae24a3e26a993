"""Loading a server with wrk while measuring the CPU of its process and of its PostgreSQL backends."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.run_common import API_HEADER, LUA, log
from bench.run_servers import Server

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


def process_tree(pid: int) -> list[int]:
    """A process and its children: uvicorn's supervisor and its workers when it runs more than one."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    children.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return [pid, *children]


class CpuMeter:
    """CPU used during a block: by the app's processes, by PostgreSQL's, and by the whole machine (in cores)."""

    def __init__(self, app_pid: int, pg_port: int | None) -> None:
        self.app_pid = app_pid
        self.pg_port = pg_port

    def __enter__(self) -> CpuMeter:
        self.app_pids = process_tree(self.app_pid)
        self.backends = (
            sorted({b for pid in self.app_pids for b in backend_pids(pid, self.pg_port)}) if self.pg_port else []
        )
        self.t0 = time.monotonic()
        self.app0 = sum(process_ticks(pid) for pid in self.app_pids)
        self.pg0 = sum(process_ticks(pid) for pid in self.backends)
        self.busy0, self.total0 = machine_ticks()
        return self

    def __exit__(self, *_: object) -> None:
        seconds = max(time.monotonic() - self.t0, 1e-6)
        self.app = (sum(process_ticks(pid) for pid in self.app_pids) - self.app0) / CLOCK_TICKS / seconds
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
