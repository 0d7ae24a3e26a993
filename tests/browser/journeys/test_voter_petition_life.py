"""Issue 10's second journey, lived whole in Chromium: a voter petition from the portal to its published answer,
through the same hands as a citizen's report (the steps in life_steps.py). Moved from test_citizen_report_life.py.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.app.conftest import eventually, jpeg, open_app, reports_of
from tests.browser.checks import task_is
from tests.browser.conftest import DESK, PHONE
from tests.browser.journeys.life_steps import (
    head_splits,
    head_submits_parent,
    leader_approves_on_the_phone,
    loaded,
    no_sideways_scroll,
    open_answer,
    receptionist_accepts,
    shot,
    shots_and_patience,  # noqa: F401  (an autouse fixture)
    sign_in_home,
    task_of,
)
from tests.unit.reports.helpers import make_category

pytestmark = pytest.mark.browser


# ------------------------------------------------------------------------------------------------------------
PETITION = "Cử tri thôn Định Trị kiến nghị sửa đoạn đường liên thôn bị sụt lún trước mùa mưa"
PETITION_PART = "Đắp và lu lèn đoạn đường sụt lún"
PETITION_NOTE = "Đã đắp đá cấp phối và lu lèn 40 m đường"
PETITION_ANSWER = "Đoạn đường sụt lún đã được đắp và lu lèn, xe qua lại bình thường"


async def test_a_voter_petition_lives_its_whole_life(new_context: Any, phone: Any, j: Any) -> None:
    category = await make_category(j, target_days=10, name="Giao thông nông thôn", unit=j.dept)

    # 1. The receptionist records the petition the deputies brought back, at the desk, from her queue.
    desk = await new_context(viewport=DESK)
    await desk.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page = await sign_in_home(desk, j.receptionist, "/reports/triage")
    await page.get_by_role("link", name="Ghi nhận kiến nghị cử tri").click()
    await page.get_by_label("Kỳ họp").fill("Kỳ họp thứ 10, HĐND xã khóa XII")
    await page.get_by_label("Đơn vị bầu cử").fill("Đơn vị bầu cử số 2")
    await page.get_by_label("Đại biểu tiếp xúc cử tri").fill("Nguyễn Văn Đại Biểu")
    await page.get_by_label("Nhóm cử tri").fill("Cử tri thôn Định Trị")
    await page.get_by_label("Lĩnh vực").select_option(str(category["id"]))
    await page.get_by_label("Nội dung kiến nghị").fill(PETITION)
    await shot(page, "KN-1-record")
    await page.get_by_role("button", name="Lưu").click()
    await page.wait_for_url(re.compile(r"/reports/triage\?.*ok=petition"))
    code = re.search(r"code=(KN-[2-9A-HJ-NP-Z]{6})", page.url).group(1)
    await expect(page.locator("main")).to_contain_text(code)
    await shot(page, "KN-1-recorded")

    # 2. …and accepts it by rule, like any report.
    await receptionist_accepts(new_context, j, code)
    parent_id = await task_of(code)

    # 3. The unit head splits it.
    head, task_path, part_id = await head_splits(new_context, j, code, PETITION_PART)

    # 4. The officer, on a phone and online this time, reports with a photo in the app and submits.
    context = await phone(j.officer)
    app = await open_app(context)
    app.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await app.locator(f"a[data-task-id='{part_id}']").click()
    await expect(app.locator("section.context")).to_contain_text(PETITION)
    await shot(app, "KN-4-officer-part")
    await app.goto(f"/app/#/task/{part_id}/report")
    await app.get_by_label("Nội dung").fill(PETITION_NOTE)
    await app.get_by_label("Tiến độ (%)").fill("100")
    await app.locator("#camera").set_input_files([jpeg(1600, 1200, (120, 120, 120))])
    await expect(app.locator("#previews img")).to_have_count(1)
    await expect(app.locator("#gps[data-ready=yes]")).to_be_visible()
    await app.get_by_role("button", name="Gửi báo cáo").click()
    await app.wait_for_url(f"**/app/#/task/{part_id}")
    await app.get_by_role("button", name="Gửi duyệt").click()

    async def arrived() -> bool:
        reports = await reports_of(part_id)
        return len(reports) == 1 and len(reports[0]["photos"]) == 1 and await task_is(part_id, "submitted")

    await eventually(arrived, within=30, what="the officer's report, photo and submission")
    await shot(app, "KN-4-officer-submitted")

    # 5. The head approves the part and submits the parent.
    await head_submits_parent(head, code, task_path, PETITION_PART, PETITION_NOTE, PETITION_ANSWER)

    # 6. The leader approves on the phone.
    await leader_approves_on_the_phone(phone, j, code, parent_id, PETITION_PART, PETITION_NOTE, PETITION_ANSWER)

    # 7. Anyone, voters included, reads the answer and the after photo on the public page.
    voter = await (await new_context(viewport=PHONE, is_mobile=True, has_touch=True)).new_page()
    await open_answer(voter, f"/r/{code}")
    await expect(voter.locator("#public-answer")).to_have_text(PETITION_ANSWER)
    await expect(voter.locator("main")).to_contain_text(PETITION)
    await loaded(voter, "a[href$='.webp'] img")
    await no_sideways_scroll(voter)
    await shot(voter, "KN-7-answer")
    await voter.goto("/portal/petitions")
    # The list shows one council session at a time: the voter picks theirs (a full run holds several).
    await voter.get_by_label("Kỳ họp").select_option("Kỳ họp thứ 10, HĐND xã khóa XII")
    await voter.get_by_role("button", name="Xem").click()
    await expect(voter.locator("main")).to_contain_text(code)
    await shot(voter, "KN-7-petitions")
