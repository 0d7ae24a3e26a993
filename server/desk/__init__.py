"""The desk screens (server-rendered): login, my tasks, task detail, directives, approvals, admin."""

from __future__ import annotations

from litestar import Router


def desk_router() -> Router:
    from server.desk.controllers import DESK_CONTROLLERS

    return Router(path="/", route_handlers=DESK_CONTROLLERS)
