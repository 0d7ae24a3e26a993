"""The durable queue: dedupe, claiming, retries with backoff, crashed workers' locks, the failed list."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from server.lib import clock
from server.notifications import jobs
from server.notifications.tables import Job


def kind() -> str:
    # Each test uses its own job kind and claims only through run windows it controls.
    return f"test-{uuid.uuid4().hex[:8]}"


async def claim_kind(worker: str, k: str, n: int = 1000, lease: dt.timedelta = jobs.DEFAULT_LEASE) -> list:
    """Claim, then give back jobs of other kinds (other tests' leftovers) untouched."""
    claimed = await jobs.claim_batch(worker, n, lease)
    mine = [j for j in claimed if j.kind == k]
    for other in claimed:
        if other.kind != k:
            await Job.update({Job.state: "queued", Job.locked_by: None, Job.locked_until: None,
                              Job.attempts: Job.attempts - 1}).where(Job.id == other.id)
    return mine


async def test_enqueue_dedupe_and_claim_once() -> None:
    k = kind()
    first = await jobs.enqueue(k, {"a": 1}, dedupe_key=f"{k}:x")
    again = await jobs.enqueue(k, {"a": 2}, dedupe_key=f"{k}:x")
    other = await jobs.enqueue(k, {"a": 3})
    assert first is not None and again is None and other is not None
    claimed = await claim_kind("w1", k)
    assert [(j.id, j.payload, j.attempts) for j in claimed] == [(first, {"a": 1}, 1), (other, {"a": 3}, 1)]
    assert await claim_kind("w2", k) == []
    assert await jobs.complete(first, "w2") is False  # not the owner
    assert await jobs.complete(first, "w1") is True
    row = await Job.select().where(Job.id == first).first()
    assert row["state"] == "done" and row["locked_by"] is None


async def test_future_jobs_wait_for_their_time() -> None:
    k = kind()
    later = clock.now() + dt.timedelta(hours=1)
    job_id = await jobs.enqueue(k, {}, run_at=later)
    assert await claim_kind("w", k) == []
    clock.freeze(later + dt.timedelta(seconds=1))
    try:
        assert [j.id for j in await claim_kind("w", k)] == [job_id]
    finally:
        clock.freeze(None)


async def test_retries_back_off_then_fail_and_show_to_the_admin() -> None:
    k = kind()
    job_id = await jobs.enqueue(k, {}, max_attempts=3)
    start = clock.now()
    clock.freeze(start)
    try:
        delays = []
        for attempt in range(1, 4):
            [job] = await claim_kind("w", k)
            assert job.attempts == attempt
            state = await jobs.fail(job, "w", f"boom {attempt}")
            row = await Job.select().where(Job.id == job_id).first()
            if attempt < 3:
                assert state == "queued"
                delays.append(row["run_at"] - clock.now())
                assert await claim_kind("w", k) == []  # not before the backoff
                clock.freeze(row["run_at"])
            else:
                assert state == "failed" and row["last_error"] == "boom 3"
        assert delays == [dt.timedelta(seconds=30), dt.timedelta(seconds=60)]
    finally:
        clock.freeze(None)
    failed = await jobs.list_jobs("failed", limit=500)
    assert job_id in {j["id"] for j in failed}
    assert await jobs.retry(job_id) is True
    assert [j.id for j in await claim_kind("w", k)] == [job_id]


async def test_a_crashed_workers_lock_expires_and_the_job_is_reclaimed() -> None:
    k = kind()
    job_id = await jobs.enqueue(k, {}, max_attempts=2)
    [job] = await claim_kind("dead", k, lease=dt.timedelta(seconds=30))
    assert await claim_kind("alive", k) == []
    clock.freeze(clock.now() + dt.timedelta(seconds=31))
    try:
        [again] = await claim_kind("alive", k)
        assert again.id == job_id and again.attempts == 2
        assert await jobs.complete(job_id, "dead") is False  # the dead worker's late answer is ignored
        # The second lease expires too: no attempts left, so it fails instead of running forever.
        clock.freeze(clock.now() + dt.timedelta(minutes=10))
        assert await claim_kind("alive", k) == []
        row = await Job.select().where(Job.id == job_id).first()
        assert row["state"] == "failed"
    finally:
        clock.freeze(None)
    assert job.id == job_id


async def test_concurrent_claims_never_share_a_job() -> None:
    k = kind()
    ids = {await jobs.enqueue(k, {"n": n}) for n in range(30)}
    results = await asyncio.gather(*(claim_kind(f"w{i}", k, n=4) for i in range(6)))
    claimed = [j.id for batch in results for j in batch]
    assert len(claimed) == len(set(claimed))
    assert set(claimed) <= ids
    while rest := await claim_kind("w-last", k):
        claimed += [j.id for j in rest]
    assert sorted(claimed) == sorted(ids)
