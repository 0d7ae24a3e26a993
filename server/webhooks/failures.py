"""Why a delivery failed, as its log keeps it: a stable code and the few technical facts worth keeping (the
receiver's HTTP status, the exception's class and text, the host, the attempts), stored as JSON in
`WebhookDelivery.error`. The desk page words it in the reader's language (templates/webhooks/admin.html); the
API gives the code (`error`) and the facts (`error_detail`).

Rows written before the codes hold free English text ("HTTP 500", "... (gave up after 8 attempts)"): they read
back as the code UNKNOWN with that text, and are shown as they are.
"""

from __future__ import annotations

import json
from typing import Any

SUBSCRIPTION_DISABLED = "subscription_disabled"
HOST_UNRESOLVED = "host_unresolved"  # DNS: another attempt may find it
ADDRESS_REFUSED = "address_refused"  # WEBHOOK_ALLOWED_HOSTS refuses the address the host resolves to
URL_INVALID = "url_invalid"
SCHEME = "scheme"
TIMEOUT = "timeout"
NETWORK = "network"  # refused, reset, TLS: the exception's class and text say which
REDIRECT = "redirect"  # 3xx, never followed
HTTP_STATUS = "http_status"  # 4xx, 5xx
UNKNOWN = "unknown"  # a row from before the codes: its text is kept as `text`
# The longest text kept of one fact (an exception's message, a redirect's Location).
MAX_TEXT = 300


def encode(code: str, **facts: Any) -> str:
    """The stored form: {"code": ..., facts...}, compact, empty facts left out, long texts cut."""
    kept = {k: (v[:MAX_TEXT] if isinstance(v, str) else v) for k, v in facts.items() if v not in (None, "")}
    return json.dumps({"code": code, **kept}, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def decode(stored: str | None) -> tuple[str, dict[str, Any]]:
    """(code, facts) of a stored error; ("", {}) when there is none; (UNKNOWN, {"text": ...}) for free text."""
    if not stored:
        return "", {}
    if stored.startswith("{"):
        try:
            value = json.loads(stored)
        except ValueError:
            value = None
        if isinstance(value, dict) and isinstance(value.get("code"), str):
            return value["code"], {k: v for k, v in value.items() if k != "code"}
    return UNKNOWN, {"text": stored}
