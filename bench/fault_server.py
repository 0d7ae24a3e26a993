"""The fault run's server side: the real app under uvicorn in a process of its own (so it can be SIGKILLed),
started from a snapshot of the code, on a database of the run's own. Moved from bench/fault_run.py."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.local import free_port, is_healthy

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


class ServerProcess:
    """The real app under uvicorn, in a process of its own (same port every start), so it can be SIGKILLed."""

    def __init__(self, log_path: Path, port: int | None = None, code_root: Path = ROOT) -> None:
        self.code_root = code_root
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.start_seconds: list[float] = []

    def start(self) -> None:
        started = time.monotonic()
        env = {**os.environ, "BASE_URL": self.url, "PYTHONUNBUFFERED": "1"}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory", "--host", "127.0.0.1",
                 "--port", str(self.port), "--log-level", "warning"],
                cwd=self.code_root, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while not is_healthy(self.url):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start:\n{self.log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.05)
        self.starts += 1
        self.start_seconds.append(time.monotonic() - started)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; open transactions die with the process."""
        if self.running:
            assert self.process is not None
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.running:
            assert self.process is not None
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the running server process has used so far."""
        if not self.running:
            return 0.0
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def tracebacks(self) -> int:
        if not self.log_path.exists():
            return 0
        return self.log_path.read_text(errors="replace").count("Traceback")


def snapshot_code(into: Path) -> Path:
    """A copy of the app's code for the server to start from: other people editing the working tree
    mid-run must not change (or break) the server between two restarts."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("server", "pwa", "citizen_portal"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, into / name, ignore=ignore)
    return into


def prepare_environment(database: str, database_url: str | None, tmp: Path) -> tuple[str, Any]:
    """Environment for a database of the run's own; returns (engine name, cleanup)."""
    os.environ["DATA_DIR"] = str(tmp)
    os.environ.setdefault("SECRET_KEY", "fault-run-secret-key")
    os.environ["PICCOLO_CONF"] = "server.piccolo_conf"
    os.environ.pop("REDIS_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
        return ("sqlite" if database_url.startswith("sqlite") else "postgresql"), (lambda: None)
    if database == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'fault.sqlite'}"
        return "sqlite", (lambda: None)
    import asyncpg

    admin = os.environ.get("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"dieuhanh_fault_{os.getpid()}"

    async def admin_sql(sql: str) -> None:
        conn = await asyncpg.connect(admin, timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
    os.environ["DATABASE_URL"] = f"{admin.rsplit('/', 1)[0]}/{name}"
    return "postgresql", (lambda: asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')))
