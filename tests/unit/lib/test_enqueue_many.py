"""Many jobs of one kind in one statement (the webhooks' overdue tick): the same rows `enqueue` writes, a dedupe
key already queued or repeated in the batch skipped, a job without a key always added."""

from __future__ import annotations

import json
import uuid

from server.lib import jobs
from server.lib.jobs import Job


async def test_enqueue_many_skips_the_keys_already_queued() -> None:
    kind = f"test-{uuid.uuid4().hex[:8]}"
    assert await jobs.enqueue(kind, {"n": 0}, dedupe_key=f"{kind}:0") is not None
    items = [({"n": n}, f"{kind}:{n}") for n in range(4)] + [({"n": 9}, f"{kind}:1"), ({"n": 10}, None)]
    assert await jobs.enqueue_many(kind, items, max_attempts=3) == 4  # 1, 2, 3 and the one without a key
    assert await jobs.enqueue_many(kind, []) == 0
    rows = await Job.select(Job.payload, Job.dedupe_key, Job.state, Job.max_attempts, Job.attempts).where(
        Job.kind == kind).order_by(Job.id)
    assert [json.loads(r["payload"])["n"] for r in rows] == [0, 1, 2, 3, 10]
    assert {(r["state"], r["max_attempts"], r["attempts"]) for r in rows[1:]} == {("queued", 3, 0)}
    assert rows[-1]["dedupe_key"] is None
    await Job.delete().where(Job.kind == kind)  # no worker of another test meets a kind it has no handler for
