"""Issue 10, points 4 to 6, in Chromium at 390×844: the officer of a part split from a citizen's report sees, on the
app's task screen and on the desk's, where to go and what the citizen saw: the parent's description, the
address, a map link and the citizen's photo (its stripped copy, loaded through the part's own URL); the leader
judges the task by its parts' reports and picks the citizen's "after" photo on the approval card."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from server.media.services import attach
from server.reports.services import accept
from server.reports.tables import ReportPhoto
from server.tasks.services import create_task, report_progress, transition
from server.tasks.tables import Task
from tests.browser.app.conftest import eventually, open_app
from tests.browser.conftest import PHONE
from tests.unit.reports.helpers import jpeg_with_gps, make_category, make_report

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


async def test_the_leader_judges_a_split_task_by_its_parts_and_picks_the_public_photo(j, phone) -> None:  # type: ignore[no-untyped-def]
    category = await make_category(j, unit=j.dept)
    report = await make_report(category, description="Đèn đường hỏng cả đoạn trước trường tiểu học")
    parent_id = (await accept(j.leader, report["id"]))["task_id"]
    part = await create_task(j.head, title="Thay bóng đèn đường", lead_unit_id=j.dept_sub.id, parent_id=parent_id,
                             assignee_ids=[j.officer.id])
    photos = {}
    for note, colour in (("Đang thay bóng", "yellow"), ("Đèn đã sáng", "green")):
        progress = await report_progress(j.officer, part["id"], note=note, percent=100)
        photos[note] = await attach(owner_kind="progress_report", owner_id=progress.report_id, filename=f"{colour}.jpg",
                                    data=jpeg_with_gps(color=colour), actor_id=j.officer.id)
    await transition(j.officer, part["id"], "submit", note="Đã thay 6 bóng")
    await transition(j.head, part["id"], "approve")
    await transition(j.head, parent_id, "submit", note="Đã khắc phục đèn đường")

    page = await open_app(await phone(j.leader), "/app/#/approvals")
    card = page.locator(f".approval[data-task-id='{parent_id}']")
    await expect(card.locator(".parts")).to_contain_text("Thay bóng đèn đường")
    await expect(card.locator(".parts")).to_contain_text("Đèn đã sáng")
    await expect(card.locator(".parts")).to_contain_text(j.officer.full_name)
    await expect(card).not_to_contain_text("Chưa có báo cáo")
    during = card.locator(f"[data-public-photo='{photos['Đang thay bóng']['id']}']")
    after = card.locator(f"[data-public-photo='{photos['Đèn đã sáng']['id']}']")
    await expect(after).to_be_checked()  # by default, the submission's photo
    await expect(during).not_to_be_checked()
    await card.screenshot(path=str(SHOTS / "parent_approval_card_390.png"))
    await during.check()
    await after.uncheck()
    await card.get_by_role("button", name="Duyệt hoàn thành").click()

    async def published() -> list[str]:
        rows = await ReportPhoto.select(ReportPhoto.original_sha256).where(
            (ReportPhoto.report == report["id"]) & (ReportPhoto.kind == "after"))
        return [r["original_sha256"] for r in rows]

    assert await eventually(published, within=30, what="the public answer") == [photos["Đang thay bóng"]["sha256"]]
    row = await Task.select(Task.state).where(Task.id == parent_id).first()
    assert row["state"] == "done"
