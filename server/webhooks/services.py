"""Webhooks out: the admin's subscriptions, the delivery log, a resend by hand, and `publish()`, which the
listeners (listeners.py) call inside the change's own transaction.

A delivery is a row here and a job in the durable queue (server/lib/jobs.py), written in the transaction that made
the change: it exists exactly when the change does, and the worker, which cannot see it before the commit,
sends it after (delivery.py). Every delivery of one event carries the same event id, the receiver's dedupe key.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from dataclasses import dataclass
from typing import Any

from server.audit import services as audit
from server.lib import clock, jobs
from server.lib.actor import Actor
from server.lib.db import insert_rows, write_transaction
from server.lib.errors import Invalid, NotFound
from server.webhooks import addresses, failures, signing
from server.webhooks.tables import DeliveryState, WebhookDelivery, WebhookSubscription

JOB_KIND = "webhooks.deliver"

# What an admin may subscribe to, and how the desk names it.
EVENT_TYPES: dict[str, str] = {
    "task.assigned": "Nhiệm vụ được giao",
    "task.submitted": "Nhiệm vụ gửi kết quả chờ duyệt",
    "task.done": "Nhiệm vụ hoàn thành (được duyệt)",
    "task.returned": "Nhiệm vụ bị trả lại",
    "task.overdue": "Nhiệm vụ đã quá hạn",
    "report.accepted": "Phản ánh được tiếp nhận",
    "report.resolved": "Phản ánh được giải quyết",
}
MAX_DESCRIPTION = 255
MAX_SUBSCRIPTIONS = 50
DELIVERY_PAGE = 100


def max_attempts() -> int:
    """WEBHOOK_MAX_ATTEMPTS (8): with the queue's backoff (30 s, 1, 2, 4 ... min) the last is about an hour on."""
    try:
        return max(1, min(int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "8")), 20))
    except ValueError:
        return 8


def _events_of(values: list[str] | str) -> list[str]:
    items = values.split(",") if isinstance(values, str) else list(values)
    chosen = sorted({str(v).strip() for v in items if str(v).strip()})
    unknown = [v for v in chosen if v not in EVENT_TYPES]
    if unknown:
        raise Invalid("webhook_event_unknown", "Loại sự kiện không hợp lệ", events=unknown)
    if not chosen:
        raise Invalid("webhook_events_required", "Cần chọn ít nhất một loại sự kiện")
    return chosen


def _public(row: dict[str, Any]) -> dict[str, Any]:
    """A subscription as the admin sees it: never the secret after it was shown once."""
    return {"id": row["id"], "url": row["url"], "description": row["description"],
            "events": [e for e in row["events"].split(",") if e], "active": row["active"],
            "scope_path": row["scope_path"], "created_at": row["created_at"], "updated_at": row["updated_at"]}


def _in_scope(actor: Actor) -> Any:
    return WebhookSubscription.scope_path.like(f"{actor.jurisdiction_path}%")


async def create_subscription(actor: Actor, *, url: str, events: list[str] | str,
                              description: str = "") -> dict[str, Any]:
    """Subscribe `url`; the answer carries the signing secret, which is never shown again."""
    url = (url or "").strip()
    chosen = _events_of(events)
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Invalid("webhook_description_too_long", "Mô tả quá dài")
    await addresses.check_url(url)  # refused here already, not only at the first delivery
    if await WebhookSubscription.count().where(_in_scope(actor)) >= MAX_SUBSCRIPTIONS:
        raise Invalid("webhook_too_many", "Đã đạt số đăng ký webhook tối đa")
    secret = signing.new_secret()
    now = clock.now()
    async with write_transaction():
        rows = await WebhookSubscription.insert(WebhookSubscription(
            url=url, description=description, events=",".join(chosen), secret=secret, active=True,
            scope_path=actor.jurisdiction_path, created_by=actor.id, created_at=now, updated_at=now,
        )).returning(WebhookSubscription.id)
        subscription_id = rows[0]["id"]
        # The secret is not in the audit log: anyone reading the log could sign deliveries.
        await audit.record(actor_id=actor.id, actor_name=actor.full_name, action="webhook.subscribe",
                           entity="webhook_subscription", entity_id=subscription_id,
                           after={"url": url, "events": chosen, "description": description})
    return {**(await get_subscription(actor, subscription_id)), "secret": secret}


