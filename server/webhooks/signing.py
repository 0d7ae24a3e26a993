"""The signature of a delivery, as Stripe signs its webhooks: `X-Dieuhanh-Signature: t=<unix time>,v1=<hex>`,
where hex = HMAC-SHA256(secret, "<t>.<body>"). The time is inside what is signed, so a captured delivery cannot be
replayed later with a new time; the receiver refuses a `t` too far from its clock (five minutes, say), compares
in constant time, and dedupes on the event id (`X-Dieuhanh-Event-Id`, also the body's "id").
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Dieuhanh-Signature"
EVENT_HEADER = "X-Dieuhanh-Event"
EVENT_ID_HEADER = "X-Dieuhanh-Event-Id"
DELIVERY_HEADER = "X-Dieuhanh-Delivery"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a receiver does (tests and docs/operations.md use the same few lines)."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return abs(now - timestamp) <= tolerance and hmac.compare_digest(expected, fields.get("v1", ""))
