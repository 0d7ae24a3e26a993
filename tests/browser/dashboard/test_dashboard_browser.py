"""The leader's dashboard in headless Chromium on a 390×844 phone: it fits, the rates show, a drill-down agrees."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESK, PHONE, sign_in
from tests.unit.dashboard.seed_data import World, build

pytestmark = pytest.mark.browser

# March 2026 in full: the seed's 100 counted tasks, 77 done of which 50 on time, whatever today is.
PATH = "/dashboard?period=custom&start=2026-03-01&end=2026-03-31"


@pytest.fixture
async def world() -> World:
    return await build()


async def _no_horizontal_scroll(page) -> None:  # type: ignore[no-untyped-def]
    widths = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth, document.body.scrollWidth]"
    )
    assert widths[0] <= widths[1] and widths[2] <= widths[1], widths


async def test_leader_dashboard_on_a_phone(world: World, new_context) -> None:  # type: ignore[no-untyped-def]
    context = await new_context(viewport=PHONE)
    page = await sign_in(context, world.j.leader, PATH)
    await _no_horizontal_scroll(page)
    completion = page.locator('[data-rate="completion"] .dash-rate-value')
    on_time = page.locator('[data-rate="on_time"] .dash-rate-value')
    assert await completion.inner_text() == "77%"
    assert await on_time.inner_text() == "50%"
    for rate in (completion, on_time):
        assert await rate.is_visible()
        box = await rate.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["y"] + box["height"] <= PHONE["height"], "the rates are on the first screen"
    # The trend chart fits the phone's width, is light, and its words and numbers are big enough to read.
    chart = await page.locator("svg.trend").bounding_box()
    assert chart is not None and chart["width"] <= PHONE["width"]
    assert chart["width"] >= 0.8 * PHONE["width"] - 40, "the chart uses the phone's width"
    svg_bytes = await page.evaluate("() => document.querySelector('svg.trend').outerHTML.length")
    assert svg_bytes < 20_000
    label_heights = await page.evaluate(
        "() => [...document.querySelectorAll('svg.trend text')].map(t => t.getBoundingClientRect().height)"
    )
    assert label_heights and min(label_heights) >= 9, label_heights
    bars = await page.locator("svg.trend rect").count()
    assert bars >= 4, "the stacked bars are drawn"
    # Drill down: the figure's count is the list's length.
    link = page.locator('.dash-buckets a[data-bucket="done_on_time"]')
    count = int(await link.get_attribute("data-count") or -1)
    assert count == 50
    await link.click()
    await page.wait_for_url("**/dashboard/tasks?**")
    assert await page.locator(".dash-drill-count .dash-count").inner_text() == "50"
    assert await page.locator("li[data-task]").count() == count
    await _no_horizontal_scroll(page)
    # A sub-unit row's figure, too (rows are cards on the phone).
    await page.go_back()
    row_link = page.locator('table[data-table="units"] tbody tr a[data-bucket="total"]').first
    row_count = int(await row_link.get_attribute("data-count") or -1)
    await row_link.click()
    await page.wait_for_url("**/dashboard/tasks?**")
    assert int(await page.locator(".dash-drill-count .dash-count").get_attribute("data-count") or -2) == row_count
    assert await page.locator("li[data-task]").count() == row_count


async def test_leader_dashboard_at_the_desk_and_in_english(world: World, new_context) -> None:  # type: ignore[no-untyped-def]
    context = await new_context(viewport=DESK)
    page = await sign_in(context, world.j.leader, PATH)
    await _no_horizontal_scroll(page)
    assert await page.locator('table[data-table="units"] thead').is_visible()
    await page.goto(PATH + "&lang=en")
    assert "Completion rate" in await page.locator('[data-rate="completion"]').inner_text()
    await page.goto("/dashboard/report?period=custom&start=2026-03-01&end=2026-03-31")
    assert await page.locator('[data-rate="completion"]').inner_text() == "77%"
    pdf = await page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
