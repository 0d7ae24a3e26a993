"""What every JSON body of the API must be before any handler sees it.

One gate instead of a check in every schema: the body is UTF-8 JSON sent as JSON; no string holds a NUL
(PostgreSQL's text cannot store one, so SQLite data with one could never move to PostgreSQL) or more than
MAX_STRING characters; no integer leaves the signed 32-bit range (PostgreSQL's integer). A failure is a
localised 4xx, never a 500 from deep inside a driver.
"""

from __future__ import annotations

import json
from typing import Any

from litestar.exceptions import NotFoundException, ValidationException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from server.lib.i18n import gettext as _

MAX_STRING = 20_000
MAX_JSON_BYTES = 1_000_000
# PostgreSQL's integer columns (and every id) are 32-bit; no field of the API needs more.
INT_LIMIT = 2**31
_CHECKED_PREFIX = "/api/"
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def id_out_of_range(path: str) -> bool:
    """A path segment of digits too large for any id (the desk's and the portal's `{x:int}` paths): no row has it.

    Litestar turns it into a Python int, which overflows the database driver: a 500 instead of a 404.
    """
    return any(len(part) > 9 and part.isdigit() and int(part) >= INT_LIMIT for part in path.split("/"))


class WireError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _check_value(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise WireError(400, "invalid_input", "Dữ liệu gửi lên không hợp lệ")
        if len(value) > MAX_STRING:
            raise WireError(400, "text_too_long", "Nội dung quá dài")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not -INT_LIMIT <= value < INT_LIMIT:
            raise WireError(400, "invalid_input", "Dữ liệu gửi lên không hợp lệ")
    elif isinstance(value, list):
        for item in value:
            _check_value(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_value(key)
            _check_value(item)


def check_json_body(content_type: str, body: bytes) -> None:
    media_type = content_type.split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise WireError(415, "unsupported_media_type", "Định dạng dữ liệu không được hỗ trợ")
    if len(body) > MAX_JSON_BYTES:
        raise WireError(413, "too_large", "Dữ liệu gửi lên quá lớn")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise WireError(400, "invalid_encoding", "Dữ liệu phải được mã hoá UTF-8") from error
    try:
        parsed = json.loads(text)
    except ValueError:
        return  # Litestar's own decoder answers malformed JSON with a 400 naming the problem
    _check_value(parsed)


async def _send_error(send: Send, error: WireError) -> None:
    body = json.dumps({"error": {"code": error.code, "message": _(error.message)}}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def wire_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path and not path.startswith(_CHECKED_PREFIX):
            # The API bounds its ids with Parameter(le=…) (a 400 naming the field); pages answer a plain 404.
            if "\x00" in path or id_out_of_range(path):
                raise NotFoundException()
            # PostgreSQL's text cannot hold a NUL: a search for one would fail in the driver. Open311 answers
            # in its own error format (server/reports/open311.py).
            query = scope.get("query_string", b"").lower()
            if (b"%00" in query or b"\x00" in query) and not path.startswith("/open311/"):
                raise ValidationException()
        if scope["type"] == "http" and scope.get("path", "").startswith(_CHECKED_PREFIX):
            query = scope.get("query_string", b"").lower()
            if b"%00" in query or b"\x00" in query:
                await _send_error(send, WireError(400, "invalid_input", "Dữ liệu gửi lên không hợp lệ"))
                return
        if (
            scope["type"] != "http"
            or scope.get("method") not in _UNSAFE
            or not scope.get("path", "").startswith(_CHECKED_PREFIX)
        ):
            await app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        content_type = headers.get("content-type", "")
        if content_type.lower().startswith("multipart/"):
            await app(scope, receive, send)  # uploads are checked by their own code (media), as they stream
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await app(scope, receive, send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_JSON_BYTES:
                await _send_error(send, WireError(413, "too_large", "Dữ liệu gửi lên quá lớn"))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body.strip():
            try:
                check_json_body(content_type, body)
            except WireError as error:
                await _send_error(send, error)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await app(scope, replay, send)

    return middleware
