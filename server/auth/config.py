"""Server-side sessions (cookie HttpOnly, SameSite=Lax, Secure over https), CSRF for forms, login rate limit."""

from __future__ import annotations

from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.security.session_auth import SessionAuth
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

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
_ROTATE = "dieuhanh.session_rotate"


class UnchangedSessionBackend(ServerSideSessionBackend):
    """Writes the session to the store only when there is one to keep and it changed.

    - No cookie and nothing in the session (an anonymous page, a static file, /health, Open311, /app/):
      nothing is stored and no cookie is sent. Litestar's backend stored an empty session under a fresh id
      for every such request (a file each, on one machine) and handed the visitor an id before sign-in.
    - Unchanged: Litestar rewrites it (a file write, or a Redis SET) and resends the cookie on every
      response; an officer's task list does not change their session, so that work is pure waste.
    - Rotated (sign-in, a change of privilege): the old id is deleted and the data goes under a new one, so
      an id noted before sign-in (session fixation) is worth nothing after it.
    """

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        if data and connection.cookies.get(self.config.key):
            connection.scope[_LOADED] = self.serialize_data(data, connection.scope)  # type: ignore[literal-required]
        return data

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        scope = connection.scope
        cookie_id = connection.cookies.get(self.config.key)
        has_cookie = bool(cookie_id) and cookie_id != "null"
        if scope_session is Empty or not scope_session:
            if has_cookie:  # sign-out, or a stale id: forget it and expire the cookie
                await super().store_in_message(Empty, message, connection)
            return
        store = self.config.get_store_from_app(scope["app"])
        if scope.get(_ROTATE):  # type: ignore[call-overload]
            if has_cookie:
                await self.delete(cookie_id, store=store)  # type: ignore[arg-type]
            session_id = self.generate_session_id()
            await self.set(session_id=session_id, data=self.serialize_data(scope_session, scope), store=store)
            cookie_params = dict(
                extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys())
            )
            MutableScopeHeaders.from_message(message).add(
                "Set-Cookie", Cookie(value=session_id, key=self.config.key, **cookie_params).to_header(header="")
            )
            return
        loaded = scope.get(_LOADED)  # type: ignore[call-overload]
        if loaded is not None and self.serialize_data(scope_session) == loaded:
            return
        await super().store_in_message(scope_session, message, connection)


class UnchangedSessionConfig(ServerSideSessionConfig):
    _backend_class = UnchangedSessionBackend


def start_session(request: ASGIConnection, actor: Actor) -> None:
    """Sign `actor` in on this connection under a new session id (sign-in, or their own privilege change).

    The session carries the person's session epoch: raising it (people.services) ends every session made
    before, on every process, without an index of session ids."""
    request.scope[_ROTATE] = True  # type: ignore[literal-required]
    request.set_session({"person_id": actor.id, "epoch": actor.session_epoch})


def client_host(request: ASGIConnection) -> str:
    """The address the throttle counts: the peer's, or what a trusted proxy said (lib.middleware.proxy_middleware)."""
    return request.client.host if request.client else "unknown"


def end_session(request: ASGIConnection) -> None:
    request.clear_session()


async def retrieve_actor(session: dict[str, Any], connection: ASGIConnection) -> Actor | None:
    person_id = session.get("person_id")
    if not person_id:
        return None
    actor = await get_actor(int(person_id))
    # A session from before a password, role, unit or active change is over; sessions made before epochs
    # existed carry none and count as epoch 0, which every person starts at.
    if actor is None or int(session.get("epoch") or 0) != actor.session_epoch:
        return None
    return actor


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
