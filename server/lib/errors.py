"""Domain errors carry a code and a message id; one handler turns them into localised responses."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status_code = 400

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class Invalid(DomainError):
    status_code = 422


class Unauthenticated(DomainError):
    status_code = 401


# ---------------------------------------------------------------- the error body, as the OpenAPI schema documents it

ERROR_BODY = "ErrorBody"
# What any operation may answer besides success: the app-wide handlers (server/lib/responses.py) and the wire
# gate (server/lib/wire.py) give these to every route, whatever the handler itself raises.
COMMON_ERRORS = {
    400: "Dữ liệu gửi lên không hợp lệ (invalid input)",
    401: "Bạn cần đăng nhập (not signed in)",
    403: "Không có quyền, hoặc thiếu mã CSRF (forbidden)",
    404: "Không tìm thấy (not found)",
    409: "Xung đột với trạng thái hiện tại (conflict)",
    422: "Vi phạm quy tắc nghiệp vụ (a rule of the domain refuses it)",
    429: "Thao tác quá nhanh (too many requests)",
}
BODY_ERRORS = {
    413: "Dữ liệu gửi lên quá lớn (too large)",
    415: "Định dạng dữ liệu không được hỗ trợ (unsupported media type)",
}


def error_body_schema() -> Any:
    """{"error": {"code", "message", "details"?}}: what the API really answers on every error."""
    from litestar.openapi.spec import OpenAPIType, Schema

    return Schema(
        type=OpenAPIType.OBJECT,
        required=["error"],
        properties={
            "error": Schema(
                type=OpenAPIType.OBJECT,
                required=["code", "message"],
                properties={
                    "code": Schema(type=OpenAPIType.STRING, description="stable, for programs: e.g. not_found"),
                    "message": Schema(type=OpenAPIType.STRING, description="for people, in the request's language"),
                    "details": Schema(
                        description="what was wrong: a list of {field, problem} for invalid input, else an object",
                        one_of=[Schema(type=OpenAPIType.ARRAY, items=Schema()),
                                Schema(type=OpenAPIType.OBJECT, additional_properties=Schema())],
                    ),
                },
            )
        },
        description="Lỗi (error)",
        examples=[{"error": {"code": "not_found", "message": "Không tìm thấy trang hoặc dữ liệu"}}],
    )


def document_error_body(openapi: Any) -> Any:
    """Make the OpenAPI document say what errors look like: every 4xx of every operation refers to one ErrorBody.

    Litestar documents its own {status_code, detail, extra} for the errors it knows of; our handlers never send
    that, so a client generated from it broke on every error.
    """
    from litestar.openapi.spec import Components, OpenAPIMediaType, OpenAPIResponse, Reference

    components = openapi.components or Components()
    openapi.components = components
    components.schemas = dict(components.schemas or {})
    components.schemas[ERROR_BODY] = error_body_schema()
    reference = Reference(ref=f"#/components/schemas/{ERROR_BODY}")

    def response(description: str) -> Any:
        return OpenAPIResponse(description=description,
                               content={"application/json": OpenAPIMediaType(schema=reference)})

    for item in (openapi.paths or {}).values():
        for method in ("get", "put", "post", "patch", "delete"):
            operation = getattr(item, method, None)
            if operation is None:
                continue
            responses = dict(operation.responses or {})
            for status, description in COMMON_ERRORS.items():
                responses.setdefault(str(status), response(description))
            if method != "get":
                for status, description in BODY_ERRORS.items():
                    responses.setdefault(str(status), response(description))
            for status, given in list(responses.items()):
                if status.startswith(("4", "5")) and isinstance(given, OpenAPIResponse):
                    responses[status] = response(COMMON_ERRORS.get(int(status), given.description))
            operation.responses = responses
    return openapi
