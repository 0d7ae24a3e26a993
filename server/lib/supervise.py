"""The worker that `make run` starts beside the web process: it stops with its parent and never runs twice.

- Parent death: `run-dev` names itself in DIEUHANH_PARENT_PID. On Linux the kernel sends the worker SIGTERM
  when the parent dies, SIGKILL included (prctl PR_SET_PDEATHSIG); everywhere, the worker also checks once a
  second that its parent is still the one it was started by (a dead parent's children are re-parented).
- One worker: `run-dev`'s worker holds a `flock` on DATA_DIR/worker.lock for its life; the kernel releases it
  when the process ends, however it ends. A worker started while it is held waits WORKER_LOCK_WAIT_SECONDS
  (the previous run's worker may be finishing its batch after its SIGTERM), then exits with status 3.
  A file lock rather than a PostgreSQL advisory lock: it works the same on SQLite (which has none) and on
  PostgreSQL, holds no database connection for hours, and DATA_DIR is one install on one machine, which is
  exactly the scope of "the worker that `make run` started". It is not taken by the Procfile's workers
  (`python -m server.worker` without WORKER_SINGLE=1): any number of those may run, on several machines, by
  design (jobs are claimed atomically, FOR UPDATE SKIP LOCKED on PostgreSQL), and tests run two at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import fcntl
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

log = logging.getLogger("dieuhanh.worker")

PARENT_ENV = "DIEUHANH_PARENT_PID"
SINGLE_ENV = "WORKER_SINGLE"
WAIT_ENV = "WORKER_LOCK_WAIT_SECONDS"
LOCK_NAME = "worker.lock"
PR_SET_PDEATHSIG = 1


class AnotherWorker(SystemExit):
    """Exit status 3: a worker already runs on this DATA_DIR."""

    def __init__(self, holder: str) -> None:
        super().__init__(3)
        self.holder = holder


def expected_parent() -> int | None:
    value = os.environ.get(PARENT_ENV, "")
    return int(value) if value.isdigit() else None


def ask_kernel_for_sigterm_on_parent_death() -> bool:
    """Linux only; elsewhere the once-a-second check alone does the work."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0
    except OSError:
        return False


async def watch_parent(parent: int, stop: Callable[[], None], interval: float = 1.0) -> None:
    """Call `stop` once our parent is no longer `parent` (it died and we were re-parented)."""
    # No event says the parent died (outside Linux's prctl); a getppid() a second costs nothing.
    while os.getppid() == parent:  # noqa: ASYNC110
        await asyncio.sleep(interval)
    log.info("the process that started this worker (pid %s) is gone: stopping", parent)
    stop()


def start_parent_watch(stop: Callable[[], None]) -> asyncio.Task[None] | None:
    parent = expected_parent()
    if parent is None:
        return None
    ask_kernel_for_sigterm_on_parent_death()
    if os.getppid() != parent:  # it died before the kernel was asked
        stop()
        return None
    return asyncio.get_running_loop().create_task(watch_parent(parent, stop))


def wants_single_worker() -> bool:
    return os.environ.get(SINGLE_ENV, "") == "1"


@contextlib.contextmanager
def single_worker(data_dir: Path, wait_seconds: float | None = None) -> Iterator[None]:
    """Hold DATA_DIR/worker.lock for the block. When it is held, wait up to `wait_seconds` (a worker that
    was told to stop may be finishing its batch), then raise AnotherWorker."""
    if wait_seconds is None:
        wait_seconds = float(os.environ.get(WAIT_ENV, "0") or 0)
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
                    raise AnotherWorker(holder) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock
