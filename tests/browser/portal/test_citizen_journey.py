"""The citizen's journey in Chromium, with JavaScript off (the portal must work) and on (GPS, previews)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.async_api import expect

from server.reports import services
from tests.browser.conftest import PHONE, sign_in
from tests.unit.reports.helpers import SECRET_EMAIL, SECRET_NAME, jpeg_with_gps, make_category


def _photo(tmp_path: Path) -> str:
    path = tmp_path / "hien-truong.jpg"
    path.write_bytes(jpeg_with_gps(640, 480))
    return str(path)


async def _fill_report(page: Any, category: dict, tmp_path: Path, phone: str) -> None:
    await page.goto("/portal/report")
    await page.get_by_label("Lĩnh vực").select_option(str(category["id"]))
    await page.get_by_label("Nội dung phản ánh").fill("Cống thoát nước bị tắc, nước tràn ra đường")
    await page.get_by_label("Ảnh (1–5 ảnh, mỗi ảnh tối đa 10 MB)").set_input_files(_photo(tmp_path))
    await page.get_by_label("Địa chỉ (số nhà, đường, ấp/khu phố, xã)").fill("Ấp Mỹ Thuận 1, xã Phụng Hiệp")
    await page.get_by_label("Họ và tên").fill(SECRET_NAME)
    await page.get_by_label("Số điện thoại").fill(phone)
    await page.get_by_label("E-mail (để nhận thông báo)").fill(SECRET_EMAIL)
    await page.get_by_label("Tôi đã đọc và đồng ý với việc xử lý dữ liệu cá nhân như trên").check()


async def test_journey_without_javascript(new_context: Any, j: Any, tmp_path: Path) -> None:
    from server.tasks.services import report_progress, set_assignees, transition

    category = await make_category(j, target_days=5, name="Thoát nước đô thị")
    citizen = await new_context(viewport=PHONE, java_script_enabled=False)
    page = await citizen.new_page()
    await _fill_report(page, category, tmp_path, "0977000111")
    await page.get_by_role("button", name="Gửi phản ánh").click()
    await page.wait_for_url(re.compile(r"/r/PA-[2-9A-HJ-NP-Z]{6}\?key="))
    code = await page.locator("#tracking-code").inner_text()
    private_link = await page.locator("#private-link").get_attribute("href")
    assert services.CODE_RE.match(code)
    await expect(page.locator("body")).not_to_contain_text(SECRET_NAME)
    await expect(page.locator("body")).not_to_contain_text("0977000111")

    # The receptionist accepts it in the triage queue; it becomes a task for the routed unit.
    desk = await new_context()
    staff = await sign_in(desk, j.receptionist, "/reports/triage")
    item = staff.locator("article.triage-item", has_text=code)
    await item.get_by_role("button", name="Tiếp nhận").click()
    await expect(staff.get_by_role("status")).to_contain_text("Đã lưu")
    report = await services.public_report(code)
    assert report["status"] == "accepted" and report["unit_name"] == j.dept.name

    # The unit answers through the task; the leader's approval publishes the answer.
    task_id = (await services.staff_report(j.receptionist, report["id"]))["task_id"]
    await set_assignees(j.head, task_id, [j.officer.id])
    await report_progress(j.officer, task_id, note="Đã nạo vét cống", percent=100)
    await transition(j.officer, task_id, "submit", note="Đã nạo vét cống, nước đã thoát")
    await transition(j.leader, task_id, "approve")

    await page.goto(private_link)
    await expect(page.locator("#public-answer")).to_have_text("Đã nạo vét cống, nước đã thoát")
    await expect(page.locator(".timeline")).to_contain_text("Đã giải quyết")
    await page.get_by_label("5").check()
    await page.get_by_label("Nhận xét").fill("Xử lý nhanh")
    await page.get_by_role("button", name="Gửi đánh giá").click()
    await expect(page.get_by_role("status")).to_contain_text("Cảm ơn")
    await expect(page.locator("#rating")).to_have_text("5/5")
    await expect(page.locator("form[action$='/rate']")).to_have_count(0)


async def test_report_with_javascript_and_gps(new_context: Any, j: Any, tmp_path: Path) -> None:
    category = await make_category(j, target_days=3, name="Chiếu sáng")
    citizen = await new_context(viewport=PHONE, permissions=["geolocation"],
                                geolocation={"latitude": 9.7841, "longitude": 105.4702})
    page = await citizen.new_page()
    await _fill_report(page, category, tmp_path, "0977000222")
    await expect(page.locator("#previews img")).to_have_count(1)
    await page.get_by_role("button", name="Dùng vị trí hiện tại").click()
    await expect(page.locator("#latitude")).to_have_value("9.784100")
    await page.get_by_role("button", name="Gửi phản ánh").click()
    await page.wait_for_url(re.compile(r"/r/PA-"))
    code = await page.locator("#tracking-code").inner_text()
    report = await services.public_report(code)
    assert (report["latitude"], report["longitude"]) == (9.7841, 105.4702)
    thumb = page.locator(".photos img").first
    await expect(thumb).to_be_visible()
    assert await thumb.evaluate("img => img.naturalWidth") > 0