async def _row(actor: Actor, subscription_id: int) -> dict[str, Any]:
    row = await WebhookSubscription.select().where(
        (WebhookSubscription.id == subscription_id) & _in_scope(actor)).first()
    if row is None:
        raise NotFound("webhook_not_found", "Không tìm thấy đăng ký webhook")
    return row


async def get_subscription(actor: Actor, subscription_id: int) -> dict[str, Any]:
    return _public(await _row(actor, subscription_id))


async def list_subscriptions(actor: Actor) -> list[dict[str, Any]]:
    rows = await WebhookSubscription.select().where(_in_scope(actor)).order_by(WebhookSubscription.id)
    return [_public(row) for row in rows]


async def set_active(actor: Actor, subscription_id: int, active: bool) -> dict[str, Any]:
    row = await _row(actor, subscription_id)
    async with write_transaction():
        await WebhookSubscription.update({WebhookSubscription.active: active,
                                          WebhookSubscription.updated_at: clock.now()}).where(
            WebhookSubscription.id == subscription_id)
        await audit.record(actor_id=actor.id, actor_name=actor.full_name,
                           action="webhook.enable" if active else "webhook.disable",
                           entity="webhook_subscription", entity_id=subscription_id,
                           before={"active": row["active"]}, after={"active": active})
    return await get_subscription(actor, subscription_id)


async def delete_subscription(actor: Actor, subscription_id: int) -> None:
    """The subscription and its delivery log go; a queued delivery finds nothing and does nothing."""
    row = await _row(actor, subscription_id)
    async with write_transaction():
        await WebhookDelivery.delete().where(WebhookDelivery.subscription == subscription_id)
        await WebhookSubscription.delete().where(WebhookSubscription.id == subscription_id)
        await audit.record(actor_id=actor.id, actor_name=actor.full_name, action="webhook.delete",
                           entity="webhook_subscription", entity_id=subscription_id,
                           before={"url": row["url"], "events": row["events"].split(",")})


DELIVERY_COLUMNS = (
    WebhookDelivery.id, WebhookDelivery.subscription, WebhookDelivery.event_id, WebhookDelivery.event_type,
    WebhookDelivery.state, WebhookDelivery.attempts, WebhookDelivery.response_code, WebhookDelivery.error,
    WebhookDelivery.created_at, WebhookDelivery.last_attempt_at, WebhookDelivery.delivered_at,
    WebhookDelivery.subscription.url,
)


def _delivery(row: dict[str, Any]) -> dict[str, Any]:
    """A delivery as the log shows it: `error` is the failure's code (failures.py), `error_detail` its facts."""
    out = {key: row[key] for key in row if key != "subscription.url"}
    out["url"] = row["subscription.url"]
    out["error"], out["error_detail"] = failures.decode(row["error"])
    return out


async def list_deliveries(actor: Actor, *, subscription_id: int | None = None, state: str | None = None,
                          limit: int = DELIVERY_PAGE) -> list[dict[str, Any]]:
    """The delivery log, newest first (status, attempts, the receiver's answer, the time, the error)."""
    if state and state not in {s.value for s in DeliveryState}:
        raise Invalid("webhook_state_invalid", "Trạng thái không hợp lệ")
    where = WebhookDelivery.subscription.scope_path.like(f"{actor.jurisdiction_path}%")
    if subscription_id is not None:
        where &= WebhookDelivery.subscription == subscription_id
    if state:
        where &= WebhookDelivery.state == state
    rows = await WebhookDelivery.select(*DELIVERY_COLUMNS).where(where).order_by(
        WebhookDelivery.id, ascending=False).limit(max(1, min(limit, 500)))
    return [_delivery(row) for row in rows]


async def get_delivery(actor: Actor, delivery_id: int) -> dict[str, Any]:
    row = await WebhookDelivery.select(*DELIVERY_COLUMNS, WebhookDelivery.body).where(
        (WebhookDelivery.id == delivery_id)
        & WebhookDelivery.subscription.scope_path.like(f"{actor.jurisdiction_path}%")).first()
    if row is None:
        raise NotFound("webhook_delivery_not_found", "Không tìm thấy lần gửi webhook")
    return _delivery(row)


