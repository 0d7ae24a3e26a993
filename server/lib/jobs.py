"""The durable job queue: jobs live in the database, so a crash loses nothing and a restart resumes.

- `enqueue()` adds a job; a `dedupe_key` that already exists makes it a no-op (two schedulers, one job).
- `claim_batch()` takes up to n due jobs for one worker: on PostgreSQL with `FOR UPDATE SKIP LOCKED`
  (two workers never take the same row and never wait for each other), on SQLite inside an IMMEDIATE
  transaction (one writer at a time). A running job whose lock has expired belonged to a crashed worker
  and is claimed again.
- `complete()` / `fail()` only touch a job still locked by the caller, so a worker that lost its lock
  (it was too slow, the job was reclaimed) cannot overwrite the new owner's result.
- A failed attempt is retried after an exponential backoff; after `max_attempts` the job is `failed`
  and shows in the admin's list.

Handlers must be idempotent: a worker killed after the work and before `complete()` runs it again.
The handlers here are (inbox and reminders use UNIQUE dedupe keys; push uses a Topic header).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.lib import clock
from server.lib.db import insert_rows, is_sqlite, write_transaction


# The table belongs to the notifications Piccolo app (its migrations created it there): server/notifications/
# piccolo_app.py finds it in this module, so the queue needs no domain.
class JobState(str, Enum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class Job(Table, tablename="jobs"):
    """One unit of background work. A worker claims it by setting `locked_by` and `locked_until`;
    a lock past `locked_until` belongs to a crashed worker and is claimed again."""

    kind = Varchar(length=64)
    payload = Text(default="{}")
    state = Varchar(length=16, choices=JobState, default=JobState.queued.value, index=True)
    run_at = Timestamptz(index=True)
    attempts = Integer(default=0)
    max_attempts = Integer(default=5)
    locked_by = Varchar(length=128, null=True, default=None)
    locked_until = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    # Enqueueing the same key twice is a no-op: two schedulers, one job.
    dedupe_key = Varchar(length=255, null=True, default=None, unique=True)
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)


DEFAULT_LEASE = dt.timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 6 * 3600
MAX_ERROR_LENGTH = 4000


Handler = Callable[[dict[str, Any]], Awaitable[Any]]
# kind → handler; server.worker registers the built-in ones, WORKER_HANDLER_MODULES may add more.
HANDLERS: dict[str, Handler] = {}


# Job kinds queued once per schedule tick (maintenance that must run regularly: retention, aggregates).
PERIODIC: list[str] = []


class PermanentJobError(Exception):
    """A failure that another attempt cannot fix: the job fails at once (raised by any domain's handler)."""


def register(kind: str, handler: Handler, *, every_tick: bool = False) -> None:
    """Register the handler of a job kind; `every_tick` also queues one such job per schedule tick."""
    HANDLERS[kind] = handler
    if every_tick and kind not in PERIODIC:
        PERIODIC.append(kind)


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 60 s, 120 s, … after the 1st, 2nd, 3rd failure; at most six hours."""
    return dt.timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


async def enqueue(
    kind: str,
    payload: dict[str, Any] | None = None,
    run_at: dt.datetime | None = None,
    dedupe_key: str | None = None,
    max_attempts: int = 5,
) -> int | None:
    """Add a job; returns its id, or None when a job with this dedupe key already exists."""
    now = clock.now()
    rows = await insert_rows(Job, JOB_COLUMNS, [_job_row(kind, payload or {}, dedupe_key, max_attempts, now,
                                                          clock.as_utc(run_at) if run_at else now)],
                             unique="dedupe_key")
    return rows[0]["id"] if rows else None


JOB_COLUMNS = ("kind", "payload", "state", "run_at", "max_attempts", "dedupe_key", "created_at", "attempts",
               "last_error")


def _job_row(kind: str, payload: dict[str, Any], dedupe_key: str | None, max_attempts: int, now: dt.datetime,
             run_at: dt.datetime) -> tuple[Any, ...]:
    return (kind, json.dumps(payload, default=str, ensure_ascii=False), JobState.queued.value, run_at, max_attempts,
            dedupe_key, now, 0, "")


async def enqueue_many(kind: str, items: Sequence[tuple[dict[str, Any], str | None]], max_attempts: int = 5) -> int:
    """`enqueue` of many jobs of one kind, (payload, dedupe key) each, in one statement per INSERT_CHUNK (lib.db): a
    key that already exists is skipped. Returns how many were added."""
    now = clock.now()
    rows = [_job_row(kind, payload, dedupe_key, max_attempts, now, now) for payload, dedupe_key in items]
    return len(await insert_rows(Job, JOB_COLUMNS, rows, unique="dedupe_key"))


async def claim_batch(worker_id: str, n: int = 10, lease: dt.timedelta = DEFAULT_LEASE,
                      kinds: Sequence[str] = ()) -> list[ClaimedJob]:
    """Lock up to n due jobs for this worker and count an attempt on each (of `kinds` only, when given: a worker
    kept for mail and push is never behind a night's batch of model fits)."""
    now = clock.now()
    only = f" AND kind IN ({', '.join('{}' for _ in kinds)})" if kinds else ""
    until = now + lease
    lock = "" if is_sqlite() else " FOR UPDATE SKIP LOCKED"
    async with write_transaction():
        # A crashed worker's job that has used every attempt is failed rather than run again forever.
        await Job.raw(
            "UPDATE jobs SET state = {}, locked_by = NULL, locked_until = NULL, finished_at = {},"
            " last_error = 'lock expired after the last attempt'"
            " WHERE state = {} AND locked_until < {} AND attempts >= max_attempts",
            JobState.failed.value, now, JobState.running.value, now,
        )
        rows = await Job.raw(
            "UPDATE jobs SET state = {}, locked_by = {}, locked_until = {}, attempts = attempts + 1"
            " WHERE id IN (SELECT id FROM jobs"
            "  WHERE ((state = {} AND run_at <= {}) OR (state = {} AND locked_until < {}))"
            f"{only}  ORDER BY run_at, id LIMIT {{}}{lock})"
            " RETURNING id, kind, payload, attempts, max_attempts",
            JobState.running.value, worker_id, until,
            JobState.queued.value, now, JobState.running.value, now, *kinds, n,
        )
    return [
        ClaimedJob(row["id"], row["kind"], json.loads(row["payload"] or "{}"), row["attempts"], row["max_attempts"])
        for row in sorted(rows, key=lambda r: r["id"])
    ]


async def complete(job_id: int, worker_id: str) -> bool:
    rows = await Job.raw(
        "UPDATE jobs SET state = {}, locked_by = NULL, locked_until = NULL, finished_at = {}, last_error = ''"
        " WHERE id = {} AND state = {} AND locked_by = {} RETURNING id",
        JobState.done.value, clock.now(), job_id, JobState.running.value, worker_id,
    )
    return bool(rows)


async def fail(job: ClaimedJob, worker_id: str, error: str, *, permanent: bool = False) -> str:
    """Record a failed attempt: queued again after a backoff, or failed for good. Returns the new state."""
    now = clock.now()
    error = error[:MAX_ERROR_LENGTH]
    if permanent or job.attempts >= job.max_attempts:
        state, run_at, finished = JobState.failed.value, now, now
    else:
        state, run_at, finished = JobState.queued.value, now + backoff(job.attempts), None
    await Job.raw(
        "UPDATE jobs SET state = {}, run_at = {}, finished_at = {}, last_error = {}, locked_by = NULL,"
        " locked_until = NULL WHERE id = {} AND state = {} AND locked_by = {}",
        state, run_at, finished, error, job.id, JobState.running.value, worker_id,
    )
    return state


async def release(claimed: Sequence[ClaimedJob], worker_id: str) -> None:
    """Give back claimed jobs that were never started (a stopping worker's rest of its batch), in one statement:
    queued again at once, their attempt not counted, for the next worker rather than after the lease runs out."""
    if not claimed:
        return
    ids = ", ".join(str(int(job.id)) for job in claimed)  # our own integers
    await Job.raw(
        "UPDATE jobs SET state = {}, attempts = attempts - 1, locked_by = NULL, locked_until = NULL"
        f" WHERE id IN ({ids}) AND state = {{}} AND locked_by = {{}}",
        JobState.queued.value, JobState.running.value, worker_id,
    )


async def extend_lease(job_id: int, worker_id: str, lease: dt.timedelta = DEFAULT_LEASE) -> None:
    await Job.raw(
        "UPDATE jobs SET locked_until = {} WHERE id = {} AND locked_by = {} AND state = {}",
        clock.now() + lease, job_id, worker_id, JobState.running.value,
    )


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "payload": json.loads(row["payload"] or "{}"),
        "state": row["state"],
        "run_at": row["run_at"],
        "attempts": row["attempts"],
        "max_attempts": row["max_attempts"],
        "locked_by": row["locked_by"],
        "last_error": row["last_error"],
        "created_at": row["created_at"],
        "finished_at": row["finished_at"],
    }


async def list_jobs(state: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    query = Job.select().order_by(Job.id, ascending=False).limit(limit)
    if state:
        query = query.where(Job.state == state)
    return [_public(row) for row in await query]


async def retry(job_id: int) -> bool:
    """The admin's "run it again" for a failed job: a fresh set of attempts, now."""
    rows = await Job.raw(
        "UPDATE jobs SET state = {}, attempts = 0, run_at = {}, finished_at = NULL WHERE id = {} AND state = {}"
        " RETURNING id",
        JobState.queued.value, clock.now(), job_id, JobState.failed.value,
    )
    return bool(rows)


async def purge_finished(older_than: dt.timedelta = dt.timedelta(days=14)) -> None:
    """Done jobs are history; their dedupe keys are past slots that are never enqueued again."""
    await Job.raw(
        "DELETE FROM jobs WHERE state = {} AND finished_at < {}", JobState.done.value, clock.now() - older_than
    )
