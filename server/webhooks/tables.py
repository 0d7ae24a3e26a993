"""Outgoing webhooks: who is told (a subscription: a URL, its events, its signing secret) and what was sent."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.people.tables import Person


class DeliveryState(str, Enum):
    pending = "pending"  # queued, not tried yet (or resent by hand)
    retrying = "retrying"  # an attempt failed in a way another may fix (network, 5xx, 429): the queue will retry
    delivered = "delivered"  # the receiver answered 2xx
    failed = "failed"  # given up: attempts used, or refused for good (3xx, 4xx, an address not allowed)


class WebhookSubscription(Table, tablename="webhook_subscriptions"):
    url = Varchar(length=2048)
    description = Varchar(length=255, default="")
    # The event types, comma-separated (services.EVENT_TYPES).
    events = Text(default="")
    # The signing key: kept as such, since every delivery is signed with it; shown to the admin once.
    secret = Varchar(length=128)
    active = Boolean(default=True)
    # Only events of tasks and reports under this unit path (the admin's jurisdiction) are sent.
    scope_path = Varchar(length=512, default="/")
    created_by = ForeignKey(references=Person, null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class WebhookDelivery(Table, tablename="webhook_deliveries"):
    subscription = ForeignKey(references=WebhookSubscription, index=True)
    # The event's id, the same in every attempt and resend: the receiver's dedupe key.
    event_id = Varchar(length=64, index=True)
    event_type = Varchar(length=32)
    # "<subscription>:<what makes the event one>": one delivery per subscription and event (an overdue task is
    # noticed by every tick of the worker; it is sent once per deadline).
    event_key = Varchar(length=255, unique=True)
    # The exact body sent (JSON): every attempt sends the same bytes.
    body = Text(default="{}")
    state = Varchar(length=16, choices=DeliveryState, default=DeliveryState.pending.value, index=True)
    attempts = Integer(default=0)
    response_code = Integer(null=True, default=None)
    error = Text(default="")
    created_at = Timestamptz(index=True)
    last_attempt_at = Timestamptz(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)