async def resend(actor: Actor, delivery_id: int) -> dict[str, Any]:
    """Send a delivery again by hand: the same body and event id (the receiver dedupes), a fresh set of attempts."""
    row = await get_delivery(actor, delivery_id)
    now = clock.now()
    async with write_transaction():
        await WebhookDelivery.update({WebhookDelivery.state: DeliveryState.pending.value,
                                      WebhookDelivery.attempts: 0, WebhookDelivery.error: ""}).where(
            WebhookDelivery.id == delivery_id)
        await jobs.enqueue(JOB_KIND, {"delivery": delivery_id}, max_attempts=max_attempts(),
                           dedupe_key=f"webhook:{delivery_id}:resend:{uuid.uuid4().hex}")
        await audit.record(actor_id=actor.id, actor_name=actor.full_name, action="webhook.resend",
                           entity="webhook_delivery", entity_id=delivery_id,
                           before={"state": row["state"], "attempts": row["attempts"]}, at=now)
    return await get_delivery(actor, delivery_id)


# ------------------------------------------------------------------------------------------------- publishing


async def active_subscriptions(event_type: str) -> list[dict[str, Any]]:
    rows = await WebhookSubscription.select(
        WebhookSubscription.id, WebhookSubscription.events, WebhookSubscription.scope_path,
        WebhookSubscription.created_at,
    ).where(WebhookSubscription.active.eq(True))
    return [row for row in rows if event_type in row["events"].split(",")]


def event_body(event_id: str, event_type: str, data: dict[str, Any], at: dt.datetime) -> str:
    """The JSON sent: compact, UTF-8, its keys in a fixed order (what is signed is exactly what is sent)."""
    envelope = {"id": event_id, "type": event_type, "created_at": clock.as_utc(at).isoformat(), "data": data}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class Event:
    """One event to publish: where it happened (the unit's path), what it says, and `key`, which makes it
    once-only per subscription (an overdue task, noticed at every tick); without a key each event is new.
    `subscriptions`, when given, are the only ones that may hear it (still only those whose scope holds it)."""

    unit_path: str
    data: dict[str, Any]
    key: str | None = None
    subscriptions: list[dict[str, Any]] | None = None


async def publish(event_type: str, unit_path: str, data: dict[str, Any], *, key: str | None = None,
                  subscriptions: list[dict[str, Any]] | None = None) -> list[int]:
    """Queue one delivery of this event per active subscription that wants it and whose scope holds the unit.

    Called inside the change's transaction. `key` makes the event once-only per subscription (an overdue task,
    noticed at every tick); without it each call is a new event. Returns the new deliveries' ids.
    """
    return await publish_many(event_type, [Event(unit_path, data, key)], subscriptions)


async def publish_many(event_type: str, events: list[Event], subscriptions: list[dict[str, Any]] | None = None
                       ) -> list[int]:
    """`publish` of many events of one type, set-based: the deliveries in one INSERT (lib.db.insert_rows) that skips
    those an event key already made, and their jobs in one more. Returns the new deliveries' ids."""
    subscriptions = await active_subscriptions(event_type) if subscriptions is None else subscriptions
    now = clock.now()
    rows: list[tuple[int, str, str, str]] = []  # subscription, event id, event key, body
    for event in events:
        chosen = [s for s in (subscriptions if event.subscriptions is None else event.subscriptions)
                  if event.unit_path.startswith(s["scope_path"])]
        if not chosen:
            continue
        event_id = f"evt_{uuid.uuid4().hex}"
        body = event_body(event_id, event_type, event.data, now)
        rows += [(s["id"], event_id, f"{s['id']}:{event.key or event_id}", body) for s in chosen]
    if not rows:
        return []
    columns = ("subscription", "event_id", "event_type", "event_key", "body", "state", "created_at", "attempts",
               "error")
    async with write_transaction():
        inserted = await insert_rows(WebhookDelivery, columns, [
            (subscription_id, event_id, event_type, event_key, body, DeliveryState.pending.value, now, 0, "")
            for subscription_id, event_id, event_key, body in rows
        ], unique="event_key", returning="id, subscription, event_id")
        await jobs.enqueue_many(JOB_KIND, [({"delivery": r["id"]}, f"webhook:{r['event_id']}:{r['subscription']}")
                                           for r in inserted], max_attempts=max_attempts())
    return [r["id"] for r in inserted]
