"""A signed session that carries who is acting, checked without a store read on each request.

The cookie is Litestar's client-side session: the data is sealed with AES-GCM (authenticated encryption) under
a key derived from SECRET_KEY, and its expiry is part of the authenticated data, so a changed byte or an
expired cookie decrypts to nothing. It carries:

- ``s``: a random session id, which sign-out and a new sign-in end (below);
- ``p`` and ``e``: the person and their ``session_epoch`` when the session began;
- ``t``: when it was last sealed (so that an ended id's marker lives only as long as the cookie could); a
  session in use is resealed once a day (RESEAL_AFTER_SECONDS), so it expires SESSION_MAX_AGE after its last
  use, not after its sign-in;
- ``a``: the person as the request needs them (role, unit id and path, triage right, locale, names).

Checking it costs two in-process lookups (docs/decisions/0003-signed-sessions.md):
- the person's current row, which people.services.get_actor keeps for at most ACTOR_CACHE_SECONDS (2 s) per
  process and forgets at once in the process that changed it: an epoch that moved (password, role, unit,
  active, triage) ends the session; any other change (a unit moved or renamed) refreshes the cookie;
- whether this session id was ended, asked of the "sessions" store (a file per ended id on one machine,
  Redis when REDIS_URL is set) at most once every ENDED_CHECK_SECONDS per id and process.
So a deactivation, a role change or a sign-out elsewhere takes effect within 2 seconds on every process,
and at once on the process that made it.
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import secrets
import time
from dataclasses import asdict
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig
from litestar.stores.base import Store
from litestar.types import Empty, Message, ScopeSession

from server.lib.actor import Actor
from server.lib.shortcache import ShortCache

STORE_NAME = "sessions"
ENDED_CHECK_SECONDS = 2.0
RESEAL_AFTER_SECONDS = 24 * 3600  # a session in use is resealed once a day, so that it expires only unused
_CACHE_LIMIT = 50_000
_LOADED = "dieuhanh.session_loaded"
_REFUSED = "dieuhanh.session_refused"

# Whether a session id was ended, asked of the store at most once per ENDED_CHECK_SECONDS per id; ids known
# ended are kept (bounded: cleared when full).
_checked: ShortCache[str, bool] = ShortCache(ENDED_CHECK_SECONDS, limit=_CACHE_LIMIT)
_ended: set[str] = set()


def cookie_secret(secret_key: str) -> bytes:
    """The 32-byte AES key of the session cookie, derived from SECRET_KEY under a label of its own, so that
    the same secret signs the CSRF tokens without the two ever being the same key."""
    return hashlib.sha256(b"dieuhanh session cookie\x00" + secret_key.encode()).digest()


def new_session(actor: Actor) -> dict[str, Any]:
    return {"s": secrets.token_hex(16), "p": actor.id, "e": actor.session_epoch, "t": int(time.time()),
            "a": asdict(actor)}


def refreshed(session: dict[str, Any], actor: Actor) -> dict[str, Any] | None:
    """The same session carrying the person's current row and resealed now, or None when it already carries the
    row and was sealed less than RESEAL_AFTER_SECONDS ago.

    Resealing moves `t` and the cookie's expiry on, so that an officer who opens the app every week is never
    signed out, one who has not for SESSION_MAX_AGE is, and an ended id's marker (`end`) lasts as long as the
    newest copy of the cookie could. The comparison is with the actor's own attributes, not a copy of them: it
    runs on every request."""
    now = int(time.time())
    if session.get("a") == vars(actor) and now - int(session.get("t") or 0) < RESEAL_AFTER_SECONDS:
        return None
    return {**session, "a": asdict(actor), "t": now}


def _marker(session_id: str) -> str:
    return f"ended-{session_id}"


async def is_ended(store: Store, session_id: str) -> bool:
    if session_id in _ended:
        return True

    async def ask(checked_id: str) -> bool:
        return await store.exists(_marker(checked_id))

    if await _checked.get(session_id, ask):
        _remember_ended(session_id)
        return True
    return False


async def end(store: Store, session: dict[str, Any], max_age: int) -> None:
    """End one session id on every process: a marker in the shared store for as long as its cookie could live."""
    session_id = str(session.get("s") or "")
    if not session_id or session_id in _ended:
        return
    _remember_ended(session_id)
    left = int(session.get("t") or 0) + max_age - int(time.time())
    if left > 0:
        await store.set(_marker(session_id), b"1", expires_in=left)
    # A file store forgets an expired marker only when it is read, and a marker is read only while its cookie
    # lives: one sign-out in a hundred sweeps the old ones (Redis expires its keys itself).
    sweep = getattr(store, "delete_expired", None)
    if sweep is not None and random.random() < 0.01:
        await sweep()


def _remember_ended(session_id: str) -> None:
    if len(_ended) > _CACHE_LIMIT:
        _ended.clear()
    _ended.add(session_id)
    _checked.forget(session_id)


def forget_checks() -> None:
    """Forget what this process learned of ended sessions (as a process that never saw them would be)."""
    _ended.clear()
    _checked.forget()


def refuse(connection: ASGIConnection) -> None:
    """This request's session is not honoured (ended, or from before an epoch change): its cookie is cleared,
    and nothing more is written for it."""
    connection.scope[_REFUSED] = True  # type: ignore[literal-required]


class SignedSessionBackend(ClientSideSessionBackend):
    """Litestar's sealed cookie, plus: a session id that ends when it is replaced or cleared, and no cookie
    rewritten when the session did not change (Litestar re-encrypts and resends it on every response)."""

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        data: dict[str, Any] = {}
        # Litestar drops a cookie that fails authentication; one that decodes to bad JSON would raise instead.
        with contextlib.suppress(Exception):
            data = await super().load_from_connection(connection)
        if not isinstance(data, dict):
            data = {}
        if data:
            connection.scope[_LOADED] = dict(data)  # type: ignore[literal-required]
        return data

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        scope = connection.scope
        loaded: dict[str, Any] | None = scope.get(_LOADED)  # type: ignore[call-overload]
        outgoing = scope_session if scope_session is not Empty and scope_session else None
        if loaded and not scope.get(_REFUSED) and (outgoing is None or outgoing.get("s") != loaded.get("s")):
            # Sign-out, or a new sign-in over this one (session fixation): the old id is worth nothing after it.
            store = scope["app"].stores.get(STORE_NAME)
            await end(store, loaded, self.config.max_age)
        if outgoing is not None and outgoing == loaded:
            return
        if outgoing is None and not self.get_cookie_key_set(connection):
            return
        await super().store_in_message(scope_session, message, connection)


class SignedSessionConfig(CookieBackendConfig):
    _backend_class = SignedSessionBackend
