"""The app in uvicorn subprocesses (the same database as the tests, inherited from the root conftest)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.local import free_port, is_healthy

ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT = 30.0



class AppProcess:
    def __init__(self, log_path: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"],
            cwd=ROOT, env={**os.environ, "BASE_URL": self.url, "PYTHONUNBUFFERED": "1", **env},
            stdout=self._log, stderr=subprocess.STDOUT,
        )

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not is_healthy(self.url):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start:\n{self.log()}")
            time.sleep(0.1)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        self.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
