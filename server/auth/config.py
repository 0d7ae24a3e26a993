"""Signed sessions (auth.sessions; cookie HttpOnly, SameSite=Lax, Secure on https), form CSRF, login rate limit."""

from __future__ import annotations

from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.security.session_auth import SessionAuth

from server.auth import sessions
from server.people import sessions as people_sessions
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


def start_session(request: ASGIConnection, actor: Actor) -> None:
    """Sign `actor` in on this connection under a new session id (sign-in, or their own privilege change).

    The id this browser held before is ended when the response goes out (auth.sessions). The session carries
    the person's session epoch: raising it (people.services) ends every session made before, on every
    process, without an index of session ids."""
    request.set_session(sessions.new_session(actor))


# The people's API starts a new session for a person who changed their own privileges (people imports no auth).
people_sessions.provide(start_session)


def client_host(request: ASGIConnection) -> str:
    """The address the throttle counts: the peer's, or what a trusted proxy said (lib.middleware.proxy_middleware)."""
    return request.client.host if request.client else "unknown"


def end_session(request: ASGIConnection) -> None:
    """Sign out: the cookie is cleared and its session id ended on every process (auth.sessions)."""
    request.clear_session()


async def retrieve_actor(session: dict[str, Any], connection: ASGIConnection) -> Actor | None:
    """Who the signed session belongs to, if it still stands; no store read but a cached one (auth.sessions)."""
    person_id, session_id = session.get("p"), session.get("s")
    if not isinstance(person_id, int) or not isinstance(session_id, str):
        sessions.refuse(connection)
        return None
    if await sessions.is_ended(connection.app.stores.get(sessions.STORE_NAME), session_id):
        sessions.refuse(connection)
        return None
    actor = await get_actor(person_id)
    # A session from before a password, role, unit, triage or active change is over.
    if actor is None or session.get("e") != actor.session_epoch:
        sessions.refuse(connection)
        return None
    fresh = sessions.refreshed(session, actor)
    if fresh is not None:  # a unit moved or renamed: the same session carries the new row from now on
        connection.set_session(fresh)
    return actor


def session_auth(settings: Settings) -> SessionAuth[Actor, Any]:
    return SessionAuth[Actor, Any](
        retrieve_user_handler=retrieve_actor,
        session_backend_config=sessions.SignedSessionConfig(
            secret=sessions.cookie_secret(settings.secret_key),
            max_age=SESSION_MAX_AGE,
            secure=settings.secure_cookies,
            httponly=True,
            samesite="lax",
            key="dieuhanh_session",
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
