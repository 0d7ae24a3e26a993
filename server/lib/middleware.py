"""Request-wide context: the locale of this request (query ?lang=, then the `lang` cookie, then Vietnamese)."""

from __future__ import annotations

from http.cookies import SimpleCookie

from litestar.types import ASGIApp, Receive, Scope, Send

from server.lib.i18n import DEFAULT_LOCALE, current_locale, normalise_locale


def _locale_of(scope: Scope) -> str:
    query = scope.get("query_string", b"").decode("latin-1")
    for part in query.split("&"):
        if part.startswith("lang="):
            chosen = normalise_locale(part[5:])
            if chosen:
                return chosen
    for name, value in scope.get("headers", []):
        if name == b"cookie":
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
