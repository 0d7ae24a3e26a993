"""What the people's API asks of the sign-in when a person changes their own privileges: a new session under
the new epoch. Auth provides it (auth.config registers `start_session` here); people imports no auth."""

from __future__ import annotations

from collections.abc import Callable

from litestar.connection import ASGIConnection

from server.lib.actor import Actor

_start: Callable[[ASGIConnection, Actor], None] | None = None


def provide(start_session: Callable[[ASGIConnection, Actor], None]) -> None:
    global _start
    _start = start_session


def start_session(request: ASGIConnection, actor: Actor) -> None:
    if _start is None:  # the app always loads auth (its session config); a bare import of people does not
        raise RuntimeError("auth.config is not loaded: no session can be started")
    _start(request, actor)


def end_session(request: ASGIConnection) -> None:
    """Sign out on this connection: the cookie is cleared, and auth ends its id when the response goes out."""
    request.clear_session()
