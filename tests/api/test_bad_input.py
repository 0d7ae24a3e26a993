"""Bad input never gives a 500, and never half-writes a record.

For every API route in the OpenAPI schema, a valid request (tests/api/access/requests.py, sent by someone the
access matrix lets through) is spoiled one way at a time: invalid JSON, an empty body, wrong types, missing and
unknown fields, 100,000-character strings, negative and huge ids, ids that are not numbers, impossible dates,
the wrong content type. Each answer must be a 4xx with the JSON error {"error": {"code", "message"}}, the
message in Vietnamese unless the `lang` cookie asks for English. The probes and the judging of an answer are in
tests/api/access/spoil.py; the pages and the portal outside the API in test_bad_input_pages.py.

Hand-written rather than schemathesis: its ASGI transport (starlette-testclient) runs the app in a thread with
an event loop of its own, where the PostgreSQL pool started in the test's loop cannot be used.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from server.lib import clock
from tests.api.access.requests import BUILDERS, Call
from tests.api.access.spoil import HTTP_METHODS, UNSAFE, VIETNAMESE, probes, problem_with, request_body_schema, send
from tests.api.access.world import ACTORS, World, world_fixture  # noqa: F401  (the fixture `world`, one per module)
from tests.api.test_access_matrix import EXPECTED
from tests.conftest import USING_POSTGRES
from tests.factories import PASSWORD, make_task, unique


@pytest.fixture(scope="module")
async def schema(world: World) -> dict[str, Any]:
    response = await world.client("anonymous").get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


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
            media_type, body_schema = request_body_schema(schema, operations[method])
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
