"""schemathesis against the API, for every role and anonymous (issue 13): no 5xx, and no answer that breaks the
OpenAPI schema the app publishes (its status codes, content types and bodies, errors included).

schemathesis generates the cases (positive and negative, derandomized, a few per operation) and checks each
answer; the requests themselves go through the test's own httpx clients, signed in as each role, in the test's
event loop. schemathesis's ASGI transport (`from_asgi`) would run the app on another event loop in a thread,
where the PostgreSQL pool the tests started cannot be used.

Left out, because a valid request would spoil the rest of the run rather than find a fault:
- POST /api/v1/auth/logout: ends the role's session, so every later case would be a 401;
- PATCH /api/v1/people/{person_id}: the admin could deactivate, demote or re-password the signed-in people;
- PUT and DELETE /api/v1/holidays/{day}: the holiday calendar is shared by every later test's working-day sums;
- GET /api/v1/live: a server-sent event stream, which never ends.
"""

from __future__ import annotations

import os
import time
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.access.world import World, world_fixture  # noqa: F401  (the fixture `world`, one per module)

# The least to the most powerful: the admin's valid writes come last.
ROLES = ("anonymous", "officer", "unit_head", "receptionist", "leader", "admin")
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
EXCLUDED = {
    ("POST", "/api/v1/auth/logout"),
    ("PATCH", "/api/v1/people/{person_id}"),
    ("PUT", "/api/v1/holidays/{day}"),
    ("DELETE", "/api/v1/holidays/{day}"),
    ("GET", "/api/v1/live"),
}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _cases(operation: Any) -> list[Any]:
    """A few positive and negative cases of one operation, the same ones on every run."""
    cases: list[Any] = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def collect(case: Any) -> None:
            cases.append(case)

        try:
            collect()
        except Exception as error:  # an operation with nothing to negate has no negative cases
            if mode is GenerationMode.POSITIVE:
                raise
            if "Unsatisfiable" not in type(error).__name__ and "negat" not in str(error).lower():
                raise
    return cases


def _request(kwargs: dict[str, Any]) -> dict[str, Any]:
    """schemathesis's requests-style arguments, as httpx takes them."""
    request: dict[str, Any] = {"method": kwargs["method"], "url": kwargs["url"], "headers": kwargs.get("headers"),
                               "params": kwargs.get("params")}
    if "json" in kwargs:
        request["json"] = kwargs["json"]
    data = kwargs.get("data")
    if kwargs.get("files"):
        # schemathesis shapes files for `requests` (values httpx cannot take): let requests encode the body.
        import requests

        prepared = requests.PreparedRequest()
        prepared.prepare_headers(None)
        prepared.prepare_body(data, kwargs["files"])
        request["content"] = prepared.body
        request["headers"] = {**(request["headers"] or {}), "Content-Type": prepared.headers["Content-Type"]}
    elif isinstance(data, (bytes, str)):
        request["content"] = data
    elif data is not None:
        request["data"] = data
    return request


async def test_no_5xx_and_no_schema_violation_for_any_role(world: World) -> None:
    raw = (await world.client("anonymous").get("/schema/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(raw)
    operations = [result.ok() for result in schema.get_all_operations()]
    chosen = [op for op in operations if (op.method.upper(), op.path) not in EXCLUDED]
    assert len(chosen) == len(operations) - len(EXCLUDED), "an excluded operation is gone: update EXCLUDED"
    started = time.monotonic()
    cases = {f"{op.method.upper()} {op.path}": _cases(op) for op in chosen}
    generated = time.monotonic() - started
    failures: list[str] = []
    figures: dict[str, int] = {}
    for role in ROLES:
        client = world.client(role)
        figures[role] = 0
        for label, operation_cases in cases.items():
            for case in operation_cases:
                kwargs = case.as_transport_kwargs(base_url=str(client.base_url))
                request = client.build_request(**_request(kwargs))
                request.read()  # a multipart body is a stream: the checks read what was sent
                response = await client.send(request)
                figures[role] += 1
                try:
                    case.validate_response(response, checks=CHECKS)
                except (Exception, BaseExceptionGroup) as failure:  # each is collected, all are reported
                    failures.append(f"{role} {label} → {response.status_code}: {str(failure)[:600]}")
    took = time.monotonic() - started
    print(f"\nschemathesis: {len(chosen)} operations, {sum(len(c) for c in cases.values())} cases each role "
          f"(generated in {generated:.1f} s); sent per role {figures}; {len(failures)} failures; {took:.1f} s")
    assert not failures, "\n\n".join(failures[:40])


def test_the_transport_mapping_keeps_the_body() -> None:
    """The only code of ours between schemathesis and the app: it must not drop what schemathesis meant to send."""
    assert _request({"method": "POST", "url": "u", "json": {"a": 1}})["json"] == {"a": 1}
    assert _request({"method": "POST", "url": "u", "data": b"x"})["content"] == b"x"
    assert _request({"method": "POST", "url": "u", "data": {"a": "1"}})["data"] == {"a": "1"}
    upload = _request({"method": "POST", "url": "u", "headers": {}, "files": [("file", ("a.pdf", b"%PDF-1.4"))]})
    assert b"%PDF-1.4" in upload["content"] and upload["headers"]["Content-Type"].startswith("multipart/form-data")
    assert httpx.Request(**_request({"method": "GET", "url": "http://t/", "params": {"q": ["a", "b"]}})).url.query \
        == b"q=a&q=b"


async def test_the_schema_documents_the_error_body_the_api_sends(world: World) -> None:
    """Finding 9: the schema said {status_code, detail, extra}; the API answers {"error": {code, message, details}}.
    Every error response of every operation now refers to one ErrorBody, and real errors match it."""
    import jsonschema_rs

    raw = (await world.client("anonymous").get("/schema/openapi.json")).json()
    body = raw["components"]["schemas"]["ErrorBody"]
    assert body["required"] == ["error"] and body["properties"]["error"]["required"] == ["code", "message"]
    for path, item in raw["paths"].items():
        for method, operation in item.items():
            errors = {code: r for code, r in operation.get("responses", {}).items() if code[0] in "45"}
            assert {"400", "401", "403", "404", "422"} <= set(errors), (method, path)
            for code, response in errors.items():
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorBody"}, (method, path, code)
    validator = jsonschema_rs.validator_for(body)
    anonymous, officer = world.client("anonymous"), world.client("officer")
    for response in (await anonymous.get("/api/v1/tasks"), await officer.get("/api/v1/tasks/2147483647"),
                     await officer.get("/api/v1/tasks?limit=0"), await officer.post("/api/v1/units", json={})):
        assert response.status_code >= 400
        validator.validate(response.json())
