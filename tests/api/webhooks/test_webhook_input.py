"""Bad input to the webhooks' routes is a 4xx, never a 500, and writes nothing."""

from __future__ import annotations

import re

from server.webhooks.tables import WebhookSubscription

TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def test_bad_ids_and_bodies_are_refused(j, client_for):  # type: ignore[no-untyped-def]
    admin = await client_for(j.admin)
    for method, path, body in (
        ("PATCH", "/api/v1/webhooks/subscriptions/99999999999999999999", {"active": False}),
        ("PATCH", "/api/v1/webhooks/subscriptions/0", {"active": False}),
        ("DELETE", "/api/v1/webhooks/subscriptions/9223372036854775808", None),
        ("POST", "/api/v1/webhooks/deliveries/99999999999999/resend", None),
        ("PATCH", "/api/v1/webhooks/subscriptions/1", {"active": "sometimes"}),
        ("POST", "/api/v1/webhooks/subscriptions", {"url": 5, "events": "task.done"}),
        ("POST", "/api/v1/webhooks/subscriptions", {"url": "http://x", "events": [], "extra": 1}),
        # A host name with an empty label fails IDNA encoding inside getaddrinfo (a UnicodeError, not an OSError).
        ("POST", "/api/v1/webhooks/subscriptions", {"url": "http://a..b.com/hook", "events": ["task.done"]}),
    ):
        response = await admin.request(method, path, json=body)
        assert 400 <= response.status_code < 500, (method, path, response.status_code, response.text[:200])
    for params in ({"state": "lost"}, {"limit": "0"}, {"subscription_id": "-3"}, {"subscription_id": "9" * 30}):
        response = await admin.get("/api/v1/webhooks/deliveries", params=params)
        assert 400 <= response.status_code < 500, (params, response.text[:200])
    long_description = await admin.post("/api/v1/webhooks/subscriptions", json={
        "url": "https://93.184.216.34/x", "events": ["task.done"], "description": "x" * 300})
    assert long_description.status_code == 422
    assert not await WebhookSubscription.exists().where(WebhookSubscription.scope_path == j.root.path)

    desk = await client_for(j.admin, headers={})
    token = TOKEN.search((await desk.get("/admin/webhooks/")).text).group(1)
    for path in ("/admin/webhooks/99999999999999999999/delete", "/admin/webhooks/deliveries/99999999999999/resend"):
        response = await desk.post(path, data={"_csrf_token": token})
        assert 400 <= response.status_code < 500, (path, response.status_code)
    assert (await desk.get("/admin/webhooks/?subscription=99999999999999999999")).status_code == 400
