"""Bad input never gives a 500, and never half-writes a record.

For every API route in the OpenAPI schema, a valid request (tests/api/access/requests.py, sent by someone the
access matrix lets through) is spoiled one way at a time: invalid JSON, an empty body, wrong types, missing and
unknown fields, 100,000-character strings, negative and huge ids, ids that are not numbers, impossible dates,
the wrong content type. Each answer must be a 4xx with the JSON error {"error": {"code", "message"}}, the
message in Vietnamese unless the `lang` cookie asks for English.

Hand-written rather than schemathesis: its ASGI transport (starlette-testclient) runs the app in a thread with
an event loop of its own, where the PostgreSQL pool started in the test's loop cannot be used.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from server.lib import clock
from tests.api.access.requests import BUILDERS, Call
from tests.api.access.world import ACTORS, World, world_fixture  # noqa: F401  (the fixture `world`, one per module)
from tests.api.test_access_matrix import EXPECTED
from tests.conftest import USING_POSTGRES
from tests.factories import PASSWORD, make_task, unique

HUGE = "x" * 100_000
HUGE_QUERY = "x" * 60_000  # httpx refuses URLs of 64 KiB and more
HUGE_ID = 99_999_999_999
HTTP_METHODS = {"get", "put", "post", "patch", "delete"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module")
async def schema(world: World) -> dict[str, Any]:
    response = await world.client("anonymous").get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


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


def _body_schema(schema: dict[str, Any], operation: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
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
    media_type, body_schema = _body_schema(schema, operation)
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


def _allowed_case(route: str) -> tuple[str, str]:
    """(variant, actor) of a case the access matrix answers with a 2xx: the request gets past every guard."""
    for variant, statuses in EXPECTED[route].items():
        for actor in ACTORS:
            if 200 <= statuses[actor] < 300 and variant != "other_unit":
                return variant, actor
    raise AssertionError(f"no actor may use {route}")


# ---------------------------------------------------------------- what the server gets wrong today

# (route, probe label) → (why, on PostgreSQL only: True; on both databases: None). Each runs as a strict xfail.
KNOWN_BAD: dict[tuple[str, str], tuple[str, bool | None]] = {}
TASK_WRITES = [f"POST /api/v1/tasks/{{task_id}}/{name}"
               for name in ("assignees", "comments", "progress", "extensions", "subtasks", "transitions")]
JSON_BODY_ROUTES = [
    "POST /api/v1/auth/login", "POST /api/v1/units", "PATCH /api/v1/units/{unit_id}/parent", "POST /api/v1/people",
    "PATCH /api/v1/people/{person_id}", "PUT /api/v1/holidays/{day}", "POST /api/v1/directives", "POST /api/v1/tasks",
    *TASK_WRITES, "POST /api/v1/extensions/{extension_id}/decision", "PUT /api/v1/push/settings",
    "POST /api/v1/push/subscriptions", "DELETE /api/v1/push/subscriptions", "POST /api/v1/sync",
    "PUT /api/v1/admin/reminder-rules/{unit_id}",
]


def _bug(reason: str, cases: dict[str, list[str]], on_postgres: bool | None = None) -> None:
    for route, labels in cases.items():
        for label in labels:
            KNOWN_BAD[(route, label)] = (f"bug: {reason}", on_postgres)


# None today: add an entry with _bug(...) when a probe finds a server bug that cannot be fixed at once.

def _known(route: str, label: str) -> bool:
    entry = KNOWN_BAD.get((route, label))
    return entry is not None and (entry[1] is None or entry[1] == USING_POSTGRES)


async def _run_probes(world: World, schema: dict[str, Any], route: str, only: str | None = None) -> list[str]:
    """Send every probe of the route; after a probe that went through, start again from a fresh valid request."""
    variant, actor = _allowed_case(route)
    failures: list[str] = []
    index = 0
    while True:
        base = await BUILDERS[route](world, actor, variant)
        try:
            spoilt = probes(schema, route, base)
            changed = False
            while index < len(spoilt) and not changed:
                probe = spoilt[index]
                index += 1
                if (only is None and _known(route, probe.label)) or (only is not None and probe.label != only):
                    continue
                client = base.client
                if route == "POST /api/v1/auth/login":  # its rate limit is per address: one address per probe
                    client = await world.clients.signed_in(None)
                response = await send(client, probe)
                problem = problem_with(response, probe, base.inner)
                if problem:
                    failures.append(f"  {probe.label}: {problem}")
                changed = response.status_code < 400 and (
                    base.inner is None or base.inner(response)[0] < 400
                )
        finally:
            if base.cleanup is not None:
                await base.cleanup()
        if index >= len(spoilt):
            return failures


def _routes_with_input() -> list[str]:
    return [route for route in EXPECTED if not route.endswith("/health")]


@pytest.mark.parametrize("route", _routes_with_input())
async def test_bad_input_gets_a_4xx_with_a_json_error(world: World, schema: dict[str, Any], route: str) -> None:
    method, path = route.split(" ", 1)
    if path not in schema["paths"] or method.lower() not in schema["paths"][path]:
        pytest.skip(f"{route} is no longer in the schema (test_access_matrix fails for it)")
    failures = await _run_probes(world, schema, route)
    assert not failures, f"{route}:\n" + "\n".join(failures)


@pytest.mark.parametrize(
    ("route", "label"),
    [
        pytest.param(route, label, marks=pytest.mark.xfail(
            strict=True, reason=why, condition=True if on_postgres is None else on_postgres == USING_POSTGRES
        ), id=f"{route}|{label}")
        for (route, label), (why, on_postgres) in KNOWN_BAD.items()
    ],
)
async def test_known_bad_input(world: World, schema: dict[str, Any], route: str, label: str) -> None:
    failures = await _run_probes(world, schema, route, only=label)
    assert not failures, f"{route}:\n" + "\n".join(failures)


async def test_routes_outside_the_matrix_are_probed_too(world: World, schema: dict[str, Any]) -> None:
    """A route the access matrix does not list yet still must not 500 on garbage (as the leader)."""
    failures = []
    leader = world.client("leader")
    for path, operations in schema["paths"].items():
        for method in operations:
            route = f"{method.upper()} {path}"
            if method not in HTTP_METHODS or route in EXPECTED or not path.startswith("/api/"):
                continue
            url = re.sub(r"\{[^}]+\}", "1", path)
            media_type, body_schema = _body_schema(schema, operations[method])
            body = None
            if media_type == "application/json":
                body = {name: "x" for name in body_schema.get("properties", {})}
            base = Call(method.upper(), url, leader, json=body)
            for probe in probes(schema, route, base):
                probe.must_be_4xx = False  # without a valid base request, only "never 5xx" is certain
                problem = problem_with(await send(leader, probe), probe)
                if problem:
                    failures.append(f"  {route} {probe.label}: {problem}")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------- headers, locale


async def test_a_changing_request_without_the_api_header_is_refused(world: World, schema: dict[str, Any]) -> None:
    """docs/decisions/0001: every changing API request must carry X-Requested-With (the CSRF defence)."""
    failures = []
    for route in EXPECTED:
        method = route.split(" ", 1)[0]
        if method not in UNSAFE or route == "POST /api/v1/auth/login":
            continue
        variant, actor = _allowed_case(route)
        base = await BUILDERS[route](world, actor, variant)
        try:
            base.client.headers.pop("X-Requested-With", None)
            response = await base.client.request(base.method, base.url, json=base.json, files=base.files,
                                                  params=base.params or None)
        finally:
            base.client.headers["X-Requested-With"] = "dieuhanh"
            if base.cleanup is not None:
                await base.cleanup()
        if response.status_code != 403 or response.json()["error"]["code"] != "api_header_missing":
            failures.append(f"  {route}: {response.status_code} {response.text[:120]}")
    assert not failures, "changing requests accepted without X-Requested-With:\n" + "\n".join(failures)


async def test_login_without_the_api_header_is_refused(world: World) -> None:
    client = world.clients.anonymous(headers={})
    response = await client.post(
        "/api/v1/auth/login", content=json.dumps({"username": world.j.officer2.username, "password": PASSWORD}),
        headers={"content-type": "text/plain"},
    )
    assert response.status_code in (403, 415), response.text


async def test_errors_are_in_vietnamese_by_default(world: World) -> None:
    client = world.clients.anonymous()
    response = await client.post("/api/v1/auth/login", json={"username": "khong-ai", "password": "sai-mat-khau"})
    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "login_failed", "message": "Tên đăng nhập hoặc mật khẩu không đúng"
    }


@pytest.mark.parametrize("how", ["cookie", "query"])
async def test_errors_follow_the_lang_cookie(world: World, how: str) -> None:
    body = {"username": "khong-ai", "password": "sai-mat-khau"}
    if how == "cookie":
        client = world.clients.anonymous(cookies={"lang": "en"})
        response = await client.post("/api/v1/auth/login", json=body)
    else:
        response = await world.clients.anonymous().post("/api/v1/auth/login", json=body, params={"lang": "en"})
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "login_failed"
    assert error["message"] != "Tên đăng nhập hoặc mật khẩu không đúng"
    assert not VIETNAMESE.search(error["message"]), error["message"]


# ---------------------------------------------------------------- nothing half-written


async def _counts() -> dict[str, int]:
    from server.audit.tables import AuditEvent
    from server.sync.tables import IdempotencyKey
    from server.tasks.tables import Task, TaskAssignee, TaskCoordinatingUnit, TaskDeadline, TaskEvent

    tables = (Task, TaskAssignee, TaskCoordinatingUnit, TaskDeadline, TaskEvent, AuditEvent, IdempotencyKey)
    return {table._meta.tablename: await table.count() for table in tables}


async def test_a_create_that_fails_validation_writes_nothing(world: World) -> None:
    j, j2 = world.j, world.j2
    leader = world.client("leader")
    parent = await make_task(j, assignees=[j.head])
    deadline = str(clock.today_vn() + dt.timedelta(days=5))
    good = {"title": "Sửa cầu treo", "lead_unit_id": j.dept.id, "assignee_ids": [j.head.id], "deadline": deadline}
    bad_bodies = {
        "assignee outside the unit": {**good, "assignee_ids": [j.head.id, j.other_officer.id]},
        "coordinating unit that does not exist": {**good, "coordinating_unit_ids": [j.other_dept.id, 2_000_000_000]},
        "directive of another commune": {**good, "directive_id": (await world.directive("other_jurisdiction"))["id"]},
        "lead unit of another commune": {**good, "lead_unit_id": j2.dept.id, "assignee_ids": []},
        "two deadlines": {**good, "deadline_working_days": 5},
        "unknown priority": {**good, "priority": "gấp lắm"},
    }
    before = await _counts()
    for label, body in bad_bodies.items():
        response = await leader.post("/api/v1/tasks", json=body, headers={"Idempotency-Key": unique("k-")})
        assert response.status_code == 422, f"{label}: {response.text}"
    late = {"title": "Phần việc", "assignee_ids": [j.officer.id], "lead_unit_id": j.dept_sub.id,
            "deadline": str(parent["deadline"] + dt.timedelta(days=30))}
    response = await leader.post(f"/api/v1/tasks/{parent['id']}/subtasks", json=late)
    assert response.status_code == 422 and response.json()["error"]["code"] == "subtask_deadline_after_parent"
    assert await _counts() == before


async def test_a_create_that_fails_midway_writes_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure after the task's rows are inserted (here: the audit write) rolls all of them back."""
    from server.audit import services as audit

    real_record = audit.record

    async def failing_record(**kwargs: Any) -> None:
        if kwargs.get("action") == "task.create":
            raise RuntimeError("the disk is full")
        await real_record(**kwargs)

    monkeypatch.setattr(audit, "record", failing_record)
    j = world.j
    body = {"title": unique("Nạo vét "), "lead_unit_id": j.dept.id, "assignee_ids": [j.head.id],
            "coordinating_unit_ids": [j.other_dept.id], "deadline": str(clock.today_vn() + dt.timedelta(days=3))}
    before = await _counts()
    response = await world.client("leader").post("/api/v1/tasks", json=body, headers={"Idempotency-Key": unique("k")})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert await _counts() == before


