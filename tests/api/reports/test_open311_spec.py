"""Open311 GeoReport v2 to the letter (issue 13, finding 12), point by point, in JSON and in XML.

Each test quotes the sentence of the specification it checks: open311/open311.github.io, GeoReport/v2/index.md.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import pytest

from server.reports import admin, services
from server.reports.tables import Report
from tests.unit.reports.helpers import make_category, make_report

BASE = "/open311/v2"
FORMATS = ("json", "xml")


def _items(response: Any, fmt: str) -> list[dict[str, str | None]]:
    """The list of requests (or errors) in either format, as plain dicts of text."""
    if fmt == "json":
        return [{k: (None if v is None else str(v)) for k, v in item.items()} for item in response.json()]
    root = ET.fromstring(response.content)
    return [{child.tag: child.text for child in element} for element in root]


async def _post(client: Any, fmt: str, key: str, category: dict[str, Any], **fields: str) -> Any:
    data = {"api_key": key, "service_code": category["code"], "lat": "10.7601", "long": "106.6602",
            "description": "Cống thoát nước bị tắc trước chợ", **fields}
    return await client.post(f"{BASE}/requests.{fmt}", data=data)


@pytest.mark.parametrize("fmt", FORMATS)
async def test_the_post_answer_has_the_id_or_a_token_never_both(client_for: Any, j: Any, fmt: str) -> None:
    """POST Service Request, Response: `service_request_id` — "This should not be returned if token is returned";
    `token` — "This should not be returned if service_request_id is returned"; `service_notice` and `account_id`
    — "May not be returned". The answer is `service_requests` ⇊ `request` ↴, in XML as in JSON (an array)."""
    category = await make_category(j, target_days=5)
    key = await admin.create_key(None, "Ứng dụng thử")
    client = await client_for(None, headers={})
    created = await _post(client, fmt, key, category)
    assert created.status_code == 201, created.text
    if fmt == "xml":
        root = ET.fromstring(created.content)
        assert root.tag == "service_requests" and [e.tag for e in root] == ["request"]
    else:
        assert isinstance(created.json(), list) and len(created.json()) == 1
    [item] = _items(created, fmt)
    assert set(item) <= {"service_request_id", "token", "service_notice", "account_id"}
    assert ("service_request_id" in item) != ("token" in item)
    # Every service is "realtime": "The service request ID will be returned immediately after the service
    # request is submitted."
    assert services.CODE_RE.match(item["service_request_id"] or "")
    assert item["service_notice"] == "5 ngày làm việc"


@pytest.mark.parametrize("fmt", FORMATS)
async def test_the_description_is_limited_to_4000_characters(client_for: Any, j: Any, fmt: str) -> None:
    """POST Service Request, `description`: "This may contain line breaks, but not html or code. Otherwise, this
    is free form text limited to 4,000 characters." 4,000 are accepted, 4,001 are a 400 and nothing is written."""
    category = await make_category(j)
    key = await admin.create_key(None, "Ứng dụng thử")
    client = await client_for(None, headers={})
    accepted = await _post(client, fmt, key, category, description="Đ" + "x\n" * 1999 + "!")
    assert accepted.status_code == 201, accepted.text
    before = await Report.count()
    refused = await _post(client, fmt, key, category, description="x" * 4001)
    assert refused.status_code == 400, refused.text
    [error] = _items(refused, fmt)
    assert error["code"] == "400" and "4000" in (error["description"] or "")
    assert await Report.count() == before


@pytest.mark.parametrize("fmt", FORMATS)
async def test_several_requests_at_once_by_comma_delimited_ids(client_for: Any, j: Any, fmt: str) -> None:
    """GET Service Requests, `service_request_id`: "To call multiple Service Requests at once, multiple
    service_request_id can be declared; comma delimited." — "This overrides all other arguments."

    A client that sends its usual filters (status, service_code, a date window) beside the ids must still get
    every request it names."""
    category = await make_category(j)
    other = await make_category(j, name="Chiếu sáng công cộng")
    first, second = await make_report(category), await make_report(other)
    await services.accept(j.receptionist, first["id"])
    client = await client_for(None, headers={})
    ids = f"{first['code']},{second['code']}"
    for extra in ({}, {"status": "closed"}, {"service_code": category["code"]},
                  {"start_date": "2010-05-24T00:00:00Z", "end_date": "2010-06-24T00:00:00Z"}):
        response = await client.get(f"{BASE}/requests.{fmt}", params={"service_request_id": ids, **extra})
        assert response.status_code == 200, response.text
        got = {item["service_request_id"] for item in _items(response, fmt)}
        assert got == {first["code"], second["code"]}, extra
    # "can be declared": declared twice, the same two.
    twice = await client.get(f"{BASE}/requests.{fmt}?service_request_id={first['code']}"
                             f"&service_request_id={second['code']}")
    assert {item["service_request_id"] for item in _items(twice, fmt)} == {first["code"], second["code"]}


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_date_range_may_not_span_more_than_90_days(client_for: Any, j: Any, fmt: str) -> None:
    """GET Service Requests, `start_date`: "When provided with end_date, allows one to search for requests which
    have a requested_datetime that matches a given range, but may not span more than 90 days." """
    client = await client_for(None, headers={})
    ok = await client.get(f"{BASE}/requests.{fmt}", params={"start_date": "2026-01-01T00:00:00Z",
                                                            "end_date": "2026-04-01T00:00:00Z"})
    assert ok.status_code == 200
    too_long = await client.get(f"{BASE}/requests.{fmt}", params={"start_date": "2026-01-01T00:00:00Z",
                                                                  "end_date": "2026-04-01T00:00:01Z"})
    assert too_long.status_code == 400
    [error] = _items(too_long, fmt)
    assert error["code"] == "400" and "90" in (error["description"] or "")


@pytest.mark.parametrize("fmt", FORMATS)
async def test_an_unknown_service_code_is_404_and_a_missing_one_400(client_for: Any, j: Any, fmt: str) -> None:
    """POST Service Request, Possible Errors: "404 - service_code or jurisdiction_id was not found (specified in
    error response)"; "400 - service_code or jurisdiction_id was not provided (specified in error response)"."""
    key = await admin.create_key(None, "Ứng dụng thử")
    client = await client_for(None, headers={})
    unknown = await _post(client, fmt, key, {"code": "khong-co"})
    assert unknown.status_code == 404
    assert "service_code" in (_items(unknown, fmt)[0]["description"] or "")
    missing = await _post(client, fmt, key, {"code": ""})
    assert missing.status_code == 400
    assert "service_code" in (_items(missing, fmt)[0]["description"] or "")
