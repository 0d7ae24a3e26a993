"""Issue 13, finding 10: `make run`'s worker exits when the web process dies, SIGKILL included, and a second
worker never runs beside the first on one DATA_DIR."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from server.lib import supervise
from server.settings import PROJECT_ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl and /proc are Linux's")

# The web process of `run-dev`, reduced to what matters: it starts the worker exactly as run-dev does.
PARENT = textwrap.dedent(
    """
    import subprocess, sys, time
    from server.cli import worker_environment
    worker = subprocess.Popen([sys.executable, "-m", "server.worker"], env=worker_environment())
    print(worker.pid, flush=True)
    time.sleep(600)
    """
)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has exited; only its parent has not read its status yet


def lock_is_held(data_dir: Path) -> bool:
    path = data_dir / supervise.LOCK_NAME
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def wait_for(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def worker_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "DATA_DIR": str(tmp_path), "WORKER_POLL_SECONDS": "0.2", supervise.WAIT_ENV: "0",
            "PYTHONPATH": str(PROJECT_ROOT)}


def test_the_worker_exits_when_run_dev_is_killed(worker_env: dict[str, str], tmp_path: Path) -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], env=worker_env, stdout=subprocess.PIPE, text=True)
    try:
        worker_pid = int(parent.stdout.readline())  # type: ignore[union-attr]
        assert wait_for(lambda: lock_is_held(tmp_path), 30), "the worker did not start"
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        assert wait_for(lambda: not alive(worker_pid), 15), "the worker outlived the web process"
        assert wait_for(lambda: not lock_is_held(tmp_path), 5)
    finally:
        parent.kill()
        parent.wait()
        if alive(worker_pid):
            os.kill(worker_pid, signal.SIGKILL)


def test_a_second_worker_does_not_start(worker_env: dict[str, str], tmp_path: Path) -> None:
    env = {**worker_env, supervise.SINGLE_ENV: "1"}
    first = subprocess.Popen([sys.executable, "-m", "server.worker"], env=env, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: lock_is_held(tmp_path), 30), "the first worker did not start"
        second = subprocess.run([sys.executable, "-m", "server.worker"], env=env, capture_output=True, text=True,
                                timeout=60)
        assert second.returncode == 3, second.stderr[-2000:]
        assert "another worker" in second.stderr
        assert first.poll() is None  # the first one goes on
    finally:
        first.terminate()
        first.wait(timeout=30)
    assert first.returncode == 0
