"""The offline outbox's idempotent endpoint."""

from __future__ import annotations

from litestar import Router


def __getattr__(name: str) -> Router:
    # `router` is built on demand, not at import: importing a domain's tables must not pull in its controllers
    # (they import other domains, which import these tables), and each app gets a Router of its own.
    if name == "router":
        from server.sync.controllers import SyncApiController
        return Router(path="/api/v1", route_handlers=[SyncApiController])
    raise AttributeError(name)
