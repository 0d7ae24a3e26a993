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
    # The notice states the period the retention job applies; without JavaScript there is no map button.
    await expect(page.locator("#retention")).to_contain_text(f"{services.PERSONAL_DATA_RETENTION_MONTHS} tháng")
    await expect(page.get_by_role("button", name="Chọn trên bản đồ")).to_be_hidden()
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
    # The commune's queue is long (the whole suite's reports wait there): she looks the code up, as when a
    # citizen calls with it.
    await staff.get_by_label("Mã tra cứu hoặc nội dung").fill(code)
    await staff.get_by_role("button", name="Lọc").click()
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


async def test_pick_the_place_on_the_map(new_context: Any, j: Any, tmp_path: Path) -> None:
    """With JavaScript the map is loaded only when asked (the first view stays small); a tap sets the place."""
    category = await make_category(j, target_days=3, name="Cây xanh")
    citizen = await new_context(viewport=PHONE)
    page = await citizen.new_page()
    leaflet_requests: list[str] = []
    page.on("request", lambda request: leaflet_requests.append(request.url) if "leaflet" in request.url else None)
    await _fill_report(page, category, tmp_path, "0977000333")
    assert leaflet_requests == []  # not part of the first view
    await page.get_by_role("button", name="Chọn trên bản đồ").click()
    await expect(page.locator("#map.leaflet-container")).to_be_visible()
    await page.locator("#map").click(position={"x": 120, "y": 90})
    await expect(page.locator("#latitude")).not_to_have_value("")
    latitude = float(await page.locator("#latitude").input_value())
    longitude = float(await page.locator("#longitude").input_value())
    assert -90 <= latitude <= 90 and -180 <= longitude <= 180
    await page.get_by_role("button", name="Gửi phản ánh").click()
    await page.wait_for_url(re.compile(r"/r/PA-"))
    report = await services.public_report(await page.locator("#tracking-code").inner_text())
    assert (report["latitude"], report["longitude"]) == (latitude, longitude)
    await expect(page.locator("body")).not_to_contain_text("0977000333")


async def test_admin_draws_an_area_and_routing_uses_it(new_context: Any, j: Any) -> None:
    """The admin draws a polygon by clicking points; without JavaScript the GeoJSON textarea does the same,
    and a bad boundary is refused with the text kept. Reports inside are routed to the rule's unit."""
    import json

    from server.reports import admin, routing
    from server.reports.tables import Area

    category = await make_category(j, target_days=5, name="Chiếu sáng đô thị")
    desk = await new_context()
    page = await sign_in(desk, j.admin, "/reports/admin/areas/new")
    await page.get_by_label("Tên khu vực").fill("Khu dân cư số 5")
    the_map = page.locator("#area-map")
    await expect(the_map).to_be_visible()
    for x, y in ((80, 80), (320, 90), (330, 260), (90, 250)):
        await the_map.click(position={"x": x, "y": y})
    await expect(page.locator("#area-count")).to_have_text("4")
    drawn = json.loads(await page.locator("#polygon").input_value())
    ring = drawn["coordinates"][0]
    assert drawn["type"] == "Polygon" and len(ring) == 5 and ring[0] == ring[-1]
    await page.get_by_role("button", name="Bỏ điểm cuối").click()
    await expect(page.locator("#area-count")).to_have_text("3")
    await the_map.click(position={"x": 90, "y": 250})
    await page.get_by_role("button", name="Lưu").click()
    await page.wait_for_url(re.compile(r"/reports/admin/\?"))
    area_id = int(re.search(r"area=(\d+)", page.url).group(1))
    stored = await Area.select().where(Area.id == area_id).first()
    assert stored["name"] == "Khu dân cư số 5" and json.loads(stored["polygon"])["type"] == "Polygon"
    geometry = routing.parse_polygon(stored["polygon"])
    ring = geometry[0][0]
    centre_lat = sum(p[0] for p in ring[:-1]) / 4
    centre_lon = sum(p[1] for p in ring[:-1]) / 4
    await admin.add_rule(None, unit_id=j.other_dept.id, category_id=category["id"], area_id=area_id)
    assert await routing.route(category["id"], centre_lat, centre_lon) == j.other_dept.id
    assert await routing.route(category["id"], centre_lat + 5, centre_lon) == j.dept.id  # outside: default

    # Without JavaScript: the textarea is the editor; the server checks the ring.
    state = await desk.storage_state()
    plain = await new_context(java_script_enabled=False, storage_state=state)
    page = await plain.new_page()
    await page.goto(f"/reports/admin/areas/{area_id}")
    await expect(page.locator("#area-map")).to_be_hidden()
    open_ring = '{"type": "Polygon", "coordinates": [[[109.0, 14.5], [109.1, 14.5], [109.1, 14.6], [109.0, 14.6]]]}'
    await page.locator("#polygon").fill(open_ring)
    await page.get_by_role("button", name="Lưu").click()
    await expect(page.get_by_role("alert")).to_contain_text("khép kín")
    await expect(page.locator("#polygon")).to_have_value(open_ring)
    closed = '{"type": "Polygon", "coordinates": [[[109.0, 14.5], [109.1, 14.5], [109.1, 14.6], [109.0, 14.5]]]}'
    await page.locator("#polygon").fill(closed)
    await page.get_by_role("button", name="Lưu").click()
    await page.wait_for_url(re.compile(r"/reports/admin/\?"))
    assert await routing.route(category["id"], 14.52, 109.08) == j.other_dept.id
    assert await routing.route(category["id"], 14.58, 109.02) == j.dept.id  # above the new diagonal: outside
