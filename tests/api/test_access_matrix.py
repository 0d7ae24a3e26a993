"""The access matrix: every route in the OpenAPI schema, and the status each role gets on it.

PRODUCT.md, "Who may see and do what": an officer sees the tasks assigned to them; a unit head their unit
and its sub-units; a leader the whole jurisdiction. A route a role may not use answers 403; an object outside
the actor's scope answers 404 (never 403: another unit's task must not even show that it exists); anyone
not signed in gets 401 on the API. /health, /schema and POST /api/v1/auth/login are public.

EXPECTED lists, for every (method, path) in the schema, per object variant, the status of each actor:
  "-"                   the route takes no object id;
  "own"                 an object of j.dept (the unit head's department; the officer is assigned to the task);
  "other_unit"          an object of j.other_dept: same jurisdiction, another department;
  "other_jurisdiction"  an object of a second commune (a second make_jurisdiction());
  "coordinated"         a task of j.other_dept on which j.dept is a coordinating unit (đơn vị phối hợp).
Holidays have no owner: "listed" is a day in the calendar, "unlisted" one that is not; background jobs neither:
"failed" is a job the admin may retry, "not_failed" one that is queued.
A route added to the app without a line here fails `test_every_route_is_in_the_matrix`.

Every write case acts on a fresh object, so the cases do not depend on each other's state changes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.access.requests import BUILDERS
from tests.api.access.statuses import (
    HTTP_METHODS,
    NOT_FOUND,
    SEE_COORDINATED,
    SEE_OWN,
    SEE_SIBLING,
    everyone,
    extra_rows,
    head_refused,
    only,
    row,
    signed_in,
    task_route,
    with_status,
)
from tests.api.access.world import (
    ACTORS,
    COORDINATED,
    OTHER_JURISDICTION,
    OTHER_UNIT,
    OWN,
    World,
    world_fixture,  # noqa: F401  (the fixture `world`, one per module)
)

# Figures are for managers, the leader and the unit head; unit_id (a query parameter) is scoped like an object:
# another department's figures are the leader's alone, another commune's nobody's.
MANAGERS = only(200, "leader", "unit_head")
MANAGERS_OTHER_UNIT = row(anonymous=401, admin=403, leader=200, unit_head=404, officer=403, receptionist=403)
MANAGERS_OTHER_COMMUNE = row(anonymous=401, admin=403, leader=404, unit_head=404, officer=403, receptionist=403)
FOR_MANAGERS = {
    "-": MANAGERS,
    OWN: MANAGERS,
    OTHER_UNIT: MANAGERS_OTHER_UNIT,
    OTHER_JURISDICTION: MANAGERS_OTHER_COMMUNE,
}

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "GET /health": {"-": everyone(200)},
    # Each signs in as themselves; "anonymous" is a fresh client signing in.
    "POST /api/v1/auth/login": {"-": everyone(200)},
    "POST /api/v1/auth/logout": {"-": signed_in(200)},
    "GET /api/v1/auth/me": {"-": signed_in(200)},
    "GET /api/v1/units": {"-": signed_in(200)},
    "POST /api/v1/units": {"-": only(201, "admin")},
    "PATCH /api/v1/units/{unit_id}/parent": {
        OWN: only(200, "admin"),
        OTHER_JURISDICTION: only(404, "admin"),
    },
    "GET /api/v1/people": {"-": signed_in(200)},
    "POST /api/v1/people": {"-": only(201, "admin")},
    "PATCH /api/v1/people/{person_id}": {
        OWN: only(200, "admin"),
        OTHER_JURISDICTION: only(404, "admin"),
    },
    "GET /api/v1/holidays": {"-": signed_in(200)},
    "GET /api/v1/holidays/working-days": {"-": signed_in(200)},
    "PUT /api/v1/holidays/{day}": {"listed": only(200, "admin"), "unlisted": only(200, "admin")},
    "DELETE /api/v1/holidays/{day}": {"listed": only(200, "admin"), "unlisted": only(404, "admin")},
    "GET /api/v1/directives": {"-": signed_in(200)},
    "POST /api/v1/directives": {"-": only(201, "leader")},
    # Directives belong to the jurisdiction: everyone in it may read them (their tasks stay scoped).
    "GET /api/v1/directives/{directive_id}": {OWN: signed_in(200), OTHER_JURISDICTION: NOT_FOUND},
    "GET /api/v1/tasks": {"-": signed_in(200)},
    "POST /api/v1/tasks": {"-": only(201, "leader", "unit_head")},
    "GET /api/v1/tasks/{task_id}": task_route(SEE_OWN, SEE_SIBLING, SEE_COORDINATED),
    "GET /api/v1/tasks/{task_id}/citizen-photos/{photo_id}/{size}": task_route(SEE_OWN, SEE_SIBLING, SEE_COORDINATED),
    # Managing assignees: leaders and unit heads over their subtree; the assigned officer sees it but may not.
    "POST /api/v1/tasks/{task_id}/assignees": task_route(
        {**SEE_OWN, "officer": 403}, SEE_SIBLING, head_refused(SEE_COORDINATED)
    ),
    "POST /api/v1/tasks/{task_id}/comments": task_route(
        with_status(SEE_OWN, 201), with_status(SEE_SIBLING, 201), with_status(SEE_COORDINATED, 201)
    ),
    # Progress: the assignee or a manager of the lead unit (what the task's `can_report` says), whatever the state.
    "POST /api/v1/tasks/{task_id}/progress": task_route(
        with_status(SEE_OWN, 201), with_status(SEE_SIBLING, 201), head_refused(with_status(SEE_COORDINATED, 201)),
        coordinated_in_progress=head_refused(with_status(SEE_COORDINATED, 201)),
    ),
    "POST /api/v1/tasks/{task_id}/extensions": task_route(
        with_status(SEE_OWN, 201), with_status(SEE_SIBLING, 201), head_refused(with_status(SEE_COORDINATED, 201))
    ),
    "POST /api/v1/tasks/{task_id}/subtasks": task_route(
        {**with_status(SEE_OWN, 201), "officer": 403}, with_status(SEE_SIBLING, 201),
        head_refused(with_status(SEE_COORDINATED, 201)),
    ),
    # "submit" on an assigned task: the assignee or a manager. "approve" on a submitted one: the leader only.
    "POST /api/v1/tasks/{task_id}/transitions": task_route(
        SEE_OWN, SEE_SIBLING, head_refused(SEE_COORDINATED), own_approve={**SEE_OWN, "unit_head": 403, "officer": 403}
    ),
    # Deciding an extension of a top-level task: the leader; the unit head and the officer see the task only.
    "POST /api/v1/extensions/{extension_id}/decision": task_route(
        {**SEE_OWN, "unit_head": 403, "officer": 403}, SEE_SIBLING, head_refused(SEE_COORDINATED)
    ),
    # Attachments. A directive's: the leader adds them. A progress report's: its author only (the offline
    # contract: the officer's photos follow the note even when the report was refused).
    "POST /api/v1/directives/{directive_id}/attachments": {
        OWN: only(201, "leader"),
        OTHER_JURISDICTION: only(404, "leader"),
    },
    "POST /api/v1/progress/{report_id}/attachments": {
        OWN: {**NOT_FOUND, "leader": 403, "unit_head": 403, "officer": 201},
        OTHER_UNIT: {**NOT_FOUND, "leader": 403},
        COORDINATED: {**NOT_FOUND, "leader": 403, "unit_head": 403},
        OTHER_JURISDICTION: NOT_FOUND,
    },
    # Reading an attachment follows its owner: a report's like its task, a directive's like the directive.
    "GET /api/v1/attachments/{attachment_id}": task_route(
        SEE_OWN, SEE_SIBLING, SEE_COORDINATED, own_directive=signed_in(200)
    ),
    "GET /api/v1/approvals": {"-": signed_in(200)},
    "GET /api/v1/search": {"-": signed_in(200)},
    # Figures are for managers (FOR_MANAGERS, above).
    "GET /api/v1/kpi": dict(FOR_MANAGERS),
    "GET /api/v1/dashboard": dict(FOR_MANAGERS),
    # The late-risk forecast is a manager's instrument: the list scoped like the figures, a task's risk like the task.
    "GET /api/v1/forecast/at-risk": dict(FOR_MANAGERS),
    "GET /api/v1/forecast/tasks/{task_id}": task_route(
        MANAGERS, MANAGERS_OTHER_UNIT, MANAGERS, **{OTHER_JURISDICTION: MANAGERS_OTHER_COMMUNE}
    ),
    "GET /api/v1/dashboard/tasks": dict(FOR_MANAGERS),
    # Everyone's own inbox, push subscriptions and settings; "own" is addressed to the actor, another person's
    # (here: in another commune) is not found.
    "GET /api/v1/inbox": {"-": signed_in(200)},
    "POST /api/v1/inbox/read-all": {"-": signed_in(200)},
    "POST /api/v1/inbox/{notification_id}/read": {OWN: signed_in(200), OTHER_JURISDICTION: NOT_FOUND},
    "GET /api/v1/push/key": {"-": signed_in(200)},
    "GET /api/v1/push/settings": {"-": signed_in(200)},
    "PUT /api/v1/push/settings": {"-": signed_in(200)},
    "POST /api/v1/push/subscriptions": {"-": signed_in(201)},
    "DELETE /api/v1/push/subscriptions": {OWN: signed_in(200), OTHER_JURISDICTION: NOT_FOUND},
    # The offline outbox in one request. The batch answers 200; each change inside is answered like its own
    # endpoint (here a progress report): that inner status is what the matrix checks.
    "POST /api/v1/sync": task_route(
        with_status(SEE_OWN, 201), with_status(SEE_SIBLING, 201), head_refused(with_status(SEE_COORDINATED, 201)),
        coordinated_in_progress=head_refused(with_status(SEE_COORDINATED, 201)),
    ),
    "GET /api/v1/sync/tasks": {"-": signed_in(200)},
    # The background job queue is the admin's; jobs belong to no unit: a failed job, and one that is not.
    "GET /api/v1/admin/jobs": {"-": only(200, "admin")},
    "POST /api/v1/admin/jobs/{job_id}/retry": {"failed": only(200, "admin"), "not_failed": only(404, "admin")},
}
# Each area of the product may keep its routes' rows in tests/api/access/routes_<area>.py.
EXPECTED.update(extra_rows())

# Cases the server gets wrong today: (route, variant, actor) → why. Each runs as a strict xfail.
KNOWN_BUGS: dict[tuple[str, str, str], str] = {}


# ---------------------------------------------------------------- the tests


def _cases() -> list[Any]:
    cases = []
    for route, variants in EXPECTED.items():
        for variant, statuses in variants.items():
            for actor in ACTORS:
                bug = KNOWN_BUGS.get((route, variant, actor))
                marks = [pytest.mark.xfail(reason=bug, strict=True)] if bug else []
                cases.append(pytest.param(route, variant, actor, statuses[actor], marks=marks,
                                          id=f"{route}|{variant}|{actor}"))
    return cases


def _error_shape_problem(body: str) -> str | None:
    try:
        error = json.loads(body)["error"]
    except Exception:
        return f"error body is not {{'error': {{...}}}}: {body[:200]!r}"
    if not (isinstance(error.get("code"), str) and error["code"] and isinstance(error.get("message"), str)
            and error["message"]):
        return f"error body lacks code/message: {error!r}"
    return None


@pytest.mark.parametrize(("route", "variant", "actor", "expected"), _cases())
async def test_access(world: World, route: str, variant: str, actor: str, expected: int) -> None:
    world.reuse_objects = actor == "anonymous"
    call = await BUILDERS[route](world, actor, variant)
    try:
        response = await call.client.request(
            call.method, call.url, json=call.json, files=call.files, params=call.params or None
        )
    finally:
        if call.cleanup is not None:
            await call.cleanup()
    where = f"{route} as {actor} on {variant} ({call.method} {call.url})"
    status, body = response.status_code, response.text
    if call.inner is not None and status == 200:
        status, inner = call.inner(response)
        body = json.dumps(inner, ensure_ascii=False)
    assert status == expected, f"{where}: expected {expected}, got {status}: " + body[:300]
    if status >= 400 and route.split(" ", 1)[1].startswith("/api/"):
        problem = _error_shape_problem(body)
        assert problem is None, f"{where}: {problem}"


async def test_every_route_is_in_the_matrix(world: World) -> None:
    response = await world.client("anonymous").get("/schema/openapi.json")
    assert response.status_code == 200, response.text
    schema = response.json()
    in_schema = {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops
                 if method in HTTP_METHODS}
    new = sorted(in_schema - EXPECTED.keys())
    gone = sorted(EXPECTED.keys() - in_schema)
    assert not new, (
        "new route: add it to the access matrix (EXPECTED here, its request in tests/api/access/requests.py): "
        + ", ".join(new)
    )
    assert not gone, "EXPECTED lists routes the schema no longer has: " + ", ".join(gone)


def test_the_matrix_is_complete() -> None:
    """Every route has a request builder; every route with an object id has own and foreign objects."""
    assert sorted(BUILDERS) == sorted(EXPECTED)
    for route, variants in EXPECTED.items():
        for variant, statuses in variants.items():
            assert sorted(statuses) == sorted(ACTORS), (route, variant)
            assert statuses["anonymous"] == (200 if route in PUBLIC_ROUTES else 401), (route, variant)
        if "{day}" in route:
            assert {"listed", "unlisted"} <= variants.keys(), route
        elif "{job_id}" in route:
            assert {"failed", "not_failed"} <= variants.keys(), route
        elif "{" in route:
            assert {OWN, OTHER_JURISDICTION} <= variants.keys(), route
            # Someone in the actor's own jurisdiction is refused a foreign object with 404, never 403.
            assert all(code in (401, 403, 404) for code in variants[OTHER_JURISDICTION].values()), route
    assert set(KNOWN_BUGS) <= {(r, v, a) for r, vs in EXPECTED.items() for v in vs for a in ACTORS}


PUBLIC_ROUTES = {"GET /health", "POST /api/v1/auth/login"}
BATCH_ROUTES = {"POST /api/v1/sync"}


def _success(statuses: dict[str, dict[str, int]]) -> set[int]:
    return {code for variant in statuses.values() for code in variant.values() if 200 <= code < 300}


# Routes whose schema documents another success status than the handler answers (none today).
UNDOCUMENTED_SUCCESS: set[str] = set()


@pytest.mark.parametrize(
    "route",
    [
        pytest.param(
            route,
            marks=[pytest.mark.xfail(strict=True, reason="bug: the schema documents 201, the handler answers 200")]
            if route in UNDOCUMENTED_SUCCESS else [],
        )
        for route in EXPECTED
    ],
)
async def test_success_status_is_documented(world: World, route: str) -> None:
    schema = (await world.client("anonymous").get("/schema/openapi.json")).json()
    method, path = route.split(" ", 1)
    operation = schema["paths"][path][method.lower()]
    documented = {int(code) for code in operation.get("responses", {}) if code.isdigit()}
    answered = {200} if route in BATCH_ROUTES else _success(EXPECTED[route])  # a batch itself answers 200
    missing = answered - documented
    assert not missing, f"{route} answers {sorted(missing)} but documents only {sorted(documented)}"