# ---------------------------------------------------------------- the portal's URLs and form (issue 13, finding 2)

HUGE_NUMBER = "99999999999999999999"
PORTAL_URLS = [
    f"/portal/reports?offset={HUGE_NUMBER}",
    f"/portal/reports.json?offset={HUGE_NUMBER}",
    f"/portal/reports.json?unit={HUGE_NUMBER}",
    f"/portal/reports.json?category={HUGE_NUMBER}",
    f"/portal/reports?unit={HUGE_NUMBER}&category={HUGE_NUMBER}",
    "/portal/reports.json?date_from=0001-01-01&date_to=9999-12-31",
    "/portal/reports?date_to=9999-12-31",
    "/portal/stats?date_from=0001-01-01",
    "/portal/stats?date_to=9999-12-31",
    "/portal/stats.json?date_from=0001-01-01&date_to=9999-12-31",
    "/portal/reports.json?offset=-1",
    "/r/PA-AAAAAA/photos/99999999999999999999.webp",
]


@pytest.mark.parametrize("url", PORTAL_URLS)
async def test_the_portal_answers_huge_numbers_and_far_dates_without_a_500(client_for: Any, j: Any, url: str) -> None:
    """Each URL gave an OverflowError (a 500) before its integers and dates were bounded where they are parsed."""
    client = await client_for(None, headers={})
    response = await client.get(url)
    assert response.status_code in (200, 400, 404), f"{url}: {response.status_code} {response.text[:300]}"
    if url.startswith("/portal/reports.json?offset="):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_input"


