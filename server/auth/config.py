"""Server-side sessions (cookie HttpOnly, SameSite=Lax, Secure over https), CSRF for forms, login rate limit."""

from __future__ import annotations

from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.security.session_auth import SessionAuth
from litestar.types import Empty, Message, ScopeSession

from server.people.services import Actor, get_actor
from server.settings import Settings

SESSION_MAX_AGE = 30 * 24 * 3600  # officers stay signed in on their phones for a month
PUBLIC_PATHS = [
    "^/login",
    "^/health",
    "^/schema",
    "^/static/",
    "^/app(/|$)",
    "^/sw\\.js$",
    "^/api/v1/auth/login",
    "^/lang/",
    "^/favicon",
    "^/$",
    "^/portal",
    "^/r/",
    "^/open311",
]


_LOADED = "dieuhanh.session_loaded"


class UnchangedSessionBackend(ServerSideSessionBackend):
    """Writes the session to the store only when it changed.

    Litestar's backend rewrites it (a file write, or a Redis SET) and resends the cookie on every
    response; an officer's task list does not change their session, so that work is pure waste.
    """

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        if data and connection.cookies.get(self.config.key):
            connection.scope[_LOADED] = self.serialize_data(data, connection.scope)  # type: ignore[literal-required]
        return data

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        loaded = connection.scope.get(_LOADED)  # type: ignore[call-overload]
        if scope_session is not Empty and loaded is not None and self.serialize_data(scope_session) == loaded:
            return
        await super().store_in_message(scope_session, message, connection)


class UnchangedSessionConfig(ServerSideSessionConfig):
    _backend_class = UnchangedSessionBackend


async def retrieve_actor(session: dict[str, Any], connection: ASGIConnection) -> Actor | None:
    person_id = session.get("person_id")
    return await get_actor(int(person_id)) if person_id else None


def session_auth(settings: Settings) -> SessionAuth[Actor, Any]:
    return SessionAuth[Actor, Any](
        retrieve_user_handler=retrieve_actor,
        session_backend_config=UnchangedSessionConfig(
            store="sessions",
            max_age=SESSION_MAX_AGE,
            secure=settings.secure_cookies,
            httponly=True,
            samesite="lax",
            key="dieuhanh_session",
            renew_on_access=False,
        ),
        exclude=PUBLIC_PATHS,
        exclude_opt_key="public",
    )


def csrf_config(settings: Settings) -> CSRFConfig:
    # The JSON API is protected by the custom-header rule instead (docs/decisions/0001-sessions-and-csrf.md).
    return CSRFConfig(
        secret=settings.secret_key,
        cookie_name="dieuhanh_csrf",
        cookie_secure=settings.secure_cookies,
        cookie_samesite="lax",
        header_name="x-csrftoken",
        exclude=["/api/", "/open311/"],
    )


# Per client address; the per-username lockout is in auth.services.
LOGIN_RATE_LIMIT = RateLimitConfig(rate_limit=("minute", 20), store="rate_limit", set_rate_limit_headers=True)
