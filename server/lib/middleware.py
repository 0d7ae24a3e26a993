"""Request-wide context: the locale of this request (query ?lang=, then the `lang` cookie, then Vietnamese),
the client's address behind a trusted proxy, and the security headers of every response."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from server.lib.i18n import DEFAULT_LOCALE, current_locale, normalise_locale


def _locale_of(scope: Scope) -> str:
    query = scope.get("query_string", b"").decode("latin-1")
    for part in query.split("&"):
        if part.startswith("lang="):
            chosen = normalise_locale(part[5:])
            if chosen:
                return chosen
    for name, value in scope.get("headers", []):
        # Most requests carry no `lang` cookie: the session's alone is not worth parsing (SimpleCookie is slow).
        if name == b"cookie" and b"lang=" in value:
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:
                continue
            if "lang" in cookie:
                chosen = normalise_locale(cookie["lang"].value)
                if chosen:
                    return chosen
    return DEFAULT_LOCALE


def locale_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            token = current_locale.set(_locale_of(scope))
            try:
                await app(scope, receive, send)
            finally:
                current_locale.reset(token)
            return
        await app(scope, receive, send)

    return middleware


def proxy_middleware(trusted: tuple[str, ...]) -> Callable[[ASGIApp], ASGIApp]:
    """Take the client's address from X-Forwarded-For only when the peer is a proxy that TRUSTED_PROXIES names.

    The address is what the login throttle and the rate limit count: believed from anyone, one client gets a
    fresh bucket per made-up header. The list is read right to left, skipping our own proxies, so a client
    cannot prepend an address of its choice. (uvicorn's own proxy handling is off: server/cli.py.)"""
    networks = [ipaddress.ip_network(item, strict=False) for item in trusted]

    def is_trusted(host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in networks)

    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            client = scope.get("client")
            if networks and scope["type"] in ("http", "websocket") and client and is_trusted(client[0]):
                forwarded = [
                    value.decode("latin-1") for name, value in scope.get("headers", []) if name == b"x-forwarded-for"
                ]
                hops = [hop.strip() for hop in ",".join(forwarded).split(",") if hop.strip()]
                while hops and is_trusted(hops[-1]):
                    hops.pop()
                if hops:
                    scope = {**scope, "client": (hops[-1], 0)}  # type: ignore[assignment]
            await app(scope, receive, send)

        return middleware

    return wrap


# Every page's scripts come from our own origin; there is no inline script in the templates or the PWA.
# style-src keeps 'unsafe-inline' for the style="…" attributes that carry data (chart colours, bar widths,
# tree depth) and two <style> blocks: styles cannot run code, and moving them out is left for later.
# The map's tiles are the one outside host.
MAP_TILE_HOST = "https://tile.openstreetmap.org"
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: {MAP_TILE_HOST}",
        "connect-src 'self'",
        "font-src 'self'",
        "media-src 'self' blob:",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"
# The API's own documentation page (Swagger UI) is built by Litestar from a CDN with an inline script.
_NO_CSP_PREFIXES = ("/schema",)


def security_headers(https: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """A before-send hook: CSP, frame-ancestors, nosniff and Referrer-Policy on every response, HSTS when
    BASE_URL is https. A hook rather than a middleware, so that the 404s and 405s of the router get them too."""
    common = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"x-frame-options", b"DENY"),
    ]
    if https:
        common.append((b"strict-transport-security", HSTS.encode()))
    csp = (b"content-security-policy", CONTENT_SECURITY_POLICY.encode())

    async def hook(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = list(message.get("headers", []))
        present = {bytes(name).lower() for name, _value in headers}
        headers.extend(header for header in common if header[0] not in present)
        if csp[0] not in present and not scope.get("path", "").startswith(_NO_CSP_PREFIXES):
            headers.append(csp)
        message["headers"] = headers  # type: ignore[typeddict-unknown-key]

    return hook
