"""The receptionist, on a phone and at a desk, sees the unit history suggests beside the rule's, with the past
reports it rests on, and a duplicate in other words with its evidence; one tap merges it."""

from __future__ import annotations

import random

import pytest

from server.forecast import suggestions
from server.reports.tables import Report
from tests.api.forecast.reports_history import past_report
from tests.browser.conftest import DESK, PHONE
from tests.factories import make_jurisdiction
from tests.unit.reports.helpers import make_category, make_report

pytestmark = pytest.mark.browser
METRE = 1 / 111_000


async def test_receptionist_sees_the_learned_unit_and_a_duplicate_with_its_evidence(open_as) -> None:  # type: ignore[no-untyped-def]
    j = await make_jurisdiction()
    lat, lon = 10.5 + random.random(), 106.2 + random.random()
    category = await make_category(j, unit=j.dept)
    for i in range(20):
        await past_report(category["id"], f"Rò rỉ đường ống nước ở chợ {i}", unit_id=j.other_dept.id,
                          lat=lat + i * 1e-4, lon=lon, days_ago=30 + i)
    for i in range(14):
        await past_report(category["id"], f"Rác thải đổ bừa bãi ngoài đồng {i}", unit_id=j.dept.id,
                          lat=lat + 0.1, lon=lon + i * 1e-4, days_ago=30 + i)
    assert (await suggestions.refresh_routing(j.root.id)).status == suggestions.READY
    first = await past_report(category["id"], "Vỡ ống nước ở cổng chợ, nước chảy lênh láng", lat=lat, lon=lon,
                              days_ago=1.2, status="new")
    new = await make_report(category, lat=lat + 40 * METRE, lon=lon, description="vo ong nuoc cong cho")

    for viewport in (PHONE, DESK):
        page = await open_as(j.receptionist, f"/reports/triage?category={category['id']}", viewport=viewport)
        card = page.locator(f"#report-{new['id']}")
        learned = card.locator(".learned")
        await learned.scroll_into_view_if_needed()
        assert await learned.is_visible()
        said = await learned.inner_text()
        assert "Gợi ý từ lịch sử" in said and j.other_dept.name in said and "độ tin cậy" in said
        assert await learned.locator("a[href^='/r/PA-']").count() >= 2  # the past reports it rests on
        assert "Theo quy tắc:" in await card.locator(".rule").inner_text()
        evidence = card.locator(".similar .evidence").first
        assert await evidence.is_visible()
        shown = await evidence.inner_text()
        assert "cách 40 m" in shown and "giống" in shown and "vỡ, rò rỉ ống nước" in shown
        assert await page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    await card.get_by_role("button", name=f"Trùng với {first['code']}").click()
    await page.wait_for_url("**/reports/triage**ok=merge**")
    row = await Report.select(Report.status, Report.duplicate_of).where(Report.id == new["id"]).first()
    assert row == {"status": "duplicate", "duplicate_of": first["id"]}
