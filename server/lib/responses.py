"""One place that turns errors into localised responses: JSON under /api and /open311, a page elsewhere."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from server.lib.errors import DomainError
from server.lib.i18n import gettext as _

logger = logging.getLogger("dieuhanh")


def wants_json(request: Request) -> bool:
    path = request.url.path
    return (
        path.startswith(("/api/", "/open311/", "/health", "/schema"))
        or path.endswith(".json")  # the portal's JSON twins of its pages answer errors in JSON too
        or "application/json" in request.headers.get("accept", "").split(",")[0]
    )


def _error_response(request: Request, status: int, code: str, message: str, details: Any = None) -> Response:
    if wants_json(request):
        body: dict[str, Any] = {"error": {"code": code, "message": message}}
        if details:
            body["error"]["details"] = details
        return Response(content=body, status_code=status, media_type=MediaType.JSON)
    return Template(  # type: ignore[return-value]
        template_name="error.html",
        context={"status": status, "code": code, "message": message},
        status_code=status,
    )


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    return _error_response(request, exc.status_code, exc.code, _(exc.message), exc.details or None)


def validation_error_handler(request: Request, exc: ValidationException) -> Response:
    details = []
    for item in exc.extra or []:
        if isinstance(item, dict):
            details.append({"field": item.get("key") or item.get("source"), "problem": item.get("message")})
    return _error_response(request, 400, "invalid_input", _("Dữ liệu gửi lên không hợp lệ"), details or None)


def not_authorized_handler(request: Request, exc: NotAuthorizedException) -> Response:
    if wants_json(request):
        return _error_response(request, 401, "not_signed_in", _("Bạn cần đăng nhập"))
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    from urllib.parse import quote

    return Redirect(path=f"/login?next={quote(target, safe='')}")  # type: ignore[return-value]


def permission_denied_handler(request: Request, exc: PermissionDeniedException) -> Response:
    code = exc.extra.get("code", "forbidden") if isinstance(exc.extra, dict) else "forbidden"
    return _error_response(request, 403, code, _(exc.detail or "Bạn không có quyền thực hiện thao tác này"))


def not_found_handler(request: Request, exc: NotFoundException) -> Response:
    return _error_response(request, 404, "not_found", _("Không tìm thấy trang hoặc dữ liệu"))


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    messages = {
        405: ("method_not_allowed", "Phương thức không được hỗ trợ"),
        413: ("too_large", "Dữ liệu gửi lên quá lớn"),
        415: ("unsupported_media_type", "Định dạng dữ liệu không được hỗ trợ"),
        429: ("too_many_requests", "Bạn thao tác quá nhanh, hãy thử lại sau ít phút"),
    }
    code, message = messages.get(exc.status_code, ("http_error", "Yêu cầu không hợp lệ"))
    response = _error_response(request, exc.status_code, code, _(message))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def internal_error_handler(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error_response(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal_error",
        _("Đã có lỗi xảy ra; dữ liệu của bạn chưa bị thay đổi"),
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    NotAuthorizedException: not_authorized_handler,
    PermissionDeniedException: permission_denied_handler,
    NotFoundException: not_found_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}


def stored_file_response(data: bytes, content_type: str, filename: str) -> Response[bytes]:
    """An uploaded file as it was stored, for whoever the caller let read it: shown inline under its own name,
    never sniffed as something else, cached by the browser only."""
    return Response(
        content=data,
        media_type=content_type,
        headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(filename, safe='')}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
        },
    )
