"""Issue 10's journey, lived whole in Chromium by the people who do it, each at the screen they use:
a citizen's field report from the portal to its published answer, "after" photo and rating.

The citizen files on a phone without an account; the receptionist accepts it at the desk, to the unit the
rules name; the unit head splits it; the officer works the part offline in the installed app; the head submits
the parent; the leader approves on the phone behind the undo bar; the citizen reads the answer and rates it.
The voter petition's journey is in test_voter_petition_life.py, the steps both share in life_steps.py.
Every wait is for a condition with a deadline. Screenshots of each step go to /tmp/shots/journey-*.png.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from playwright.async_api import expect

from server.tasks.tables import ProgressReport
from tests.browser.app.conftest import eventually, jpeg, open_app, reports_of
from tests.browser.checks import task_is, task_state
from tests.browser.conftest import PHONE
from tests.browser.journeys.life_steps import (
    camera_photo,
    head_splits,
    head_submits_parent,
    leader_approves_on_the_phone,
    loaded,
    no_sideways_scroll,
    open_answer,
    receptionist_accepts,
    shot,
    shots_and_patience,  # noqa: F401  (an autouse fixture)
    task_of,
)
from tests.browser.waits import wait_until
from tests.unit.reports.helpers import make_category

pytestmark = pytest.mark.browser
# The commune's own ground (a point in Hoài Nhơn, Bình Định), as the citizen's phone reports it.
HERE = {"latitude": 14.4363, "longitude": 109.0112}
ADDRESS = "Thôn Định Trị, đường liên thôn gần cầu Lại Giang"
DESCRIPTION = "Ống nước sinh hoạt bị vỡ, nước chảy tràn ra đường liên thôn"
PART = "Khóa van và thay đoạn ống vỡ"
PROGRESS_NOTE = "Đã khóa van, thay 3 m ống mới, nước đã thông"
ANSWER = "Đã thay đoạn ống vỡ, nước sinh hoạt cấp lại bình thường"


# ------------------------------------------------------------------------------------------------------------
async def test_a_citizen_report_lives_its_whole_life(new_context: Any, phone: Any, j: Any) -> None:
    category = await make_category(j, target_days=5, name="Cấp nước sinh hoạt", unit=j.dept)

    # 1. The citizen, on a phone, no account: a photo, a place from the phone's GPS, an address.
    citizen = await new_context(viewport=PHONE, is_mobile=True, has_touch=True, permissions=["geolocation"],
                                geolocation=HERE)
    await citizen.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    portal = await citizen.new_page()
    await portal.goto("/portal")
    # Each menu item stays whole on a 390 px phone (it wraps to the next line as one piece).
    for item in await portal.locator("header.top nav a").all():
        lines = await item.evaluate("a => a.getClientRects().length")
        assert lines == 1, f"the menu item {await item.inner_text()!r} is split over {lines} lines"
    await shot(portal, "PA-1-portal")
    await portal.goto("/portal/report")
    await portal.get_by_label("Lĩnh vực").select_option(str(category["id"]))
    await portal.get_by_label("Nội dung phản ánh").fill(DESCRIPTION)
    await portal.get_by_label("Ảnh (1–5 ảnh, mỗi ảnh tối đa 10 MB)").set_input_files(
        camera_photo((40, 90, 160), "ong-vo.jpg"))
    await expect(portal.locator("#previews img")).to_have_count(1)
    await portal.get_by_role("button", name="Dùng vị trí hiện tại").click()
    await expect(portal.locator("#latitude")).to_have_value(f"{HERE['latitude']:.6f}")
    await portal.get_by_label("Địa chỉ (số nhà, đường, ấp/khu phố, xã)").fill(ADDRESS)
    await portal.get_by_label("Họ và tên").fill("Nguyễn Văn Dân")
    await portal.get_by_label("Số điện thoại").fill("0905123456")
    await portal.get_by_label("Tôi đã đọc và đồng ý với việc xử lý dữ liệu cá nhân như trên").check()
    await no_sideways_scroll(portal)
    await shot(portal, "PA-1-form")
    await portal.get_by_role("button", name="Gửi phản ánh").click()
    await portal.wait_for_url(re.compile(r"/r/PA-[2-9A-HJ-NP-Z]{6}\?key="))
    code = (await portal.locator("#tracking-code").inner_text()).strip()
    private_link = await portal.locator("#private-link").get_attribute("href")
    assert code.startswith("PA-") and private_link
    await shot(portal, "PA-1-tracking-code")

    # 2. The receptionist, at the desk, lands on the triage queue and accepts it by rule.
    await receptionist_accepts(new_context, j, code)
    parent_id = await task_of(code)

    # 3. The unit head splits it: a part for the officer of the sub-unit.
    head, task_path, part_id = await head_splits(new_context, j, code, PART)

    # 4. The officer, in the installed app: the part is cached while online, then everything happens offline.
    context = await phone(j.officer)
    app = await open_app(context)
    await expect(app.get_by_role("heading", name="Nhiệm vụ của tôi")).to_be_visible()
    await app.locator(f"a[data-task-id='{part_id}']").click()
    await expect(app.locator("section.context")).to_contain_text(ADDRESS)
    await loaded(app, "section.context .photos img")
    await wait_until(app, "id => new Promise(r => DH.db.get('details', id).then(d => r(!!d)))", part_id)
    await app.close()

    await context.set_offline(True)
    app = await context.new_page()
    app.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await app.goto(f"/app/#/task/{part_id}")
    await app.wait_for_selector("body[data-ready=yes]", state="attached")
    await expect(app.locator("#offline")).to_be_visible()
    context_section = app.locator("section.context")
    await expect(context_section).to_contain_text(DESCRIPTION)
    await expect(context_section).to_contain_text(ADDRESS)
    await expect(context_section.locator("a.place")).to_have_attribute(
        "href", re.compile(rf"mlat={HERE['latitude']}&mlon={HERE['longitude']}"))
    await loaded(app, "section.context .photos img")
    await no_sideways_scroll(app)
    await shot(app, "PA-4-officer-offline-part")

    await app.goto(f"/app/#/task/{part_id}/report")
    await app.get_by_label("Nội dung").fill(PROGRESS_NOTE)
    await app.get_by_label("Tiến độ (%)").fill("100")
    await app.locator("#camera").set_input_files([jpeg(2000, 1500, (30, 170, 60))])
    await expect(app.locator("#previews img")).to_have_count(1)
    await expect(app.locator("#gps[data-ready=yes]")).to_be_visible()
    await shot(app, "PA-4-officer-report-form")
    await app.get_by_role("button", name="Gửi báo cáo").click()
    await app.wait_for_url(f"**/app/#/task/{part_id}")
    await app.get_by_role("button", name="Gửi duyệt").click()
    await expect(app.locator("#badge")).to_have_text("2 thay đổi đang chờ gửi")
    await shot(app, "PA-4-officer-waiting")
    assert await reports_of(part_id) == [] and await task_state(part_id) == "assigned"

    await context.set_offline(False)

    async def synced() -> bool:
        reports = await reports_of(part_id)
        return len(reports) == 1 and len(reports[0]["photos"]) == 1 and await task_is(part_id, "submitted")

    await eventually(synced, within=30, what="the officer's report, photo and submission")
    await expect(app.locator("#badge")).to_be_hidden()
    # The part's screen, still open, follows: nothing listed as waiting, the report in its history.
    await expect(app.locator("ul.outbox")).to_have_count(0)
    await expect(app.locator("[data-state]")).to_have_text("Chờ duyệt")
    await expect(app.get_by_text("Chưa có báo cáo")).to_have_count(0)
    assert len(await ProgressReport.select(ProgressReport.id).where(ProgressReport.task == part_id)) == 1
    await shot(app, "PA-4-officer-synced")

    # 5. The unit head approves the part and submits the parent, whose progress followed the part.
    await head_submits_parent(head, code, task_path, PART, PROGRESS_NOTE, ANSWER)

    # 6. The leader approves on the phone, and lets the undo bar pass.
    await leader_approves_on_the_phone(phone, j, code, parent_id, PART, PROGRESS_NOTE, ANSWER)

    # 7. The citizen reads the answer with the officer's after photo, and rates it.
    await open_answer(portal, private_link)
    await expect(portal.locator("#public-answer")).to_have_text(ANSWER)
    await expect(portal.locator(".timeline")).to_contain_text("Đã giải quyết")
    await loaded(portal, "a[href$='.webp'] img")
    await no_sideways_scroll(portal)
    await shot(portal, "PA-7-answer")
    await portal.get_by_label("5").check()
    await portal.get_by_label("Nhận xét").fill("Sửa nhanh, cảm ơn xã")
    await portal.get_by_role("button", name="Gửi đánh giá").click()
    await expect(portal.get_by_role("status")).to_contain_text("Cảm ơn")
    await expect(portal.locator("#rating")).to_have_text("5/5")
    await shot(portal, "PA-7-rated")
    # The public page (no key) shows the same answer and photo, and nothing of the reporter.
    public = await (await new_context(viewport=PHONE)).new_page()
    await public.goto(f"/r/{code}")
    await expect(public.locator("#public-answer")).to_have_text(ANSWER)
    await loaded(public, "a[href$='.webp'] img")
    await expect(public.locator("body")).not_to_contain_text("0905123456")
    await expect(public.locator("body")).not_to_contain_text("Nguyễn Văn Dân")

    # The same ends in English: the citizen's answer, and the head's closed task with its part.
    await portal.get_by_role("link", name="English").click()
    await expect(portal.locator("#public-answer")).to_have_text(ANSWER)
    await expect(portal.locator("main")).to_contain_text("Resolved")
    await shot(portal, "PA-7-answer-en")
    await head.goto(f"/lang/en?next={task_path}")
    await expect(head.locator(".badges")).to_contain_text("Done")
    await expect(head.locator(".cards")).to_contain_text(PART)
    await shot(head, "PA-7-parent-done-en")
