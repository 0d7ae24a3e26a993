"""The leader on a phone sees the tasks at risk with their reasons, opens one, and finds the badge on it."""

from __future__ import annotations

import pytest

from server.lib import clock
from tests.browser.conftest import PHONE
from tests.factories import make_jurisdiction
from tests.unit.forecast.history import one_risky_one_safe

pytestmark = pytest.mark.browser


async def test_leader_sees_at_risk_tasks_and_the_badge_on_a_phone(open_as) -> None:  # type: ignore[no-untyped-def]
    today = clock.today_vn()
    j = await make_jurisdiction()
    risky, safe = await one_risky_one_safe(j, today)

    page = await open_as(j.leader, "/dashboard", viewport=PHONE)
    section = page.locator("section[aria-labelledby=risk-h]")
    await section.scroll_into_view_if_needed()
    assert await section.get_by_role("heading", name="Có nguy cơ trễ hạn").is_visible()
    item = section.locator(f"li[data-task='{risky}']")
    assert await item.is_visible()
    assert "đơn vị này hoàn thành trễ" in await item.inner_text()
    assert await section.locator(f"li[data-task='{safe}']").count() == 0
    bar = section.locator(f"li[data-unit='{j.dept.id}'] .bar")
    assert (await bar.bounding_box() or {"width": 0})["width"] > 20  # the figure's bar is drawn on a phone
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    await item.get_by_role("link").click()
    await page.wait_for_url(f"**/tasks/{risky}")
    badge = page.locator("[data-risk]")
    assert await badge.is_visible()
    assert "Nguy cơ trễ hạn" in await badge.inner_text()
    assert await page.locator(".risk-reasons").is_visible()
