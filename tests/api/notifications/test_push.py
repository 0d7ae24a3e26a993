"""Web Push end to end, with no network: subscribe through the API, let the worker send, and check at a
receiver in the suite that the message is signed (VAPID) and encrypted (aes128gcm) for this subscription."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from server import worker
from server.lib import clock
from server.lib.clock import VN_TZ
from server.notifications import services
from server.notifications.tables import Job, Notification, PushSubscription
from tests.api.notifications.receiver import BrowserKeys, Receiver, verify_vapid
from tests.factories import make_task


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    await r.start()
    yield r
    await r.stop()


async def run_jobs_until_idle(job_ids: list[int]) -> None:
    if not worker.HANDLERS:
        worker._builtin_handlers()
    for _ in range(50):
        rows = await Job.select(Job.state).where(Job.id.is_in(job_ids))
        if all(r["state"] in {"done", "failed"} for r in rows):
            return
        await worker.run_once("test-worker", batch=20)
    raise AssertionError("jobs did not finish")


async def push_jobs_for(notification_id: int) -> list[dict]:
    rows = await Job.select().where(Job.kind == "push")
    import json

    return [r for r in rows if json.loads(r["payload"])["notification"] == notification_id]


def latest_ten_oclock_in_vietnam() -> dt.datetime:
    now = dt.datetime.now(VN_TZ)
    ten = now.replace(hour=10, minute=0, second=0, microsecond=0)
    return (ten if ten <= now else ten - dt.timedelta(days=1)).astimezone(dt.UTC)


async def subscribe(client, receiver: Receiver, path: str, keys: BrowserKeys) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/push/subscriptions", json={
        "endpoint": f"{receiver.origin}{path}", "expirationTime": None,
        "keys": {"p256dh": keys.p256dh, "auth": keys.auth},
    })
    assert response.status_code == 201, response.text


async def test_push_is_signed_encrypted_and_deep_linked(nj, client_for, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    j = nj
    officer = await client_for(j.officer)
    key = (await officer.get("/api/v1/push/key")).json()["public_key"]
    assert key == (await officer.get("/api/v1/push/key")).json()["public_key"]  # kept, not regenerated
    phone, old_phone = BrowserKeys(), BrowserKeys()
    await subscribe(officer, receiver, "/push/phone", phone)
    await subscribe(officer, receiver, "/push/gone", old_phone)
    receiver.statuses["/push/gone"] = 410

    task = await make_task(j, title="Khắc phục sạt lở bờ kè", assignees=[j.officer])
    # 10:00 in Vietnam, outside quiet hours, and never in the future: the job it queues must be due now,
    # whatever the hour the suite runs at (10:00 "today" is still ahead between 17:00 and 03:00 UTC).
    clock.freeze(latest_ten_oclock_in_vietnam())
    try:
        [notification_id] = await services.on_task_event("assigned", task["id"], j.leader.id)
    finally:
        clock.freeze(None)
    jobs = await push_jobs_for(notification_id)
    assert len(jobs) == 2
    await run_jobs_until_idle([r["id"] for r in jobs])

    # (Other due jobs may run too, so pick ours by the id inside the encrypted message.)
    [delivered] = [r for r in receiver.received if r.path == "/push/phone" and phone.decrypt(r.body)["id"] ==
                   notification_id]
    headers = {k.lower(): v for k, v in delivered.headers.items()}
    verify_vapid(headers["authorization"], key, receiver.origin)
    assert headers["ttl"] == "86400"
    assert headers["urgency"] == "normal"
    assert headers["content-encoding"] == "aes128gcm"
    assert len(headers["topic"]) <= 32
    message = phone.decrypt(delivered.body)
    assert message["title"] == "Bạn được giao nhiệm vụ: Khắc phục sạt lở bờ kè"
    assert message["url"].endswith(f"/tasks/{task['id']}")
    assert message["id"] == notification_id and "Hạn xử lý" in message["body"]
    # The old phone's push service answered 410: that subscription is gone, the job is done, not retried.
    assert any(r.path == "/push/gone" for r in receiver.received)
    endpoints = {r["endpoint"] for r in await PushSubscription.select().where(PushSubscription.person == j.officer.id)}
    assert endpoints == {f"{receiver.origin}/push/phone"}
    assert {r["state"] for r in await Job.select().where(Job.id.is_in([r["id"] for r in jobs]))} == {"done"}


async def test_quiet_hours_defer_push_but_not_the_inbox(nj, client_for, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    j = nj
    officer = await client_for(j.officer2)
    await subscribe(officer, receiver, "/push/night", BrowserKeys())
    night = dt.datetime(2026, 3, 4, 22, 15, tzinfo=VN_TZ)
    clock.freeze(night.astimezone(dt.UTC))
    try:
        notification_id = await services.notify(j.officer2.id, "overdue", "Quá hạn", link="/tasks/1")
    finally:
        clock.freeze(None)
    assert await Notification.exists().where(Notification.id == notification_id)
    [job] = await push_jobs_for(notification_id)
    assert job["run_at"] == dt.datetime(2026, 3, 5, 7, 0, tzinfo=VN_TZ).astimezone(dt.UTC)
    # A person who turns quiet hours off, and turns comments off, gets the rest at once.
    response = await officer.put("/api/v1/push/settings", json={
        "push_kinds": [k for k in services.EVENT_KINDS if k != "comment"], "quiet_hours": False})
    assert response.status_code == 200 and "comment" not in response.json()["push_kinds"]
    clock.freeze(night.astimezone(dt.UTC))
    try:
        comment = await services.notify(j.officer2.id, "comment", "Ý kiến")
        overdue = await services.notify(j.officer2.id, "overdue", "Quá hạn")
    finally:
        clock.freeze(None)
    assert await push_jobs_for(comment) == []
    [job] = await push_jobs_for(overdue)
    assert job["run_at"] == night.astimezone(dt.UTC)


async def test_subscription_validation_and_unsubscribe(nj, client_for, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    j = nj
    officer = await client_for(j.officer)
    bad = await officer.post("/api/v1/push/subscriptions", json={
        "endpoint": "ftp://example", "keys": {"p256dh": "x", "auth": "y"}})
    assert bad.status_code == 422
    keys = BrowserKeys()
    bad_keys = await officer.post("/api/v1/push/subscriptions", json={
        "endpoint": f"{receiver.origin}/p", "keys": {"p256dh": keys.auth, "auth": keys.auth}})
    assert bad_keys.status_code == 422
    await subscribe(officer, receiver, "/push/unsub", keys)
    other = await client_for(j.officer2)
    endpoint = f"{receiver.origin}/push/unsub"
    assert (await other.request("DELETE", "/api/v1/push/subscriptions", json={"endpoint": endpoint})).status_code == 404
    response = await officer.request("DELETE", "/api/v1/push/subscriptions", json={"endpoint": endpoint})
    assert response.status_code == 200
    assert not await PushSubscription.exists().where(PushSubscription.endpoint == endpoint)
    anonymous = await client_for(None)
    assert (await anonymous.get("/api/v1/push/key")).status_code == 401
