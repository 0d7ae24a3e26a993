"""Spoiling a valid request one way at a time, and judging the answer: the probes of tests/api/test_bad_input.py.

A valid request (tests/api/access/requests.py) is read against the OpenAPI schema and spoiled: invalid JSON, an
empty body, wrong types, missing and unknown fields, 100,000-character strings, negative and huge ids, ids that
are not numbers, impossible dates, the wrong content type. An answer is right when it is a 4xx with the JSON
error {"error": {"code", "message"}}, the message in Vietnamese.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.api.access.requests import Call

HUGE = "x" * 100_000
HUGE_QUERY = "x" * 60_000  # httpx refuses URLs of 64 KiB and more
HUGE_ID = 99_999_999_999
HTTP_METHODS = {"get", "put", "post", "patch", "delete"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


# ---------------------------------------------------------------- reading the schema


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def _kind(schema: dict[str, Any], node: dict[str, Any]) -> tuple[str, str | None, dict[str, Any]]:
    """(type, format, the node) of a property, looking through `oneOf [X, null]`."""
    node = _resolve(schema, node)
    for option in node.get("oneOf", node.get("anyOf", [])):
        option = _resolve(schema, option)
        if option.get("type") != "null":
            return option.get("type", "object"), option.get("format"), option
    return node.get("type", "object"), node.get("format"), node


def request_body_schema(schema: dict[str, Any], operation: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    content = operation.get("requestBody", {}).get("content", {})
    for media_type, spec in content.items():
        return media_type, _resolve(schema, spec.get("schema", {}))
    return None, {}


def _wrong_values(kind: str, fmt: str | None) -> list[tuple[str, Any]]:
    if fmt == "date":
        return [("impossible date", "2026-02-30"), ("not a date", "hôm qua"), ("date as number", 20260101),
                ("huge year", "99999-01-01")]
    if fmt == "date-time":
        return [("impossible time", "2026-13-01T25:61:00Z"), ("not a time", "lúc nãy"), ("time as number", 1)]
    if kind == "string":
        return [("number for string", 12345), ("list for string", ["x"]), ("object for string", {"a": 1}),
                ("huge string", HUGE), ("NUL in string", "Hà\x00Nội"), ("lone surrogate", "\ud800")]
    if kind == "integer":
        return [("text for int", "abc"), ("float for int", 1.5), ("bool for int", True), ("negative", -1),
                ("huge", HUGE_ID), ("beyond int64", 2**70), ("list for int", [1])]
    if kind == "number":
        return [("text for number", "abc"), ("huge number", 1e308), ("list for number", [1])]
    if kind == "boolean":
        return [("text for bool", "có"), ("number for bool", 2)]
    if kind == "array":
        return [("text for list", "1,2"), ("object for list", {"a": 1}), ("texts in list", ["abc"]),
                ("huge id in list", [HUGE_ID]), ("negative id in list", [-1])]
    return [("text for object", "abc"), ("list for object", [1])]


# Odd but harmless values a route may accept: they only must not give a 500. A number for a time is a Unix
# timestamp to msgspec (and the server bounds captured-at times anyway); 1e308 metres of GPS accuracy is silly
# but stores fine.
MAY_PASS = {"time as number", "huge number"}
# Fields the server accepts and ignores (a browser's PushSubscription.toJSON() sends expirationTime; it is not kept).
IGNORED_FIELDS = {"expirationTime"}


# ---------------------------------------------------------------- spoiling a valid request


@dataclass
class Probe:
    label: str
    method: str
    url: str
    params: dict[str, Any] | None = None
    json_body: Any = None
    content: bytes | None = None
    files: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    must_be_4xx: bool = True


def _spoil_path(route_path: str, url: str, method: str, base: Call) -> Iterator[Probe]:
    template, actual = route_path.split("/"), url.split("/")
    for index, segment in enumerate(template):
        if not segment.startswith("{"):
            continue
        name = segment.strip("{}")
        values = (["2026-02-30", "hom-nay", "99999999-01-01", "0"] if name == "day"
                  else ["abc", "-1", "0", str(HUGE_ID), "1.5", "%20", str(2**31), "1e3"])
        for value in values:
            spoilt = [*actual]
            spoilt[index] = value
            yield Probe(f"path {name}={value}", method, "/".join(spoilt), params=base.params or None,
                        json_body=base.json, files=base.files)


def _spoil_query(schema: dict[str, Any], operation: dict[str, Any], method: str, base: Call) -> Iterator[Probe]:
    params = dict(base.params)
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "query":
            continue
        name = parameter["name"]
        kind, fmt, node = _kind(schema, parameter.get("schema", {}))
        if parameter.get("required"):
            rest = {k: v for k, v in params.items() if k != name}
            yield Probe(f"query {name} missing", method, base.url, params=rest)
        values: list[tuple[str, Any]] = [("huge text", HUGE_QUERY)]
        if fmt == "date":
            values += [("impossible date", "2026-02-30"), ("not a date", "abc")]
        elif kind in ("integer", "number"):
            values += [("text", "abc"), ("negative", "-1"), ("huge", str(HUGE_ID)), ("float", "1.5")]
        elif kind == "boolean":
            values += [("text", "có")]
        elif kind == "array":
            values += [("unknown item", "khong-co")]
        elif kind == "string" and not (node.get("pattern") or node.get("enum")):
            # Any other text is a valid search, except what no database can hold.
            values = [("huge text", HUGE_QUERY), ("NUL", "nu\x00oc")]
        for label, value in values:
            # A huge number in a filter or a cursor may simply match nothing; it only must not break the server.
            yield Probe(f"query {name} {label}", method, base.url, params={**params, name: value},
                        must_be_4xx=label != "huge")


def _spoil_json(schema: dict[str, Any], body_schema: dict[str, Any], method: str, base: Call) -> Iterator[Probe]:
    url, params = base.url, base.params or None
    raw = {"content-type": "application/json"}
    yield Probe("invalid JSON", method, url, params, content=b'{"title": "Nhi', headers=raw)
    yield Probe("empty body", method, url, params, content=b"", headers=raw)
    yield Probe("JSON null", method, url, params, content=b"null", headers=raw)
    yield Probe("JSON list", method, url, params, json_body=[base.json])
    yield Probe("JSON string", method, url, params, json_body="xin chào")
    yield Probe("not UTF-8", method, url, params, content=b'{"note": "\xff\xfe"}', headers=raw)
    yield Probe("form instead of JSON", method, url, params, content=b"title=abc",
                headers={"content-type": "application/x-www-form-urlencoded"})
    yield Probe("multipart instead of JSON", method, url, params, files={"file": ("a.txt", b"abc", "text/plain")})
    required = body_schema.get("required", [])
    if required:
        yield Probe("all fields missing", method, url, params, json_body={})
    for name in required:
        yield Probe(f"{name} missing", method, url, params, json_body={k: v for k, v in base.json.items() if k != name})
    yield Probe("unknown field", method, url, params, json_body={**base.json, "truong_la": 1})
    for name, node in body_schema.get("properties", {}).items():
        kind, fmt, resolved = _kind(schema, node)
        if kind == "object" and "properties" in resolved:  # a nested object: spoil its fields one level down
            inner = base.json.get(name) if isinstance(base.json.get(name), dict) else {}
            for inner_name, inner_node in resolved["properties"].items():
                inner_kind, inner_fmt, _ = _kind(schema, inner_node)
                for label, value in _wrong_values(inner_kind, inner_fmt):
                    body = copy.deepcopy(base.json)
                    body[name] = {**inner, inner_name: value}
                    yield Probe(f"{name}.{inner_name}: {label}", method, url, params,
                                content=json.dumps(body).encode(), headers=raw)
            continue
        for label, value in _wrong_values(kind, fmt):
            body = {**base.json, name: value}
            # ASCII-escaped JSON: a lone surrogate cannot be sent as UTF-8, only as the escape a client may send.
            yield Probe(f"{name}: {label}", method, url, params, content=json.dumps(body).encode(), headers=raw,
                        must_be_4xx=label not in MAY_PASS and name not in IGNORED_FIELDS)
        if name not in required and _resolve(schema, node).get("oneOf") is None:
            yield Probe(f"{name}: null", method, url, params, json_body={**base.json, name: None})


def _spoil_upload(method: str, base: Call) -> Iterator[Probe]:
    url = base.url
    yield Probe("JSON instead of a file", method, url, json_body={"file": "abc"})
    yield Probe("no file", method, url, files={"other": ("", b"", "text/plain")}, content=None)
    yield Probe("empty file", method, url, files={"data": ("trong.pdf", b"", "application/pdf")})
    yield Probe("text file", method, url, files={"data": ("ghi-chu.txt", b"just text", "text/plain")})
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    yield Probe("broken PNG", method, url, files={"data": ("anh.png", png, "image/png")})
    yield Probe("broken JPEG", method, url, files={"data": ("anh.jpg", b"\xff\xd8\xff" + b"\x01" * 64, "image/jpeg")})
    yield Probe("executable named .pdf", method, url, files={"data": ("x.pdf", b"MZ\x90\x00" * 16, "application/pdf")})
    yield Probe("broken multipart", method, url, content=b"--xyz\r\nContent-Disposition: form-data; name=\"data\"",
                headers={"content-type": "multipart/form-data; boundary=xyz"})


def probes(schema: dict[str, Any], route: str, base: Call) -> list[Probe]:
    method, path = route.split(" ", 1)
    operation = schema["paths"][path][method.lower()]
    found: list[Probe] = list(_spoil_path(path, base.url, method, base))
    found += _spoil_query(schema, operation, method, base)
    media_type, body_schema = request_body_schema(schema, operation)
    if media_type == "application/json" and isinstance(base.json, dict):
        found += _spoil_json(schema, body_schema, method, base)
        found.append(Probe("text/plain JSON", method, base.url, base.params or None,
                           content=json.dumps(base.json).encode(), headers={"content-type": "text/plain"}))
    elif media_type and media_type.startswith("multipart/"):
        found += _spoil_upload(method, base)
    if route == "POST /api/v1/sync":
        found += _spoil_batch(method, base)
    return found


def _spoil_batch(method: str, base: Call) -> Iterator[Probe]:
    """The one change inside the outbox batch, spoilt like a request body."""
    change = base.json["changes"][0]

    def with_change(label: str, must_be_4xx: bool = True, **fields: Any) -> Probe:
        body = {"changes": [{**change, **fields}]}
        return Probe(label, method, base.url, content=json.dumps(body).encode(),
                     headers={"content-type": "application/json"}, must_be_4xx=must_be_4xx)

    for label, value in [("huge", HUGE), ("empty", ""), ("NUL", "a\x00b"), ("accented", "khóa-có-dấu"),
                         ("number", 12)]:
        yield with_change(f"change id: {label}", id=value)
    yield with_change("change kind: unknown", kind="bay")
    for label, value in [("negative", -1), ("huge", HUGE_ID), ("beyond int64", 2**70), ("text", "abc"),
                         ("null", None)]:
        yield with_change(f"change task_id: {label}", task_id=value)
    for label, value in [("note: huge string", {"note": HUGE}), ("note: NUL in string", {"note": "Hà\x00Nội"}),
                         ("percent: text", {"percent": "abc"}), ("percent: huge", {"percent": HUGE_ID}),
                         ("unknown field", {"note": "x", "truong_la": 1}), ("empty", {}), ("list", [1]),
                         ("captured_at: impossible", {"note": "x", "captured_at": "2026-02-30T00:00:00Z"})]:
        yield with_change(f"change body {label}", body=value)
    yield Probe("too many changes", method, base.url, json_body={"changes": [change] * 101})


# ---------------------------------------------------------------- checking answers

VIETNAMESE = re.compile(r"[À-ỹđĐ]")


def problem_with(response: httpx.Response, probe: Probe, inner: Any = None) -> str | None:
    """What is wrong with the answer; for a batch (`inner`), with the answer to the one change inside it."""
    status, text = response.status_code, response.text
    if inner is not None and status == 200:
        status, body = inner(response)
        text = json.dumps(body, ensure_ascii=False)
    if status >= 500 or (probe.must_be_4xx and not 400 <= status < 500):
        return f"status {status}: {text[:160]!r}"
    if status < 400:
        return None
    try:
        error = json.loads(text)["error"]
        code, message = error["code"], error["message"]
    except Exception:
        return f"status {status} without the JSON error body: {text[:160]!r}"
    if not (isinstance(code, str) and code and isinstance(message, str) and message):
        return f"status {status}: empty code or message: {error!r}"
    if not VIETNAMESE.search(message):
        return f"status {status}: message not in Vietnamese: {message!r}"
    return None


async def send(client: httpx.AsyncClient, probe: Probe) -> httpx.Response:
    kwargs: dict[str, Any] = {"params": probe.params, "headers": probe.headers or None}
    if probe.content is not None:
        kwargs["content"] = probe.content
    elif probe.files is not None:
        kwargs["files"] = probe.files
    elif probe.json_body is not None:
        kwargs["json"] = probe.json_body
    return await client.request(probe.method, probe.url, **kwargs)
