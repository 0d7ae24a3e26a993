"""The admin's desk page for webhooks (add, disable, delete, the delivery log, resend by hand), and the overdue
event the worker's tick notices."""

from __future__ import annotations

import datetime as dt
import re

from server.lib import clock, jobs
from server.webhooks.tables import WebhookDelivery, WebhookSubscription
from tests.api.webhooks.helpers import drain, events_of, subscribe, verified
from tests.factories import make_task

TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')
SECRET = re.compile(r"<code>(whsec_[^<]+)</code>")


async def test_the_admin_adds_disables_resends_and_deletes_on_the_desk(j, client_for, receiver, cleanup_subscriptions):  # type: ignore[no-untyped-def]
    desk = await client_for(j.admin, headers={})
    page = await desk.get("/admin/webhooks/")
    assert page.status_code == 200 and "Chưa có đăng ký nào" in page.text and 'href="/admin/webhooks/"' in page.text
    token = TOKEN.search(page.text).group(1)

    refused = await desk.post("/admin/webhooks/", data={"_csrf_token": token, "url": "http://192.168.1.10/hook",
                                                        "events": ["task.assigned"]})
    assert refused.status_code == 422 and "WEBHOOK_ALLOWED_HOSTS" in refused.text
    assert "http://192.168.1.10/hook" in refused.text  # what was typed is kept
    none = await desk.post("/admin/webhooks/", data={"_csrf_token": token, "url": f"{receiver.origin}/hooks/desk"})
    assert none.status_code == 422 and "Cần chọn ít nhất một loại sự kiện" in none.text

    created = await desk.post("/admin/webhooks/", data={
        "_csrf_token": token, "url": f"{receiver.origin}/hooks/desk", "description": "E-office tỉnh",
        "events": ["task.assigned", "task.done"]})
    assert created.status_code == 201, created.text[:500]
    secret = SECRET.search(created.text).group(1)
    [row] = await WebhookSubscription.select().where(WebhookSubscription.url == f"{receiver.origin}/hooks/desk")
    cleanup_subscriptions.append(row["id"])
    assert row["secret"] == secret and row["events"] == "task.assigned,task.done"
    again = await desk.get("/admin/webhooks/")
    assert secret not in again.text and "E-office tỉnh" in again.text  # shown once only
    english = await desk.get("/admin/webhooks/?lang=en")
    assert "Delivery log" in english.text and "Task done (approved)" in english.text
    assert "Nhật ký gửi" not in english.text

    task = await make_task(j, assignees=[j.head])
    await drain()
    [delivered] = events_of(receiver.at("/hooks/desk"), "task", task["id"])
    assert verified(secret, delivered)
    log = await desk.get(f"/admin/webhooks/?subscription={row['id']}")
    [delivery_id] = [r["id"] for r in await WebhookDelivery.select(WebhookDelivery.id).where(
        WebhookDelivery.subscription == row["id"])]
    assert f'data-delivery="{delivery_id}" data-state="delivered"' in log.text and "task.assigned" in log.text

    resent = await desk.post(f"/admin/webhooks/deliveries/{delivery_id}/resend",
                             data={"_csrf_token": token, "subscription": str(row["id"])})
    assert resent.status_code == 303 and "ok=resent" in resent.headers["location"]
    await drain()
    assert len(events_of(receiver.at("/hooks/desk"), "task", task["id"])) == 2

    off = await desk.post(f"/admin/webhooks/{row['id']}/disable", data={"_csrf_token": token})
    assert off.status_code == 303 and "ok=disabled" in off.headers["location"]
    assert "Đã tắt" in (await desk.get(off.headers["location"])).text
    bad = await desk.post(f"/admin/webhooks/{row['id']}/explode", data={"_csrf_token": token})
    assert bad.status_code == 400
    gone = await desk.post(f"/admin/webhooks/{row['id']}/delete", data={"_csrf_token": token})
    assert gone.status_code == 303
    assert not await WebhookSubscription.exists().where(WebhookSubscription.id == row["id"])
    missing = await desk.post(f"/admin/webhooks/{row['id']}/enable", data={"_csrf_token": token})
    assert missing.status_code == 404


async def test_an_overdue_task_is_sent_once_per_deadline(j, client_for, receiver, cleanup_subscriptions):  # type: ignore[no-untyped-def]
    admin = await client_for(j.admin)
    sub = await subscribe(admin, f"{receiver.origin}/hooks/late", ["task.overdue"], cleanup_subscriptions)
    late = await make_task(j, assignees=[j.head], deadline=clock.today_vn() + dt.timedelta(days=2))
    on_time = await make_task(j, assignees=[j.head], deadline=clock.today_vn() + dt.timedelta(days=9))
    clock.freeze(clock.now() + dt.timedelta(days=4))
    try:
        for _ in range(2):  # two ticks of the worker's schedule: one event
            await jobs.enqueue("webhooks.overdue", {})
            await drain()
    finally:
        clock.freeze(None)
    got = [r for r in receiver.at("/hooks/late") if r.event["type"] == "task.overdue"]
    assert [r.event["data"]["task"]["id"] for r in got] == [late["id"]]
    assert on_time["id"] not in {r.event["data"]["task"]["id"] for r in got}
    assert got[0].event["data"]["task"]["deadline"] == late["deadline"].isoformat()
    assert verified(sub["secret"], got[0])
