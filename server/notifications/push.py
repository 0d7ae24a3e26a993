"""Web Push with pywebpush: the server's VAPID keys, and sending one encrypted message to one subscription.

The key pair is generated at first start and kept in the database (table `vapid_keys`), so every web and
worker process signs with the same key and subscriptions survive restarts and new machines.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import aiohttp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from pywebpush import WebPushException, webpush_async

from server.lib import clock
from server.notifications.tables import VapidKey
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
