"""The steps of issue 10's journeys that the citizen's report and the voter's petition share, each at the screen
its person uses: the receptionist accepts at the desk, the unit head splits and submits, the leader approves on
the phone; the shots, the waits and the checks they take. Moved from test_citizen_report_life.py.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.async_api import BrowserContext, Page, expect

from server.reports.tables import Report
from tests.browser.app.conftest import eventually, open_app
from tests.browser.checks import task_is, task_state
from tests.browser.conftest import DESK
from tests.factories import PASSWORD

SHOTS = Path("/tmp/shots")
HOLD_SECONDS = 5  # pwa/js/undo.js HOLD_MS


@pytest.fixture(autouse=True, name="_shots_and_patience")
def shots_and_patience() -> Iterator[None]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


def camera_photo(colour: tuple[int, int, int], name: str) -> dict[str, Any]:
    """A phone-camera JPEG made here, for a file input."""
    buffer = io.BytesIO()
    image = Image.new("RGB", (1200, 900), colour)
    image.paste((250, 250, 250), (0, 0, 600, 225))
    image.save(buffer, "JPEG", quality=85)
    return {"name": name, "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


async def shot(page: Page, name: str) -> None:
    await page.screenshot(path=str(SHOTS / f"journey-{name}.png"), full_page=True)


async def loaded(page: Page, selector: str) -> None:
    """The image decoded, not a broken icon (polled through evaluate: the pages' CSP forbids string eval)."""
    image = page.locator(selector).first
    await expect(image).to_be_visible()
    for _ in range(150):
        if await image.evaluate("i => i.complete && i.naturalWidth > 0"):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{selector} never loaded on {page.url}")


async def sign_in_home(context: BrowserContext, actor: Any, home: str) -> Page:
    """Sign in through the form from the site's root, and land on the role's own home."""
    page = await context.new_page()
    await page.goto("/")
    await page.get_by_label("Tên đăng nhập").fill(actor.username)
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(f"**{home}")
    return page


async def open_answer(page: Page, url: str) -> None:
    """The answer is published just after the approval commits (tasks.services' after_commit hook), so the
    citizen, like a real one, opens the page again until it is there."""

    async def answered() -> bool:
        await page.goto(url)
        return await page.locator("#public-answer").count() > 0

    await eventually(answered, within=20, what=f"the public answer on {url}")


async def no_sideways_scroll(page: Page) -> None:
    width, client = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= client, f"{page.url} scrolls sideways: {width} > {client}"


async def receptionist_accepts(new_context: Any, j: Any, code: str) -> None:
    desk = await new_context(viewport=DESK)
    await desk.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page = await sign_in_home(desk, j.receptionist, "/reports/triage")
    # On a busy morning (or a full test run) the queue holds more than a page: she looks the code up, as when
    # the citizen calls with it.
    await page.get_by_label("Mã tra cứu hoặc nội dung").fill(code)
    await page.get_by_role("button", name="Lọc").click()
    await page.wait_for_url("**q=**")
    item = page.locator("article.triage-item", has_text=code)
    await expect(item).to_be_visible()
    # The unit the rules will pick is named before the tap.
    await expect(item.locator(".rule")).to_contain_text(j.dept.name)
    await item.screenshot(path=str(SHOTS / f"journey-{code[:2]}-2-triage-item.png"))
    await shot(page, f"{code[:2]}-2-triage")
    await item.get_by_role("button", name="Tiếp nhận").click()
    await page.wait_for_url("**ok=accept**")
    await expect(page.locator("article.triage-item", has_text=code)).to_have_count(0)
    row = await Report.select(Report.status, Report.unit).where(Report.code == code).first()
    assert row == {"status": "accepted", "unit": j.dept.id}
    # Routing gives her no right to the task afterwards.
    task_id = await task_of(code)
    response = await page.goto(f"/tasks/{task_id}")
    assert response is not None and response.status in (403, 404), response.status


async def task_of(code: str) -> int:
    row = await Report.select(Report.task_id).where(Report.code == code).first()
    assert row["task_id"], f"{code} has no task"
    return int(row["task_id"])


async def head_splits(new_context: Any, j: Any, code: str, part_title: str) -> tuple[Page, str, int]:
    """The unit head lands on the unit's open work, finds the report's task there and splits off a part."""
    desk = await new_context(viewport=DESK)
    head = await sign_in_home(desk, j.head, "/tasks?view=scope")
    # A busy unit's list is long: the head looks the report up by its code.
    await head.get_by_label("Tìm kiếm").fill(code)
    await head.get_by_role("button", name="Lọc").click()
    link = head.get_by_role("link", name=re.compile(re.escape(code)))
    await expect(link.first).to_be_visible()
    await shot(head, f"{code[:2]}-3-head-home")
    await link.first.click()
    await expect(head.locator("main")).to_contain_text(code)
    task_path = "/tasks/" + re.search(r"/tasks/(\d+)", head.url).group(1)
    await head.get_by_role("link", name="Chia việc").click()
    await head.locator("[name=title_0]").fill(part_title)
    await head.locator("[name=assignee_0]").select_option(str(j.officer.id))
    await head.locator("[name=unit_0]").select_option(str(j.dept_sub.id))
    await head.get_by_role("button", name="Chia việc", exact=True).click()
    await expect(head.get_by_role("status")).to_contain_text("Đã chia việc")
    part_link = head.locator(".cards").get_by_role("link", name=part_title)
    await expect(part_link).to_be_visible()
    part_id = int(re.search(r"/tasks/(\d+)", await part_link.get_attribute("href") or "").group(1))
    await shot(head, f"{code[:2]}-3-split")
    return head, task_path, part_id


async def head_submits_parent(head: Page, code: str, task_path: str, part_title: str, note: str,
                               answer: str) -> None:
    """The head approves the officer's part, sees the parent follow it to 100%, and submits the parent."""
    await head.goto("/approvals")
    card = head.locator("article", has_text=part_title)
    await expect(card).to_contain_text(note)
    await loaded(head, f"article:has-text('{part_title}') .photos img")  # the officer's photo, as evidence
    await shot(head, f"{code[:2]}-5-head-approvals")
    await card.get_by_role("button", name="Duyệt hoàn thành", exact=True).click()
    await expect(head.get_by_role("status")).to_contain_text("Đã duyệt hoàn thành")
    await head.goto(task_path)
    await expect(head.locator(".cards")).to_contain_text("Hoàn thành")
    # The parent's progress comes from its part.
    await expect(head.locator("progress").first).to_have_attribute("value", "100")
    await expect(head.locator(".badges")).to_contain_text("Đang thực hiện")
    await shot(head, f"{code[:2]}-5-parent-before-submit")
    await head.locator("#submit").get_by_label("Kết quả thực hiện").fill(answer)
    await head.locator("#submit").get_by_role("button", name="Gửi kết quả").click()
    await expect(head.get_by_role("status")).to_contain_text("Đã gửi kết quả, chờ duyệt")
    await expect(head.locator(".badges")).to_contain_text("Chờ duyệt")
    await shot(head, f"{code[:2]}-5-parent-submitted")


async def leader_approves_on_the_phone(phone: Any, j: Any, code: str, task_id: int, part_title: str, note: str,
                                        answer: str) -> None:
    leader = await open_app(await phone(j.leader), "/app/#/approvals")
    card = leader.locator(f".approval[data-task-id='{task_id}']")
    await expect(card).to_contain_text(answer)
    await expect(card.locator(".parts")).to_contain_text(part_title)
    await expect(card.locator(".parts")).to_contain_text(note)
    await expect(card).not_to_contain_text("Chưa có báo cáo")
    # The citizen's after photo: the part's photographed report, ticked by default.
    ticked = card.locator("[data-public-photo]:checked")
    await expect(ticked).to_have_count(1)
    await no_sideways_scroll(leader)
    await shot(leader, f"{code[:2]}-6-leader-card")
    await card.get_by_role("button", name="Duyệt hoàn thành").click()
    bar = leader.locator("#undo-bar")
    await expect(bar).to_be_visible()
    await expect(bar).to_contain_text("Đã duyệt")
    await leader.screenshot(path=str(SHOTS / f"journey-{code[:2]}-6-undo-bar.png"))
    assert await task_state(task_id) == "submitted", "sent before the undo window closed"
    # Left alone, the approval goes when the window closes.
    await eventually(lambda: task_is(task_id, "done"), within=HOLD_SECONDS + 20, what="the leader's approval")
    await expect(bar).to_be_hidden()
    await shot(leader, f"{code[:2]}-6-leader-after")
