"""The Procfile's worker: `python -m server.worker`. Claims due jobs, runs them, records the outcome.

Any number of workers may run against one database (PostgreSQL: `FOR UPDATE SKIP LOCKED`). SIGTERM and
SIGINT stop it gracefully: the batch in hand is finished, nothing new is claimed. A worker killed outright
(SIGKILL, power loss) leaves its jobs locked until their lease expires; another worker, or this one
restarted, then runs them again, which is why every handler is idempotent.

Environment: WORKER_BATCH (10), WORKER_POLL_SECONDS (2), WORKER_LEASE_SECONDS (300),
WORKER_HANDLER_MODULES (comma-separated modules imported at start that may call `register()`; the tests
use it to add a deliberately slow handler). E-mail: SMTP_URL and MAIL_FROM (server/mail/transport.py); with no
SMTP_URL, messages are kept as .eml files under DATA_DIR/mail (the local sink).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import logging
import os
import signal
import socket
import traceback
import uuid

from server.notifications import jobs
from server.notifications.jobs import PermanentJobError

log = logging.getLogger("dieuhanh.worker")

# The registry lives in jobs.py: `python -m server.worker` runs this file as __main__, and a handler module
# that imports server.worker would otherwise register into a second copy of it.
HANDLERS = jobs.HANDLERS
register = jobs.register


def _builtin_handlers() -> None:
    from server.notifications import services

    register("schedule", services.handle_schedule)
    register("push", services.handle_push)
    # Jobs of kind "email" queued before server/mail existed; new e-mail goes through server/mail ("mail.send").
    register("email", services.handle_email)
    # Each domain with background work keeps it in server/<domain>/jobs.py with a `register_jobs(register)`.
    for name in DOMAIN_JOB_MODULES:
        importlib.import_module(name).register_jobs(register)


DOMAIN_JOB_MODULES = (
    "server.live.jobs", "server.mail.jobs", "server.media.jobs", "server.reports.jobs", "server.dashboard.jobs",
    "server.audit.jobs", "server.backup.jobs", "server.forecast.jobs", "server.webhooks.jobs",
)


def _load_extra_handlers() -> None:
    for module in filter(None, (m.strip() for m in os.environ.get("WORKER_HANDLER_MODULES", "").split(","))):
        importlib.import_module(module)


async def run_job(job: jobs.ClaimedJob, worker_id: str) -> str:
    """Run one claimed job and record its outcome; returns the job's new state."""
    handler = HANDLERS.get(job.kind)
    if handler is None:
        return await jobs.fail(job, worker_id, f"no handler for job kind {job.kind!r}", permanent=True)
    try:
        await handler(job.payload)
    except PermanentJobError as error:
        log.warning("job %s (%s) failed for good: %s", job.id, job.kind, error)
        return await jobs.fail(job, worker_id, f"{type(error).__name__}: {error}", permanent=True)
    except Exception as error:
        log.warning("job %s (%s) attempt %s failed: %s", job.id, job.kind, job.attempts, error)
        return await jobs.fail(job, worker_id, "".join(traceback.format_exception_only(error)).strip())
    await jobs.complete(job.id, worker_id)
    return "done"


def worker_kinds() -> tuple[str, ...]:
    """WORKER_KINDS=mail.send,push: this worker runs only those kinds of job (unset: every kind)."""
    return tuple(k.strip() for k in os.environ.get("WORKER_KINDS", "").split(",") if k.strip())


async def run_once(worker_id: str, batch: int = 10, lease: dt.timedelta = jobs.DEFAULT_LEASE,
                   stop_event: asyncio.Event | None = None) -> int:
    """Claim one batch and run it; returns how many jobs were claimed. Once `stop_event` is set, the jobs of the
    batch not yet started are given back: a graceful stop finishes the job in hand, not ten more."""
    claimed = await jobs.claim_batch(worker_id, batch, lease, worker_kinds())
    for position, job in enumerate(claimed):
        if stop_event is not None and stop_event.is_set():
            await jobs.release(claimed[position:], worker_id)
            break
        await run_job(job, worker_id)
    return len(claimed)


async def run_worker(
    stop_event: asyncio.Event,
    worker_id: str | None = None,
    *,
    batch: int | None = None,
    poll_seconds: float | None = None,
    lease: dt.timedelta | None = None,
    schedule: bool = True,
) -> None:
    """Loop until `stop_event` is set: claim → handle → done/failed; sleep when there is nothing to do."""
    from server.notifications import services

    if not HANDLERS:
        _builtin_handlers()
    worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    batch = batch or int(os.environ.get("WORKER_BATCH", "10"))
    poll = poll_seconds if poll_seconds is not None else float(os.environ.get("WORKER_POLL_SECONDS", "2"))
    lease = lease or dt.timedelta(seconds=float(os.environ.get("WORKER_LEASE_SECONDS", "300")))
    # WORKER_SCHEDULE=0: a worker that only drains the queue (the schedule's ticks are then another worker's).
    if schedule and os.environ.get("WORKER_SCHEDULE", "1") != "0":
        await services.ensure_scheduled()
    log.info("worker %s started", worker_id)
    while not stop_event.is_set():
        try:
            claimed = await run_once(worker_id, batch, lease, stop_event)
        except Exception:  # the database went away for a moment: wait and try again
            log.exception("worker %s: claiming failed", worker_id)
            claimed = 0
        if claimed == 0:
            try:
                await asyncio.wait_for(stop_event.wait(), timeout=poll)
            except TimeoutError:
                pass
    log.info("worker %s stopped", worker_id)


async def main() -> None:
    from server.lib import supervise
    from server.settings import get_settings

    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(name)s %(message)s")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if not supervise.wants_single_worker():
        await _serve(stop)
        return
    try:
        with supervise.single_worker(get_settings().data_dir):
            await _serve(stop)
    except supervise.AnotherWorker as other:
        log.error("another worker (pid %s) already runs on this DATA_DIR: not starting a second one", other.holder)
        raise


async def _serve(stop: asyncio.Event) -> None:
    from server.lib import supervise
    from server.lib.db import close_pool, prepare_database, start_pool

    _builtin_handlers()
    _load_extra_handlers()
    watch = supervise.start_parent_watch(stop.set)  # `make run`'s worker stops with the web process
    await prepare_database()
    await start_pool()
    try:
        await run_worker(stop, os.environ.get("WORKER_ID") or None)
    finally:
        from server.live.hub import close_publisher

        await close_publisher()  # the Redis connection that carries the worker's changes to the live streams
        await close_pool()
        if watch is not None:
            watch.cancel()


if __name__ == "__main__":
    asyncio.run(main())
