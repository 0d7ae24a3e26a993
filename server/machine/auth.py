"""The guard of the routes other systems call with `Authorization: Bearer <key>`.

Those routes are marked `opt={"public": True}` so that the session middleware lets them through without a
session cookie; this guard then decides, on every request, from the database (a revoked key is refused at
once, on every process):
- no key, an unknown or revoked one: 401, with `WWW-Authenticate: Bearer`;
- a key over its rate: 429, with the seconds to wait;
- a key without the route's scope: 403 naming the scope.
It puts the system's Actor where a person's would be (`scope["user"]`), so the services run as usual and the
audit names the system.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import SecurityScheme

from server.lib.errors import DomainError, Forbidden
from server.lib.i18n import gettext as _
from server.lib.responses import domain_error_handler
from server.machine import keys

HOLDER = "dieuhanh.machine_key"
MACHINE_OPT = {"public": True}
# How the schema tells another system's developer to send its key (the routes a key opens name this scheme).
SYSTEM_KEY_SCHEME = "systemKey"
SECURITY_SCHEMES = {SYSTEM_KEY_SCHEME: SecurityScheme(
    type="http", scheme="bearer",
    description="Khoá API của hệ thống, do quản trị viên tạo (/admin/machine-keys/): Authorization: Bearer dh_…",
)}


class KeyRefused(DomainError):
    status_code = 401


class KeyRateLimited(DomainError):
    status_code = 429


def _bearer(connection: ASGIConnection) -> str:
    header = connection.headers.get("authorization", "")
    scheme, _space, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def requires(scope: str) -> Any:
    """A guard: the request carries an active key holding `scope`, within its rate."""
    if scope not in keys.SCOPES:  # a typo in a route must fail at import, not let every key through
        raise ValueError(scope)

    async def guard(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
        raw = _bearer(connection)
        if not raw:
            raise KeyRefused("machine_key_missing", "Cần khoá API của hệ thống (Authorization: Bearer <khoá>)")
        holder = await keys.holder_of(raw)
        if holder is None:
            raise KeyRefused("machine_key_invalid", "Khoá API không hợp lệ hoặc đã bị thu hồi")
        wait = await keys.count_request(holder.id)
        if wait:
            # Said in the request's language now: the error handler translates fixed texts only.
            raise KeyRateLimited("machine_key_rate_limited",
                                 _("Khoá API đã gửi quá nhiều yêu cầu; hãy thử lại sau {seconds} giây", seconds=wait),
                                 retry_after=wait)
        if scope not in holder.scopes:
            raise Forbidden("machine_scope_missing", _("Khoá API này không có quyền {scope}", scope=scope),
                            scope=scope)
        connection.scope[HOLDER] = holder  # type: ignore[literal-required]
        connection.scope["user"] = keys.system_actor(holder)

    return guard


def _refused(request: Request, error: KeyRefused) -> Response:
    response = domain_error_handler(request, error)
    response.headers["WWW-Authenticate"] = 'Bearer realm="dieuhanh"'  # RFC 6750: what a 401 asks for
    return response


def _rate_limited(request: Request, error: KeyRateLimited) -> Response:
    response = domain_error_handler(request, error)
    response.headers["Retry-After"] = str(error.details.get("retry_after", keys.WINDOW_SECONDS))
    return response


# On the controllers a key opens: the app-wide handler of domain errors, plus the headers an HTTP client of
# another system acts on by itself (it retries after Retry-After; it knows a 401 wants a Bearer token).
EXCEPTION_HANDLERS: dict[Any, Any] = {KeyRefused: _refused, KeyRateLimited: _rate_limited}


def holder_of(connection: ASGIConnection) -> keys.KeyHolder:
    holder = connection.scope.get(HOLDER)  # type: ignore[call-overload]
    if not isinstance(holder, keys.KeyHolder):
        raise KeyRefused("machine_key_missing", "Cần khoá API của hệ thống (Authorization: Bearer <khoá>)")
    return holder
