"""Bad input never gives a 500 outside the API either: the portal's URLs and form, and every page's query
parameters spoiled the ways that reached a driver before (issue 13, finding 2). Moved from test_bad_input.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.access.world import World, world_fixture  # noqa: F401  (the fixture `world`, one per module)

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
