"""Webhooks out, end to end over HTTP: an admin subscribes a receiver started by the test; each state change of a
task and of a citizen's report reaches it signed; a 500 is retried; a redirect is not followed; an address the
allow-list refuses is refused at subscription and at delivery; a delivery is resent by hand; no one else may."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.lib import clock
from server.webhooks import failures
from server.webhooks.tables import WebhookDelivery
from tests.api.webhooks.helpers import TASK_EVENTS, drain, events_of, subscribe, verified
from tests.factories import make_task
from tests.unit.reports.helpers import SECRET_EMAIL, SECRET_NAME, make_category, make_report, resolve_through_task


async def _deliveries(subscription_id: int) -> list[dict[str, Any]]:
    return list(await WebhookDelivery.select().where(WebhookDelivery.subscription == subscription_id).order_by(
        WebhookDelivery.id))


async def test_each_state_change_of_a_task_is_delivered_signed(j, client_for, receiver, cleanup_subscriptions):  # type: ignore[no-untyped-def]
    admin = await client_for(j.admin)
    sub = await subscribe(admin, f"{receiver.origin}/hooks/tasks", TASK_EVENTS, cleanup_subscriptions)
    assert sub["secret"].startswith("whsec_") and sub["events"] == sorted(TASK_EVENTS)
    listed = (await admin.get("/api/v1/webhooks/subscriptions")).json()
    assert [s["id"] for s in listed] == [sub["id"]] and "secret" not in listed[0]  # shown once only

    task = await make_task(j, title="Nạo vét kênh Xáng", assignees=[j.head])  # the leader assigns it
    head, leader = await client_for(j.head), await client_for(j.leader)
    for client, body in ((head, {"action": "start"}), (head, {"action": "submit", "note": "Đã nạo vét"}),
                         (leader, {"action": "return", "reason": "Thiếu ảnh sau khi làm"}),
                         (head, {"action": "submit", "note": "Bổ sung ảnh"}), (leader, {"action": "approve"})):
        response = await client.post(f"/api/v1/tasks/{task['id']}/transitions", json=body)
        assert response.status_code == 200, response.text
    assert receiver.received == []  # nothing is sent by the request itself: the worker sends, after commit
    await drain()

    got = events_of(receiver.at("/hooks/tasks"), "task", task["id"])
    assert [r.event["type"] for r in got] == ["task.assigned", "task.submitted", "task.returned", "task.submitted",
                                              "task.done"]  # "start" is not an event
    assert [r.event["data"]["task"]["state"] for r in got] == ["assigned", "submitted", "returned", "submitted",
                                                               "done"]
    for r in got:
        assert verified(sub["secret"], r)
        assert r.header("X-Dieuhanh-Event-Id") == r.event["id"] and r.header("X-Dieuhanh-Event") == r.event["type"]
        assert r.header("Content-Type").startswith("application/json")
        t = int(r.header("X-Dieuhanh-Signature").split(",")[0].removeprefix("t="))
        assert abs(t - clock.now().timestamp()) < 300
        assert not verified("whsec_someone_else", r)
    assert len({r.event["id"] for r in got}) == 5  # one id per event: the receiver's dedupe key
    first = got[0].event["data"]["task"]
    assert first["title"] == "Nạo vét kênh Xáng" and first["unit"]["code"] == j.dept.code
    assert first["deadline"] == task["deadline"].isoformat()
    log = (await admin.get("/api/v1/webhooks/deliveries", params={"subscription_id": sub["id"]})).json()
    assert {d["state"] for d in log} == {"delivered"} and {d["response_code"] for d in log} == {200}
    assert all(d["attempts"] == 1 and d["delivered_at"] for d in log)


async def test_a_reports_acceptance_and_resolution_are_delivered_without_private_data(  # type: ignore[no-untyped-def]
        j, client_for, receiver, cleanup_subscriptions):
    admin = await client_for(j.admin)
    sub = await subscribe(admin, f"{receiver.origin}/hooks/reports", ["report.accepted", "report.resolved"],
                          cleanup_subscriptions)
    report = await make_report(await make_category(j), phone="0911222333")
    await resolve_through_task(j, report["id"])
    await drain()
    got = events_of(receiver.at("/hooks/reports"), "report", report["id"])
    assert [r.event["type"] for r in got] == ["report.accepted", "report.resolved"]
    assert [r.event["data"]["report"]["state"] for r in got] == ["accepted", "resolved"]
    for r in got:
        assert verified(sub["secret"], r)
        text = r.body.decode()
        for private in (SECRET_NAME, SECRET_EMAIL, "0911222333", "Nước máy có màu lạ", "10.7531"):
            assert private not in text
        assert r.event["data"]["report"]["code"] == report["code"]
        assert r.event["data"]["report"]["unit"]["code"] == j.dept.code


async def test_a_500_is_retried_and_delivered_later_and_resent_by_hand(  # type: ignore[no-untyped-def]
        j, client_for, receiver, cleanup_subscriptions):
    receiver.answers["/hooks/flaky"] = [500, 200]
    admin = await client_for(j.admin)
    sub = await subscribe(admin, f"{receiver.origin}/hooks/flaky", ["task.assigned"], cleanup_subscriptions)
    await make_task(j, assignees=[j.head])
    await drain()
    [delivery] = await _deliveries(sub["id"])
    assert (delivery["state"], delivery["attempts"], delivery["response_code"]) == ("retrying", 1, 500)
    assert failures.decode(delivery["error"]) == ("http_status", {"status": 500})
    clock.freeze(clock.now() + dt.timedelta(minutes=2))  # past the queue's first backoff (30 s)
    try:
        await drain()
    finally:
        clock.freeze(None)
    [delivery] = await _deliveries(sub["id"])
    assert (delivery["state"], delivery["attempts"], delivery["response_code"]) == ("delivered", 2, 200)
    first, second = receiver.at("/hooks/flaky")
    assert first.body == second.body and first.event["id"] == second.event["id"]  # the same event, again
    assert verified(sub["secret"], first) and verified(sub["secret"], second)

    resent = await admin.post(f"/api/v1/webhooks/deliveries/{delivery['id']}/resend")
    assert resent.status_code == 202 and resent.json()["state"] == "pending"
    await drain()
    assert len(receiver.at("/hooks/flaky")) == 3 and receiver.at("/hooks/flaky")[2].event["id"] == first.event["id"]
    [delivery] = await _deliveries(sub["id"])
    assert (delivery["state"], delivery["attempts"]) == ("delivered", 1)


async def test_retries_give_up_after_the_last_attempt(j, client_for, receiver, cleanup_subscriptions, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WEBHOOK_MAX_ATTEMPTS", "2")
    receiver.answers["/hooks/down"] = [503]
    admin = await client_for(j.admin)
    sub = await subscribe(admin, f"{receiver.origin}/hooks/down", ["task.assigned"], cleanup_subscriptions)
    await make_task(j, assignees=[j.head])
    await drain()
    clock.freeze(clock.now() + dt.timedelta(minutes=2))
    try:
        await drain()
    finally:
        clock.freeze(None)
    [delivery] = await _deliveries(sub["id"])
    assert (delivery["state"], delivery["attempts"], delivery["response_code"]) == ("failed", 2, 503)
    assert failures.decode(delivery["error"]) == ("http_status", {"status": 503, "gave_up_after": 2})
    failed = (await admin.get("/api/v1/webhooks/deliveries", params={"state": "failed"})).json()
    assert delivery["id"] in {d["id"] for d in failed}


async def test_a_redirect_is_not_followed(j, client_for, receiver, cleanup_subscriptions):  # type: ignore[no-untyped-def]
    receiver.answers["/hooks/moved"] = [302]
    receiver.redirects["/hooks/moved"] = f"{receiver.origin}/hooks/elsewhere"
    admin = await client_for(j.admin)
    sub = await subscribe(admin, f"{receiver.origin}/hooks/moved", ["task.assigned"], cleanup_subscriptions)
    await make_task(j, assignees=[j.head])
    await drain()
    [delivery] = await _deliveries(sub["id"])
    assert (delivery["state"], delivery["response_code"], delivery["attempts"]) == ("failed", 302, 1)
    assert failures.decode(delivery["error"]) == ("redirect", {"status": 302,
                                                           "location": f"{receiver.origin}/hooks/elsewhere"})
    assert len(receiver.at("/hooks/moved")) == 1 and receiver.at("/hooks/elsewhere") == []


async def test_an_address_not_allowed_is_refused_at_subscription_and_at_delivery(  # type: ignore[no-untyped-def]
        j, client_for, receiver, cleanup_subscriptions, monkeypatch):
    admin = await client_for(j.admin)
    for url, code in (("http://10.20.30.40/hook", "webhook_address_refused"),
                      ("http://169.254.169.254/latest/meta-data", "webhook_address_refused"),
                      ("ftp://127.0.0.1/hook", "webhook_scheme"), ("http://user:pw@127.0.0.1/x", "webhook_url_invalid"),
                      ("not a url", "webhook_scheme")):
        refused = await admin.post("/api/v1/webhooks/subscriptions", json={"url": url, "events": ["task.done"]})
        assert refused.status_code == 422 and refused.json()["error"]["code"] == code, (url, refused.text)
    bad_event = await admin.post("/api/v1/webhooks/subscriptions", json={"url": f"{receiver.origin}/x",
                                                                         "events": ["task.deleted"]})
    assert bad_event.status_code == 422 and bad_event.json()["error"]["code"] == "webhook_event_unknown"
    monkeypatch.delenv("WEBHOOK_ALLOWED_HOSTS")  # by default loopback and private addresses are refused
    refused = await admin.post("/api/v1/webhooks/subscriptions", json={"url": f"{receiver.origin}/hooks/x",
                                                                       "events": ["task.assigned"]})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "webhook_address_refused"

    monkeypatch.setenv("WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")
    sub = await subscribe(admin, f"{receiver.origin}/hooks/later", ["task.assigned"], cleanup_subscriptions)
    monkeypatch.setenv("WEBHOOK_ALLOWED_HOSTS", "10.0.0.0/8, eoffice.example.gov.vn")  # the admin narrowed it
    await make_task(j, assignees=[j.head])
    await drain()
    [delivery] = await _deliveries(sub["id"])
    assert (delivery["state"], delivery["attempts"], delivery["response_code"]) == ("failed", 1, None)
    assert failures.decode(delivery["error"]) == ("address_refused", {"host": "127.0.0.1", "address": "127.0.0.1"})
    assert receiver.at("/hooks/later") == []


async def test_a_disabled_subscription_is_not_sent_and_a_deleted_one_is_gone(  # type: ignore[no-untyped-def]
        j, client_for, receiver, cleanup_subscriptions):
    admin = await client_for(j.admin)
    sub = await subscribe(admin, f"{receiver.origin}/hooks/off", ["task.assigned"], cleanup_subscriptions)
    off = await admin.patch(f"/api/v1/webhooks/subscriptions/{sub['id']}", json={"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    await make_task(j, assignees=[j.head])
    await drain()
    assert receiver.at("/hooks/off") == [] and await _deliveries(sub["id"]) == []
    assert (await admin.delete(f"/api/v1/webhooks/subscriptions/{sub['id']}")).status_code == 200
    assert (await admin.get("/api/v1/webhooks/subscriptions")).json() == []
    assert (await admin.delete(f"/api/v1/webhooks/subscriptions/{sub['id']}")).status_code == 404


async def test_only_the_admin_manages_webhooks(j, client_for, receiver, cleanup_subscriptions):  # type: ignore[no-untyped-def]
    admin = await client_for(j.admin)
    sub = await subscribe(admin, f"{receiver.origin}/hooks/mine", ["task.done"], cleanup_subscriptions)
    for person in (j.leader, j.head, j.officer, j.receptionist):
        client = await client_for(person)
        assert (await client.get("/api/v1/webhooks/subscriptions")).status_code == 403
        assert (await client.get("/api/v1/webhooks/deliveries")).status_code == 403
        created = await client.post("/api/v1/webhooks/subscriptions",
                                    json={"url": f"{receiver.origin}/hooks/theirs", "events": ["task.done"]})
        assert created.status_code == 403
        assert (await client.delete(f"/api/v1/webhooks/subscriptions/{sub['id']}")).status_code == 403
        desk = await client_for(person, headers={})
        assert (await desk.get("/admin/webhooks/")).status_code == 403
    anonymous = await client_for(None)
    assert (await anonymous.get("/api/v1/webhooks/subscriptions")).status_code == 401
