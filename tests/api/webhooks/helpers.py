"""Shared steps of the webhooks' tests: subscribe through the API, run the job queue, check a signature."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from server import worker
from tests.api.webhooks.receiver import Received

TASK_EVENTS = ["task.assigned", "task.submitted", "task.returned", "task.done"]


async def subscribe(client: Any, url: str, events: list[str], made: list[int]) -> dict[str, Any]:
    response = await client.post("/api/v1/webhooks/subscriptions", json={"url": url, "events": events,
                                                                         "description": "Hệ thống e-office"})
    assert response.status_code == 201, response.text
    made.append(response.json()["id"])
    return response.json()


async def drain(rounds: int = 30) -> None:
    """Run the job queue as a worker would, until nothing due is left (retries wait for their backoff)."""
    if "webhooks.deliver" not in worker.HANDLERS:  # another test may have registered a handler of its own first
        worker._builtin_handlers()
    for _ in range(rounds):
        if await worker.run_once("test-webhooks", batch=50) == 0:
            return
    raise AssertionError("the job queue did not settle")


def verified(secret: str, received: Received) -> bool:
    """What the receiver does (docs/operations.md): HMAC-SHA256 of "t.body" with the secret, in constant time."""
    fields = dict(part.split("=", 1) for part in received.header("X-Dieuhanh-Signature").split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + received.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def events_of(received: list[Received], kind: str, subject_id: int) -> list[Received]:
    return [r for r in received if kind in r.event["data"] and r.event["data"][kind]["id"] == subject_id]
