"""Sending one delivery (the job `webhooks.deliver`): check the address again, POST the stored body, signed, and
record the outcome in the delivery log.

- 2xx: delivered.
- A network error, a timeout, 5xx or 429: another attempt may succeed; the job queue retries after its
  exponential backoff, up to `services.max_attempts()` attempts, then the delivery is failed.
- 3xx: failed at once. The server never follows a redirect (it could lead anywhere the allow-list refuses).
- Any other 4xx, an address that is no longer allowed, a disabled subscription: failed at once.

The connection goes to the address that was checked (the host's name is kept for the Host header and for
TLS's SNI and certificate check), so a second DNS answer cannot send it elsewhere. No proxy from the
environment is used, for the same reason.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import ssl
from typing import Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

import httpx

from server.lib import clock
from server.lib.errors import Invalid
from server.lib.jobs import PermanentJobError
from server.webhooks import addresses, failures, signing
from server.webhooks.services import max_attempts
from server.webhooks.tables import DeliveryState, WebhookDelivery

USER_AGENT = "dieuhanh-webhooks/1"


def timeout_seconds() -> float:
    """WEBHOOK_TIMEOUT_SECONDS (10): connecting, sending and waiting for the answer, each."""
    try:
        return max(0.5, min(float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10")), 60.0))
    except ValueError:
        return 10.0


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context per process: building one (the CA bundle read and parsed) costs about 100 ms, more than a
    delivery to a nearby receiver."""
    return httpx.create_ssl_context()


class RetryLater(Exception):
    """An attempt failed in a way another attempt may fix: the job queue retries it after its backoff."""


async def _record(delivery_id: int, state: DeliveryState, *, status: int | None = None, error: str = "") -> None:
    """The delivery's new state; `error` is failures.encode()'s (a code and its facts, worded by the page)."""
    values: dict[Any, Any] = {WebhookDelivery.state: state.value, WebhookDelivery.response_code: status,
                              WebhookDelivery.error: error}
    if state is DeliveryState.delivered:
        values[WebhookDelivery.delivered_at] = clock.now()
    await WebhookDelivery.update(values).where(WebhookDelivery.id == delivery_id)


async def _give_up(delivery_id: int, code: str, status: int | None = None, **facts: Any) -> NoReturn:
    error = failures.encode(code, status=status, **facts)
    await _record(delivery_id, DeliveryState.failed, status=status, error=error)
    raise PermanentJobError(error)


async def _retry_or_give_up(delivery_id: int, attempt: int, code: str, status: int | None = None,
                            **facts: Any) -> NoReturn:
    if attempt >= max_attempts():
        await _give_up(delivery_id, code, status, gave_up_after=attempt, **facts)
    error = failures.encode(code, status=status, **facts)
    await _record(delivery_id, DeliveryState.retrying, status=status, error=error)
    raise RetryLater(error)


def _pinned_url(url: str, target: addresses.Target, address: addresses.IPAddress) -> tuple[str, str]:
    """(the URL with the checked address in place of the host, the Host header)."""
    parts = urlsplit(url)
    literal = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    default_port = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    host_header = host if target.port == default_port else f"{host}:{target.port}"
    pinned = urlunsplit((target.scheme, f"{literal}:{target.port}", parts.path or "/", parts.query, ""))
    return pinned, host_header


async def post(url: str, target: addresses.Target, body: bytes, headers: dict[str, str]) -> httpx.Response:
    """POST to each checked address in turn until one connects (a name with an IPv6 and an IPv4 address, say)."""
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    async with httpx.AsyncClient(timeout=httpx.Timeout(timeout_seconds()), follow_redirects=False,
                                 trust_env=False, verify=_tls()) as client:
        for index, address in enumerate(target.addresses):
            pinned, host_header = _pinned_url(url, target, address)
            request = client.build_request("POST", pinned, content=body, headers={**headers, "Host": host_header},
                                           extensions=extensions)
            try:
                response = await client.send(request, stream=True)
            except httpx.ConnectError:
                if index == len(target.addresses) - 1:
                    raise
                continue
            await response.aclose()  # the answer's body is not read: a receiver cannot make us hold megabytes
            return response
    raise httpx.ConnectError("no address to connect to")


async def deliver(delivery_id: int) -> str:
    """One attempt; returns the delivery's new state, or raises for the job queue (RetryLater, PermanentJobError)."""
    row = await WebhookDelivery.select(
        WebhookDelivery.id, WebhookDelivery.event_id, WebhookDelivery.event_type, WebhookDelivery.body,
        WebhookDelivery.state, WebhookDelivery.attempts, WebhookDelivery.subscription.url,
        WebhookDelivery.subscription.secret, WebhookDelivery.subscription.active,
    ).where(WebhookDelivery.id == delivery_id).first()
    if row is None:  # its subscription was deleted
        return "gone"
    if row["state"] == DeliveryState.delivered.value:  # a job run twice (a worker killed after the POST)
        return row["state"]
    if not row["subscription.active"]:
        await _record(delivery_id, DeliveryState.failed, error=failures.encode(failures.SUBSCRIPTION_DISABLED))
        return DeliveryState.failed.value
    attempt = row["attempts"] + 1
    await WebhookDelivery.update({WebhookDelivery.attempts: attempt,
                                  WebhookDelivery.last_attempt_at: clock.now()}).where(
        WebhookDelivery.id == delivery_id)
    url = row["subscription.url"]
    try:
        target = await addresses.check_url(url)
    except Invalid as error:
        code = error.code.removeprefix("webhook_")  # host_unresolved, address_refused, url_invalid, scheme
        facts = {k: str(v) for k, v in error.details.items() if k in ("host", "address")}
        if code == failures.HOST_UNRESOLVED:  # DNS may come back
            await _retry_or_give_up(delivery_id, attempt, code, **facts)
        await _give_up(delivery_id, code, **facts)
    body = row["body"].encode()
    timestamp = int(clock.now().timestamp())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        signing.SIGNATURE_HEADER: signing.signature(row["subscription.secret"], timestamp, body),
        signing.EVENT_HEADER: row["event_type"],
        signing.EVENT_ID_HEADER: row["event_id"],
        signing.DELIVERY_HEADER: str(delivery_id),
    }
    try:
        response = await post(url, target, body, headers)
    except httpx.HTTPError as error:
        kind = failures.TIMEOUT if isinstance(error, httpx.TimeoutException) else failures.NETWORK
        await _retry_or_give_up(delivery_id, attempt, kind, exception=type(error).__name__, detail=str(error))
    status = response.status_code
    if 200 <= status < 300:
        await _record(delivery_id, DeliveryState.delivered, status=status)
        return DeliveryState.delivered.value
    if 300 <= status < 400:
        await _give_up(delivery_id, failures.REDIRECT, status, location=response.headers.get("location", ""))
    if status == 429 or status >= 500:
        await _retry_or_give_up(delivery_id, attempt, failures.HTTP_STATUS, status)
    await _give_up(delivery_id, failures.HTTP_STATUS, status)
