"""The worker's tick announces overdue tasks set-based: the same few statements for one late task or many,
each task once per deadline and subscription, and none outside a subscription's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.lib import clock
from server.webhooks import jobs as webhook_jobs
from server.webhooks.tables import WebhookDelivery, WebhookSubscription
from tests.api.webhooks.helpers import drain, subscribe
from tests.factories import make_task
from tests.statements import recorded


async def _tick(monkeypatch: Any, days: int) -> tuple[int, list[str]]:
    """One overdue tick `days` from now: how many deliveries it queued, and the statements it ran."""
    clock.freeze(clock.now() + dt.timedelta(days=days))
    try:
        with recorded(monkeypatch) as statements:
            created = await webhook_jobs.publish_overdue()
    finally:
        clock.freeze(None)
    return created, statements


async def test_many_late_tasks_take_the_statements_of_one(  # type: ignore[no-untyped-def]
        j, client_for, receiver, cleanup_subscriptions, monkeypatch):
    admin = await client_for(j.admin)
    sub = await subscribe(admin, f"{receiver.origin}/hooks/overdue", ["task.overdue"], cleanup_subscriptions)
    now = clock.now()
    elsewhere = await WebhookSubscription.insert(WebhookSubscription(
        url=f"{receiver.origin}/hooks/elsewhere", events="task.overdue", secret="whsec_x", active=True,
        scope_path="/no-such-unit/", created_at=now, updated_at=now)).returning(WebhookSubscription.id)
    cleanup_subscriptions.append(elsewhere[0]["id"])
    deadline = clock.today_vn() + dt.timedelta(days=2)
    first = [await make_task(j, assignees=[j.head], deadline=deadline)]
    created_one, one = await _tick(monkeypatch, 4)
    more = [await make_task(j, assignees=[j.head], deadline=deadline) for _ in range(6)]
    created_many, many = await _tick(monkeypatch, 4)
    assert created_one >= 1 and created_many >= 6
    assert len(many) == len(one) <= 5, many  # subscriptions, tasks, what was queued, deliveries, jobs
    again, quiet = await _tick(monkeypatch, 5)  # a later tick: nothing new, nothing written
    assert again == 0 and len(quiet) < len(one)

    late = {t["id"] for t in first + more}
    keys = [r["event_key"] for r in await WebhookDelivery.select(WebhookDelivery.event_key).where(
        WebhookDelivery.subscription == sub["id"])]
    mine = [k for k in keys if int(k.split(":")[2]) in late]
    assert sorted(mine) == sorted(f"{sub['id']}:overdue:{t}:{deadline.isoformat()}" for t in late)
    assert not await WebhookDelivery.exists().where(WebhookDelivery.subscription == elsewhere[0]["id"])
    clock.freeze(clock.now() + dt.timedelta(days=5))  # the jobs were queued at the tick's time
    try:
        await drain()
    finally:
        clock.freeze(None)
    sent = [r.event["data"]["task"]["id"] for r in receiver.at("/hooks/overdue") if r.event["type"] == "task.overdue"]
    assert sorted(t for t in sent if t in late) == sorted(late)
