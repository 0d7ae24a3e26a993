"""The access matrix rows of webhooks out (server/webhooks): the admin's alone, over their own commune's
subscriptions ("other_jurisdiction": a second commune's, 404). The URL is a public address literal (no DNS), and
each case deletes what it made, so nothing is ever sent from here."""

from __future__ import annotations

from typing import Any

from server.lib import clock
from tests.api.access.requests import Call, builds
from tests.api.access.statuses import only
from tests.api.access.world import OTHER_JURISDICTION, OWN, World

URL = "https://93.184.216.34/hooks/access-matrix"

EXPECTED = {
    "GET /api/v1/webhooks/subscriptions": {"-": only(200, "admin")},
    "POST /api/v1/webhooks/subscriptions": {"-": only(201, "admin")},
    "PATCH /api/v1/webhooks/subscriptions/{subscription_id}": {OWN: only(200, "admin"),
                                                               OTHER_JURISDICTION: only(404, "admin")},
    "DELETE /api/v1/webhooks/subscriptions/{subscription_id}": {OWN: only(200, "admin"),
                                                                OTHER_JURISDICTION: only(404, "admin")},
    "GET /api/v1/webhooks/deliveries": {"-": only(200, "admin")},
    "POST /api/v1/webhooks/deliveries/{delivery_id}/resend": {OWN: only(202, "admin"),
                                                              OTHER_JURISDICTION: only(404, "admin")},
}


async def _forget(url: str = URL) -> None:
    from server.webhooks.tables import WebhookDelivery, WebhookSubscription

    ids = [r["id"] for r in await WebhookSubscription.select(WebhookSubscription.id).where(
        WebhookSubscription.url == url)]
    if ids:
        await WebhookDelivery.delete().where(WebhookDelivery.subscription.is_in(ids))
        await WebhookSubscription.delete().where(WebhookSubscription.id.is_in(ids))


async def _subscription(w: World, variant: str) -> dict[str, Any]:
    from server.webhooks import services

    j = w.j if variant == OWN else w.j2
    return await services.create_subscription(j.admin, url=URL, events=["task.overdue"])


@builds("GET /api/v1/webhooks/subscriptions")
async def _list(w: World, actor: str, variant: str) -> Call:
    return Call("GET", "/api/v1/webhooks/subscriptions", w.client(actor))


@builds("POST /api/v1/webhooks/subscriptions")
async def _create(w: World, actor: str, variant: str) -> Call:
    return Call("POST", "/api/v1/webhooks/subscriptions", w.client(actor),
                json={"url": URL, "events": ["task.overdue"]}, cleanup=_forget)


@builds("PATCH /api/v1/webhooks/subscriptions/{subscription_id}")
async def _patch(w: World, actor: str, variant: str) -> Call:
    made = await _subscription(w, variant)
    return Call("PATCH", f"/api/v1/webhooks/subscriptions/{made['id']}", w.client(actor), json={"active": False},
                cleanup=_forget)


@builds("DELETE /api/v1/webhooks/subscriptions/{subscription_id}")
async def _delete(w: World, actor: str, variant: str) -> Call:
    made = await _subscription(w, variant)
    return Call("DELETE", f"/api/v1/webhooks/subscriptions/{made['id']}", w.client(actor), cleanup=_forget)


@builds("GET /api/v1/webhooks/deliveries")
async def _deliveries(w: World, actor: str, variant: str) -> Call:
    return Call("GET", "/api/v1/webhooks/deliveries", w.client(actor), params={"state": "failed"})


@builds("POST /api/v1/webhooks/deliveries/{delivery_id}/resend")
async def _resend(w: World, actor: str, variant: str) -> Call:
    from server.webhooks.tables import WebhookDelivery

    made = await _subscription(w, variant)
    rows = await WebhookDelivery.insert(WebhookDelivery(
        subscription=made["id"], event_id="evt_access", event_type="task.overdue", event_key=f"{made['id']}:access",
        body="{}", state="failed", attempts=8, error="HTTP 500", created_at=clock.now(),
    )).returning(WebhookDelivery.id)
    return Call("POST", f"/api/v1/webhooks/deliveries/{rows[0]['id']}/resend", w.client(actor), cleanup=_forget)
