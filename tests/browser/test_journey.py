"""Journey 1 on the desk screens, in Chromium: directive → task → split → progress → submit → return → approve."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.async_api import Page, expect

from server.lib import clock
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

TITLE = "Kiểm tra chất lượng nước sinh hoạt mùa khô"
PART = "Lấy mẫu nước tại thôn 3"


async def post_and_expect(page: Page, button: str, message: str, *, scope: object | None = None) -> None:
    await (scope or page).get_by_role("button", name=button, exact=True).click()  # type: ignore[union-attr]
    await expect(page.get_by_role("status")).to_contain_text(message)


async def test_directive_to_done_through_the_desk(j, open_as) -> None:
    deadline = clock.today_vn() + dt.timedelta(days=14)

    # The leader records the directive and assigns a task from it to the department, head as assignee.
    leader = await open_as(j.leader)
    await leader.goto("/directives/new")
    await leader.get_by_label("Số/ký hiệu").fill("15/CT-UBND")
    await leader.get_by_label("Trích yếu").fill("Chỉ thị về bảo đảm nước sạch mùa khô")
    await leader.get_by_role("button", name="Lưu văn bản").click()
    await expect(leader.get_by_role("status")).to_have_text("Đã lưu văn bản")
    await expect(leader.get_by_role("heading", level=1)).to_have_text("Chỉ thị về bảo đảm nước sạch mùa khô")

    await leader.get_by_role("link", name="Giao việc", exact=True).last.click()
    await expect(leader.get_by_label("Văn bản chỉ đạo")).to_have_value(leader.url.rsplit("=", 1)[1])
    await leader.get_by_label("Tên nhiệm vụ").fill(TITLE)
    await leader.get_by_label("Nội dung").fill("Lấy mẫu, xét nghiệm và báo cáo kết quả.")
    await leader.get_by_label("Đơn vị chủ trì").select_option(str(j.dept.id))
    await leader.get_by_role("checkbox", name=j.other_dept.name, exact=True).check()
    await leader.get_by_role("checkbox", name=f"{j.head.full_name} — {j.dept.name}").check()
    await leader.locator("input[name=deadline]").fill(deadline.isoformat())
    await leader.get_by_role("button", name="Giao việc", exact=True).click()
    await expect(leader.get_by_role("status")).to_have_text("Đã giao nhiệm vụ")
    await expect(leader.locator(".badges")).to_contain_text("Mới giao")
    await expect(leader.locator(".facts")).to_contain_text(deadline.strftime("%d/%m/%Y"))
    await expect(leader.locator(".badges")).to_contain_text("Trong hạn")
    await expect(leader.locator(".facts")).to_contain_text(j.dept.name)
    await expect(leader.locator(".facts")).to_contain_text(j.other_dept.name)
    task_url = leader.url.split("?")[0]
    task_path = task_url[task_url.index("/tasks/"):]

    # The unit head finds it among their tasks and splits it to an officer.
    head = await open_as(j.head)
    await expect(head.get_by_role("link", name=TITLE)).to_be_visible()
    await head.get_by_role("link", name=TITLE).click()
    await expect(head.locator(".facts")).to_contain_text("Chỉ thị về bảo đảm nước sạch mùa khô")
    await head.get_by_role("link", name="Chia việc").click()
    await head.locator("[name=title_0]").fill(PART)
    await head.locator("[name=assignee_0]").select_option(str(j.officer.id))
    await head.locator("[name=unit_0]").select_option(str(j.dept_sub.id))
    await post_and_expect(head, "Chia việc", "Đã chia việc")
    await expect(head.locator(".cards").get_by_role("link", name=PART)).to_be_visible()

    # The officer, on a phone, reports 60% and submits the part.
    officer = await open_as(j.officer, viewport=PHONE, is_mobile=True, has_touch=True)
    await expect(officer.get_by_role("link", name=PART)).to_be_visible()
    await officer.get_by_role("link", name=PART).click()
    await officer.get_by_label("Nội dung báo cáo").fill("Đã lấy 5 mẫu nước tại thôn 3")
    await officer.get_by_label("Tiến độ (%)").fill("60")
    await post_and_expect(officer, "Gửi báo cáo", "Đã ghi báo cáo tiến độ")
    await expect(officer.locator(".badges")).to_contain_text("Đang thực hiện")
    await expect(officer.locator("#reports")).to_contain_text("60%")
    await officer.locator("#submit").get_by_label("Kết quả thực hiện").fill("Đã gửi mẫu đi xét nghiệm")
    await post_and_expect(officer, "Gửi kết quả", "Đã gửi kết quả, chờ duyệt")
    await expect(officer.locator(".badges")).to_contain_text("Chờ duyệt")

    # The unit head approves the part, then submits the task's result.
    await head.goto("/approvals")
    part_card = head.locator("article", has_text=PART)
    await expect(part_card).to_contain_text("Đã lấy 5 mẫu nước tại thôn 3")
    await expect(part_card).to_contain_text("60%")
    await post_and_expect(head, "Duyệt hoàn thành", "Đã duyệt hoàn thành", scope=part_card)
    await head.goto(task_path)
    await expect(head.locator(".cards")).to_contain_text("Hoàn thành")
    await head.locator("#submit").get_by_label("Kết quả thực hiện").fill("Nước đạt quy chuẩn ở 5/5 mẫu")
    await post_and_expect(head, "Gửi kết quả", "Đã gửi kết quả, chờ duyệt")

    # The leader, on a phone between meetings, returns it once with a reason…
    phone = leader
    await phone.set_viewport_size(PHONE)
    await phone.goto("/approvals")
    card = phone.locator("article", has_text=TITLE)
    await expect(card).to_contain_text("Nước đạt quy chuẩn ở 5/5 mẫu")
    await expect(card).to_contain_text(j.dept.name)
    await card.get_by_label("Lý do trả lại").fill("Thiếu phiếu kết quả xét nghiệm")
    await post_and_expect(phone, "Trả lại", "Đã trả lại nhiệm vụ", scope=card)
    await expect(phone.locator("article", has_text=TITLE)).to_have_count(0)

    # …the unit head sees why and resubmits…
    await head.goto(task_path)
    await expect(head.locator(".badges")).to_contain_text("Trả lại")
    await expect(head.locator(".timeline")).to_contain_text("Thiếu phiếu kết quả xét nghiệm")
    await head.locator("#submit").get_by_label("Kết quả thực hiện").fill("Bổ sung phiếu kết quả xét nghiệm")
    await post_and_expect(head, "Gửi kết quả", "Đã gửi kết quả, chờ duyệt")

    # …and the leader approves it in the queue.
    await phone.goto("/approvals")
    card = phone.locator("article", has_text=TITLE)
    await expect(card).to_contain_text("Bổ sung phiếu kết quả xét nghiệm")
    await post_and_expect(phone, "Duyệt hoàn thành", "Đã duyệt hoàn thành", scope=card)
    await expect(phone.locator("article", has_text=TITLE)).to_have_count(0)

    await phone.goto(task_path)
    await expect(phone.locator(".badges")).to_contain_text("Hoàn thành")
    await expect(phone.locator(".badges")).to_contain_text("Đúng hạn")
    steps = [text.strip() for text in await phone.locator(".timeline > li .head strong").all_inner_texts()]
    assert steps == [
        "Tạo nhiệm vụ", "Giao việc",                       # the leader assigns
        "Tạo nhiệm vụ", "Giao việc",                       # the head splits off a part
        "Bắt đầu thực hiện", "Bắt đầu thực hiện",          # the part starts, and with it the task (issue 10)
        "Báo cáo tiến độ", "Gửi kết quả", "Duyệt hoàn thành",  # the part, to its end
        "Gửi kết quả", "Trả lại", "Gửi kết quả", "Duyệt hoàn thành",               # the task's result
    ], steps
    timeline = phone.locator(".timeline")
    for text in ("Thiếu phiếu kết quả xét nghiệm", "Đã lấy 5 mẫu nước tại thôn 3", j.officer.full_name,
                 j.head.full_name, j.leader.full_name, PART):
        await expect(timeline).to_contain_text(text)
    await expect(phone.locator(".facts")).to_contain_text("15/CT-UBND")

    # The directive's roll-up counts the task as done.
    await phone.get_by_role("link", name="15/CT-UBND — Chỉ thị về bảo đảm nước sạch mùa khô").click()
    await expect(phone.locator(".rollup")).to_contain_text("100%")
    await expect(phone.locator(".cards")).to_contain_text(TITLE)
