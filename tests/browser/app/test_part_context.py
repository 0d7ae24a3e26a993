"""Issue 10, point 4, in Chromium at 390×844: the officer of a part split from a citizen's report sees, on the
app's task screen and on the desk's, where to go and what the citizen saw: the parent's description, the
address, a map link and the citizen's photo (its stripped copy, loaded through the part's own URL)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from server.reports.services import accept
from server.tasks.services import create_task
from tests.browser.app.conftest import open_app
from tests.browser.conftest import PHONE
from tests.unit.reports.helpers import make_category, make_report

SHOTS = Path("/tmp/shots")
SHOTS.mkdir(parents=True, exist_ok=True)
OSM_POINT = re.compile(r"openstreetmap\.org/\?mlat=10\.7531&mlon=106\.6702")


@pytest.fixture(autouse=True)
def _patient_expectations() -> Iterator[None]:
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


async def _photo_loaded(page: Page, selector: str) -> None:
    """The image decoded (not a broken icon). Polled through evaluate: the pages' CSP forbids the string eval
    that wait_for_function relies on."""
    image = page.locator(selector).first
    await expect(image).to_be_visible()
    for _ in range(150):
        if await image.evaluate("i => i.complete && i.naturalWidth > 0"):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{selector} never loaded")


async def test_the_parts_officer_sees_the_parents_place_and_photo(j, phone, open_as) -> None:  # type: ignore[no-untyped-def]
    category = await make_category(j, unit=j.dept)
    report = await make_report(category, description="Cây đổ chắn ngang đường liên thôn, gần cầu Bà Lê")
    parent_id = (await accept(j.leader, report["id"]))["task_id"]
    part = await create_task(j.head, title="Cưa và dọn cây đổ", lead_unit_id=j.dept_sub.id, parent_id=parent_id,
                             assignee_ids=[j.officer.id])

    page = await open_app(await phone(j.officer), f"/app/#/task/{part['id']}")
    context = page.locator("section.context")
    await expect(context).to_contain_text("Cây đổ chắn ngang đường liên thôn")
    await expect(context).to_contain_text("Ấp Mỹ Thuận 1")
    await expect(context.locator("a.place")).to_have_attribute("href", OSM_POINT)
    await _photo_loaded(page, "section.context .photos img")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the part's screen is {width} px wide on a {PHONE['width']} px phone"
    await page.screenshot(path=str(SHOTS / "part_context_app_390.png"), full_page=True)

    desk = await open_as(j.officer, f"/tasks/{part['id']}", viewport=PHONE)
    section = desk.locator("#context")
    await expect(section).to_contain_text("Cây đổ chắn ngang đường liên thôn")
    await expect(section.get_by_role("link", name="Xem vị trí trên bản đồ")).to_be_visible()
    await _photo_loaded(desk, "#context .photos img")
    await desk.screenshot(path=str(SHOTS / "part_context_desk_390.png"), full_page=True)
    # The parent stays closed to the officer.
    response = await desk.goto(f"/tasks/{parent_id}")
    assert response is not None and response.status == 404
