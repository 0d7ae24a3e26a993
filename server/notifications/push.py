"""Web Push with pywebpush: the server's VAPID keys, sending one encrypted message to one subscription (the
"push" job, `handle_push`), and the browsers' subscriptions.

The key pair is generated at first start and kept in the database (table `vapid_keys`), so every web and
worker process signs with the same key and subscriptions survive restarts and new machines.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import aiohttp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from pywebpush import WebPushException, webpush_async

from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Invalid
from server.notifications.inbox import _absolute
from server.notifications.jobs import PermanentJobError
from server.notifications.tables import Notification, PushSubscription, VapidKey
from server.settings import get_settings

# A reminder that is a day old is no longer worth waking a phone for.
DEFAULT_TTL_SECONDS = 24 * 3600
URGENCIES = ("very-low", "low", "normal", "high")
SEND_TIMEOUT_SECONDS = 15

_cache: tuple[str, Vapid] | None = None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _public_key_of(private_key: ec.EllipticCurvePrivateKey) -> str:
    raw = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64url(raw)


async def vapid_keys() -> tuple[str, Vapid]:
    """(application server public key, signer): created once, whoever asks first, then kept."""
    global _cache
    if _cache is not None:
        return _cache
    row = await VapidKey.select().where(VapidKey.name == "default").first()
    if row is None:
        private_key = ec.generate_private_key(ec.SECP256R1())
        pem = private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        # Two processes starting together: one insert wins, both read the winner's key.
        await VapidKey.raw(
            "INSERT INTO vapid_keys (name, private_pem, public_key, created_at) VALUES ({}, {}, {}, {})"
            " ON CONFLICT (name) DO NOTHING",
            "default", pem, _public_key_of(private_key), clock.now(),
        )
        row = await VapidKey.select().where(VapidKey.name == "default").first()
    assert row is not None
    key = serialization.load_pem_private_key(row["private_pem"].encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    _cache = (row["public_key"], Vapid(private_key=key))
    return _cache


def forget_cached_keys() -> None:
    global _cache
    _cache = None


@dataclass(frozen=True)
class PushResult:
    ok: bool
    status: int | None
    gone: bool = False  # 404 / 410: the subscription no longer exists and must be removed
    error: str = ""


def topic_for(key: str) -> str:
    """A Topic header (≤ 32 URL-safe characters): a resend of the same message replaces, not doubles."""
    return _b64url(hashlib.sha256(key.encode()).digest())[:32]


async def send(
    subscription: dict[str, Any],
    message: dict[str, Any],
    *,
    ttl: int = DEFAULT_TTL_SECONDS,
    urgency: str = "normal",
    topic: str | None = None,
) -> PushResult:
    """Encrypt (aes128gcm) and post one message to a subscription's push service, signed with VAPID."""
    if urgency not in URGENCIES:
        raise ValueError(f"urgency must be one of {URGENCIES}")
    _, signer = await vapid_keys()
    headers: dict[str, str | int | float] = {"Urgency": urgency}
    if topic:
        headers["Topic"] = topic
    settings = get_settings()
    contact = settings.base_url if settings.base_url.startswith("https://") else "mailto:admin@dieuhanh.invalid"
    try:
        async with aiohttp.ClientSession() as session:
            response = await webpush_async(
                subscription_info={
                    "endpoint": subscription["endpoint"],
                    "keys": {"p256dh": subscription["p256dh"], "auth": subscription["auth"]},
                },
                data=json.dumps(message, ensure_ascii=False),
                vapid_private_key=signer,
                vapid_claims={"sub": contact},
                content_encoding="aes128gcm",
                ttl=ttl,
                headers=headers,
                timeout=SEND_TIMEOUT_SECONDS,
                aiohttp_session=session,
            )
    except WebPushException as error:
        status = error.response.status if error.response is not None and hasattr(error.response, "status") else None
        return PushResult(False, status, gone=status in {404, 410}, error=str(error)[:500])
    except (aiohttp.ClientError, TimeoutError) as error:
        return PushResult(False, None, error=f"{type(error).__name__}: {error}"[:500])
    status = getattr(response, "status", None)
    return PushResult(True, status)


# ---------------------------------------------------------------- the push job and the subscriptions

URGENCY = {
    "overdue": "high",
    "escalate_head": "high",
    "escalate_leader": "high",
    "due_today": "high",
    "digest": "low",
    "comment": "low",
    "report_overdue": "high",
    "chase": "high",
}


async def handle_push(payload: dict[str, Any]) -> str:
    notification = await Notification.select().where(Notification.id == payload["notification"]).first()
    subscription = await PushSubscription.select().where(PushSubscription.id == payload["subscription"]).first()
    if notification is None or subscription is None:
        return "skipped"
    message = {
        "title": notification["title"],
        "body": notification["body"],
        "url": _absolute(notification["link"] or "/"),
        "kind": notification["kind"],
        "id": notification["id"],
        "tag": f"task-{notification['task_id']}" if notification["task_id"] else notification["kind"],
    }
    result = await send(
        subscription,
        message,
        ttl=DEFAULT_TTL_SECONDS,
        urgency=URGENCY.get(notification["kind"], "normal"),
        topic=topic_for(f"n{notification['id']}"),
    )
    if result.gone:
        await PushSubscription.delete().where(PushSubscription.id == subscription["id"])
        return "gone"
    if not result.ok:
        if result.status is not None and 400 <= result.status < 500 and result.status not in {408, 429}:
            raise PermanentJobError(result.error)
        raise RuntimeError(result.error or "push failed")
    return "sent"


def _b64_length(value: str) -> int:
    try:
        return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (binascii.Error, ValueError):
        return -1


async def subscribe(person_id: int, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> dict[str, Any]:
    parsed = urlparse(endpoint or "")
    allowed = {"https"} if get_settings().production else {"https", "http"}
    if parsed.scheme not in allowed or not parsed.netloc or len(endpoint) > 1000:
        raise Invalid("push_endpoint_invalid", "Địa chỉ nhận thông báo không hợp lệ")
    if _b64_length(p256dh) != 65 or _b64_length(auth) != 16:
        raise Invalid("push_keys_invalid", "Khóa nhận thông báo không hợp lệ")
    async with write_transaction():
        existing = await PushSubscription.select(PushSubscription.id).where(
            PushSubscription.endpoint == endpoint
        ).first()
        # The same browser signed in as someone else now belongs to them.
        if existing:
            await PushSubscription.update(
                {PushSubscription.person: person_id, PushSubscription.p256dh: p256dh, PushSubscription.auth: auth,
                 PushSubscription.user_agent: user_agent[:500]}
            ).where(PushSubscription.id == existing["id"])
            subscription_id = existing["id"]
        else:
            rows = await PushSubscription.insert(
                PushSubscription(person=person_id, endpoint=endpoint, p256dh=p256dh, auth=auth,
                                 user_agent=user_agent[:500], created_at=clock.now())
            ).returning(PushSubscription.id)
            subscription_id = rows[0]["id"]
    return {"id": subscription_id, "endpoint": endpoint}


async def unsubscribe(person_id: int, endpoint: str) -> bool:
    rows = await PushSubscription.delete().where(
        (PushSubscription.person == person_id) & (PushSubscription.endpoint == endpoint)
    ).returning(PushSubscription.id)
    return bool(rows)
