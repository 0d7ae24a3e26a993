"""The inbox and the notification settings on the desk, in Chromium: a person reads their notices, opens one
(it leads to its task), marks the rest read, and chooses which notices reach their phone and e-mail."""

from __future__ import annotations

import os

import pytest
from playwright.async_api import expect

from server.notifications import services
from tests.browser.conftest import PHONE
from tests.factories import make_person, make_task

pytestmark = pytest.mark.browser
# DESK_SCREENSHOTS=/tmp/shots keeps pictures of these pages for a person to look at.
SHOTS = os.environ.get("DESK_SCREENSHOTS")


async def test_read_open_and_mark_all_read(j, open_as) -> None:  # type: ignore[no-untyped-def]
    officer = await make_person(j.dept_sub, full_name="Trần Văn Hộp Thư")
    task = await make_task(j, title="Khơi thông cống thoát nước", assignees=[officer])  # "assigned" notice
    await services.notify(officer.id, "overdue", "Quá hạn 1 ngày làm việc: Sửa đèn đường", link=f"/tasks/{task['id']}")
    await services.notify(officer.id, "digest", "Tóm tắt công việc hôm nay", link="/tasks")
    page = await open_as(officer, "/inbox", viewport=PHONE, is_mobile=True, has_touch=True)
    await expect(page.locator("#inbox-unread")).to_have_text("3")
    await expect(page.get_by_role("link", name="Bạn được giao nhiệm vụ: Khơi thông cống thoát nước")).to_be_visible()
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    if SHOTS:
        await page.screenshot(path=f"{SHOTS}/inbox.png", full_page=True)

    await page.get_by_role("link", name="Bạn được giao nhiệm vụ: Khơi thông cống thoát nước").click()
    await page.wait_for_url(f"**/tasks/{task['id']}")
    await page.goto("/inbox")
    await expect(page.locator("#inbox-unread")).to_have_text("2")
    await page.get_by_role("button", name="Đánh dấu tất cả là đã đọc").click()
    await expect(page.locator("#inbox-unread")).to_have_text("0")
    await expect(page.get_by_text("Đã đánh dấu tất cả là đã đọc")).to_be_visible()
    await page.get_by_role("link", name="Chưa đọc").click()
    await expect(page.get_by_text("Không có thông báo chưa đọc.")).to_be_visible()


async def test_choose_notices_and_email(j, open_as) -> None:  # type: ignore[no-untyped-def]
    officer = await make_person(j.dept_sub, full_name="Lê Thị Cài Đặt")
    page = await open_as(officer, "/settings/notifications")
    await page.get_by_label("Tóm tắt công việc hằng ngày").uncheck()
    await page.get_by_label("Gửi cả qua thư điện tử").check()
    await page.get_by_role("button", name="Lưu").click()
    await expect(page.get_by_text("Đã lưu")).to_be_visible()
    await expect(page.get_by_label("Tóm tắt công việc hằng ngày")).not_to_be_checked()
    await expect(page.get_by_label("Gửi cả qua thư điện tử")).to_be_checked()
    if SHOTS:
        await page.screenshot(path=f"{SHOTS}/notification-settings.png", full_page=True)
    settings = await services.get_person_settings(officer.id)
    assert settings["email"] is True and "digest" not in settings["push_kinds"] and "assigned" in settings["push_kinds"]
