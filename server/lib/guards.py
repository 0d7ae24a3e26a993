"""Guards: functions of the connection. Object-level scope lives in the services (404, not 403).

They are `async` although they do no I/O: Litestar runs a plain function guard in a worker thread.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from server.lib.actor import Actor, Role

API_HEADER = "x-requested-with"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def actor_of(connection: ASGIConnection) -> Actor:
    user = connection.scope.get("user")
    if not isinstance(user, Actor):
        raise NotAuthorizedException()
    return user


def api_header_middleware(app: ASGIApp) -> ASGIApp:
    """Cross-site forms cannot set a custom header, so a changing API call must carry one (decision 0001).

    A route middleware, not a guard: Litestar copies the route handler for every guard on every request (~16 µs,
    3% of the app's CPU for an officer's list), and this rule needs nothing but the method and the headers."""
    header = API_HEADER.encode()

    async def check(scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") in UNSAFE_METHODS and not any(
            name == header and value for name, value in scope.get("headers", ())
        ):
            raise PermissionDeniedException(
                detail="Thiếu tiêu đề X-Requested-With của ứng dụng", extra={"code": "api_header_missing"}
            )
        await app(scope, receive, send)

    return check


def _role_guard(*roles: Role):  # type: ignore[no-untyped-def]
    allowed = {role.value for role in roles}

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        if actor_of(connection).role not in allowed:
            raise PermissionDeniedException(detail="Bạn không có quyền truy cập chức năng này", extra={"code": "role"})

    return guard


admin_only = _role_guard(Role.admin)
leader_only = _role_guard(Role.leader)
managers_only = _role_guard(Role.leader, Role.unit_head)