async def test_the_portal_form_refuses_a_huge_category_with_the_form_again(client_for: Any, j: Any) -> None:
    """`category=99999999999999999999999` reached the INSERT and failed there (a 500); now the form says why."""
    from tests.api.reports.portal_helpers import post_report
    from tests.unit.reports.helpers import make_category

    category = await make_category(j)
    client = await client_for(None, headers={})
    response = await post_report(client, category["id"], phone="0911000777", category="99999999999999999999999")
    assert response.status_code == 422, response.text[:500]
    assert "Cần chọn lĩnh vực" in response.text


# The pages outside the OpenAPI schema (desk, dashboard, admin, portal, Open311), with each query parameter spoiled
# the ways that reached a driver before: numbers past 64 bits, years 1 and 9999, a NUL.
PAGES = {
    "/admin/holidays": ["year", "edit"], "/admin/mail": ["mail_state"], "/admin/people": ["q"],
    "/admin/reminders": ["unit_id"], "/dashboard": ["period", "start", "end", "unit_id", "sort", "person_id"],
    "/dashboard/directives": ["signer", "kind", "start", "end"],
    "/dashboard/people": ["period", "start", "end", "unit_id", "sort", "offset"],
    "/dashboard/report": ["period", "start", "end", "unit_id"],
    "/dashboard/tasks": ["bucket", "start", "end", "period", "unit_id", "person_id", "own", "offset"],
    "/directives": ["q", "kind"], "/inbox": ["unread", "before"], "/portal/petitions": ["session", "q"],
    "/portal/reports": ["q", "category", "status", "unit", "date_from", "date_to", "offset"],
    "/portal/stats": ["date_from", "date_to"], "/reports/triage": ["n"], "/tasks": ["view", "q", "overdue", "offset"],
    "/tasks/new": ["directive_id"], "/open311/v2/requests.json": ["start_date", "end_date", "service_request_id"],
}
PATHS_WITH_IDS = ["/admin/mail/{id}", "/dashboard/exports/{id}", "/directives/{id}", "/inbox/{id}",
                  "/reports/admin/areas/{id}", "/reports/photos/{id}/original", "/reports/triage/{id}", "/tasks/{id}",
                  "/tasks/{id}/split", "/open311/v2/requests/{id}.xml"]
