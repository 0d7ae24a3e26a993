"""The desk screens in Chromium: signing in, the language switch, the phone layout, the admin's pages."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from server.lib import clock
from server.tasks import services as tasks
from tests.browser.conftest import PHONE, sign_in
from tests.factories import PASSWORD, make_task

pytestmark = pytest.mark.browser

# DESK_SCREENSHOTS=/tmp/shots keeps pictures of the phone layout for a person to look at.
SHOTS = os.environ.get("DESK_SCREENSHOTS")


async def no_horizontal_scroll(page: Page, name: str) -> None:
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    if SHOTS:
        await page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)  # makes the folder
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"


async def test_sign_in_failure_and_the_way_back(j, new_context) -> None:
    task = await make_task(j, title="Rà soát hộ nghèo năm 2026", assignees=[j.officer], lead_unit=j.dept_sub)
    page = await (await new_context()).new_page()

    # Not signed in: the task's address leads to the sign-in page, which remembers it.
    await page.goto(f"/tasks/{task['id']}")
    assert "/login?next=" in page.url
    await expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()

    await page.get_by_label("Tên đăng nhập").fill(j.officer.username)
    await page.get_by_label("Mật khẩu").fill("mat-khau-sai-roi")
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("alert")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng")
    await expect(page.get_by_label("Tên đăng nhập")).to_have_value(j.officer.username)

    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(f"**/tasks/{task['id']}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Rà soát hộ nghèo năm 2026")
    await expect(page.locator("header")).to_contain_text(j.officer.full_name)
    await expect(page.locator("header")).to_contain_text(j.dept_sub.name)

    # Another unit's task is not found; the admin's pages are forbidden — both as pages, in Vietnamese.
    other = await make_task(j, title="Việc của phòng khác", assignees=[j.other_officer], lead_unit=j.other_dept)
    response = await page.goto(f"/tasks/{other['id']}")
    assert response is not None and response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy nhiệm vụ")
    response = await page.goto("/admin/units")
    assert response is not None and response.status == 403
    await expect(page.get_by_role("heading", level=1)).to_have_text("Bạn không có quyền truy cập chức năng này")

    # Signing out ends the session.
    await page.get_by_role("button", name="Đăng xuất").click()
    await page.wait_for_url("**/login")
    await page.goto("/tasks")
    assert "/login?next=%2Ftasks" in page.url


async def test_english_switch_and_back(j, new_context) -> None:
    await make_task(j, title="Kiểm tra an toàn thực phẩm", assignees=[j.head])
    context = await new_context()
    page = await sign_in(context, j.head)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Nhiệm vụ của tôi")

    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
    assert page.url.endswith("/tasks"), "the switch returns to the page it was used on"
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("link", name="My unit's tasks")).to_be_visible()
    # The browser tests share one jurisdiction: look at this test's own task, whatever else the head holds.
    await expect(page.locator(".cards", has_text="Kiểm tra an toàn thực phẩm")).to_contain_text("Assigned")

    # The choice is a cookie: every later page is in English, messages and errors included.
    await page.get_by_role("link", name="Kiểm tra an toàn thực phẩm", exact=True).click()
    await expect(page.locator(".facts")).to_contain_text("Lead unit")
    await expect(page.locator(".facts")).to_contain_text("Deadline")
    await page.locator("#progress").get_by_role("button", name="Send report").click()
    await expect(page.get_by_role("alert")).to_have_text("Enter a note or the progress")
    response = await page.goto("/admin/units")
    assert response is not None and response.status == 403
    await expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this function")

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await page.get_by_label("Username").fill(j.head.username)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("Wrong username or password")

    # And back to Vietnamese, on the page it was used on.
    await page.get_by_role("link", name="Tiếng Việt").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    await expect(page.locator("html")).to_have_attribute("lang", "vi")
    assert page.url.endswith("/login")
    await page.goto("/lang/en?next=/login")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await page.goto("/lang/vi?next=https://evil.example/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    assert "evil.example" not in page.url, "the switch never sends anyone to another site"


async def test_phone_screens_do_not_scroll_sideways(j, open_as) -> None:
    today = clock.today_vn()
    long_title = ("Kiểm tra, rà soát và báo cáo tình hình thực hiện Chỉ thị số 15/CT-UBND về bảo đảm nước sạch "
                  "mùa khô tại các thôn vùng cao — mã hồ sơ HS-2026-000000000000000000000000000000000000001")
    task = await make_task(j, title=long_title, assignees=[j.head], deadline=today + dt.timedelta(days=2))
    await tasks.create_task(j.head, parent_id=task["id"], title="Khảo sát nguồn nước tại thôn Đồng Tâm",
                            lead_unit_id=j.dept_sub.id, assignee_ids=[j.officer.id])
    await tasks.report_progress(j.head, task["id"], note="Đã lấy mẫu ở " + "thôn 1, " * 30, percent=40,
                                latitude=14.5234, longitude=109.0312, accuracy_m=8)
    await tasks.request_extension(j.head, task["id"], today + dt.timedelta(days=20), "Chờ kết quả xét nghiệm")
    report = await make_task(j, title="Báo cáo số liệu cấp nước " + "rất dài " * 20, assignees=[j.officer],
                             lead_unit=j.dept_sub)
    await tasks.transition(j.officer, report["id"], "submit", note="Đã hoàn thành, gửi kèm số liệu")
    late = await make_task(j, title="Việc quá hạn", assignees=[j.head], deadline=today + dt.timedelta(days=1))
    await tasks.transition(j.head, late["id"], "submit", note="Xong")

    head = await open_as(j.head, viewport=PHONE, is_mobile=True, has_touch=True)
    await expect(head.locator(".counts")).to_contain_text("Sắp đến hạn")
    await no_horizontal_scroll(head, "phone-tasks")
    await head.goto("/tasks?view=scope")
    await no_horizontal_scroll(head, "phone-unit-tasks")
    await head.goto(f"/tasks/{task['id']}")
    map_link = head.get_by_role("link", name="Xem vị trí trên bản đồ")
    assert await map_link.get_attribute("href") == (
        "https://www.openstreetmap.org/?mlat=14.5234&mlon=109.0312#map=17/14.5234/109.0312"
    )
    await expect(head.locator("#extensions")).to_contain_text("Chờ quyết định")
    await no_horizontal_scroll(head, "phone-task")

    leader = await open_as(j.leader, "/approvals", viewport=PHONE, is_mobile=True, has_touch=True)
    await expect(leader.locator("article", has_text="Việc quá hạn")).to_be_visible()
    await no_horizontal_scroll(leader, "phone-approvals")
    # The leader decides the extension on the task's page.
    await leader.goto(f"/tasks/{task['id']}")
    await leader.locator("#extensions").get_by_role("button", name="Duyệt", exact=True).click()
    await expect(leader.get_by_role("status")).to_have_text("Đã duyệt gia hạn")
    await expect(leader.locator(".facts")).to_contain_text((today + dt.timedelta(days=20)).strftime("%d/%m/%Y"))
    await no_horizontal_scroll(leader, "phone-task-leader")


async def test_admin_adds_a_unit_a_person_and_a_holiday(j, open_as) -> None:
    page = await open_as(j.admin, "/admin/units")
    await page.get_by_label("Tên đơn vị").fill("Tổ Công nghệ thông tin")
    await page.get_by_label("Mã đơn vị").fill(f"cntt-{j.root.code}")
    await page.get_by_label("Đơn vị cấp trên").select_option(str(j.dept.id))
    await page.get_by_role("button", name="Thêm đơn vị").click()
    await expect(page.get_by_role("status")).to_have_text("Đã thêm đơn vị")
    await expect(page.locator(".tree")).to_contain_text("Tổ Công nghệ thông tin")

    await page.goto("/admin/people")
    await page.get_by_label("Tên đăng nhập").fill(j.officer.username)
    await page.get_by_label("Họ và tên").fill("Trịnh Văn Mới")
    await page.locator("select[name=unit_id]").select_option(str(j.dept.id))
    await page.get_by_label("Mật khẩu").fill("mot-mat-khau-du-dai")
    await page.get_by_role("button", name="Thêm cán bộ").click()
    await expect(page.get_by_role("alert")).to_have_text("Tên đăng nhập đã được dùng")
    await expect(page.get_by_label("Họ và tên")).to_have_value("Trịnh Văn Mới")
    await expect(page.locator("select[name=unit_id]")).to_have_value(str(j.dept.id))
    await page.get_by_label("Tên đăng nhập").fill(f"moi-{j.root.code}")
    await page.get_by_label("Mật khẩu").fill("mot-mat-khau-du-dai")
    await page.get_by_role("button", name="Thêm cán bộ").click()
    await expect(page.get_by_role("status")).to_have_text("Đã thêm cán bộ")
    await expect(page.locator(".cards")).to_contain_text("Trịnh Văn Mới")

    await page.goto("/admin/holidays?year=2031")
    await page.get_by_label("Ngày", exact=True).fill("2031-09-03")
    await page.get_by_label("Tên ngày").fill("Nghỉ lễ Quốc khánh")
    await page.get_by_role("button", name="Lưu").click()
    await expect(page.get_by_role("status")).to_have_text("Đã lưu ngày")
    day = page.locator(".day", has_text="03/09/2031")
    await expect(day).to_contain_text("Nghỉ lễ Quốc khánh")
    await day.get_by_role("button", name="Xóa").click()
    await expect(page.get_by_role("status")).to_have_text("Đã xóa ngày")
    await expect(page.locator(".day", has_text="03/09/2031")).to_have_count(0)