SPOILED = [HUGE_NUMBER, "-" + HUGE_NUMBER, "0001-01-01", "9999-12-31", "0001-01-01T00:00:00", "a\x00b", "1e400"]


@pytest.mark.parametrize("actor", ["leader", "admin", "receptionist"])
async def test_no_page_answers_a_spoiled_parameter_with_a_500(world: World, actor: str) -> None:
    client = world.client(actor)
    problems = []
    for path, names in PAGES.items():
        for name in names:
            for value in SPOILED:
                response = await client.get(path, params={name: value}, headers={"accept": "text/html"})
                if response.status_code >= 500:
                    problems.append(f"{path}?{name}={value!r} → {response.status_code}")
    for template in PATHS_WITH_IDS:
        for value in ("2147483648", HUGE_NUMBER, "0", "-1"):
            response = await client.get(template.format(id=value))
            if response.status_code >= 500 or (len(value) > 9 and response.status_code != 404):
                problems.append(f"{template.format(id=value)} → {response.status_code}")
    assert not problems, "\n".join(problems)


async def test_a_nul_in_the_portal_form_or_an_open311_post_is_a_4xx(client_for: Any, j: Any) -> None:
    """PostgreSQL's text cannot store a NUL: it reached the INSERT and failed there (a 500 on PostgreSQL only)."""
    from server.reports import admin
    from tests.api.reports.portal_helpers import post_report
    from tests.unit.reports.helpers import make_category

    category = await make_category(j)
    client = await client_for(None, headers={})
    for spoiled in ("description", "address", "name"):
        response = await post_report(client, category["id"], phone="0911000778", **{spoiled: "Ống nước\x00vỡ"})
        assert response.status_code == 422, (spoiled, response.status_code, response.text[:300])
    key = await admin.create_key(None, "Ứng dụng thử")
    for fmt in ("json", "xml"):
        response = await client.post(f"/open311/v2/requests.{fmt}", data={
            "api_key": key, "service_code": category["code"], "lat": "10.76", "long": "106.66",
            "description": "Cống\x00tắc"})
        assert response.status_code == 400, response.text[:300]
