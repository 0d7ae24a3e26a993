"""Issue 10's journey, lived whole in Chromium by the people who do it, each at the screen they use:
a citizen's field report (and a voter petition) from the portal to its published answer, "after" photo and rating.

The citizen files on a phone without an account; the receptionist accepts it at the desk, to the unit the
rules name; the unit head splits it; the officer works the part offline in the installed app; the head submits
the parent; the leader approves on the phone behind the undo bar; the citizen reads the answer and rates it.
Every wait is for a condition with a deadline. Screenshots of each step go to /tmp/shots/journey-*.png.
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
from server.tasks.tables import ProgressReport, Task
from tests.browser.app.conftest import eventually, jpeg, open_app, reports_of
from tests.browser.conftest import DESK, PHONE
from tests.browser.waits import wait_until
from tests.factories import PASSWORD
from tests.unit.reports.helpers import make_category

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")
# The commune's own ground (a point in Hoài Nhơn, Bình Định), as the citizen's phone reports it.
HERE = {"latitude": 14.4363, "longitude": 109.0112}
ADDRESS = "Thôn Định Trị, đường liên thôn gần cầu Lại Giang"
DESCRIPTION = "Ống nước sinh hoạt bị vỡ, nước chảy tràn ra đường liên thôn"
PART = "Khóa van và thay đoạn ống vỡ"
PROGRESS_NOTE = "Đã khóa van, thay 3 m ống mới, nước đã thông"
ANSWER = "Đã thay đoạn ống vỡ, nước sinh hoạt cấp lại bình thường"
HOLD_SECONDS = 5  # pwa/js/undo.js HOLD_MS


@pytest.fixture(autouse=True)
def _shots_and_patience() -> Iterator[None]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


def _photo(colour: tuple[int, int, int], name: str) -> dict[str, Any]:
    """A phone-camera JPEG made here, for a file input."""
    buffer = io.BytesIO()
    image = Image.new("RGB", (1200, 900), colour)
    image.paste((250, 250, 250), (0, 0, 600, 225))
    image.save(buffer, "JPEG", quality=85)
    return {"name": name, "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


async def _shot(page: Page, name: str) -> None:
    await page.screenshot(path=str(SHOTS / f"journey-{name}.png"), full_page=True)


async def _loaded(page: Page, selector: str) -> None:
    """The image decoded, not a broken icon (polled through evaluate: the pages' CSP forbids string eval)."""
    image = page.locator(selector).first
    await expect(image).to_be_visible()
    for _ in range(150):
        if await image.evaluate("i => i.complete && i.naturalWidth > 0"):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{selector} never loaded on {page.url}")


async def _sign_in_home(context: BrowserContext, actor: Any, home: str) -> Page:
    """Sign in through the form from the site's root, and land on the role's own home."""
    page = await context.new_page()
    await page.goto("/")
    await page.get_by_label("Tên đăng nhập").fill(actor.username)
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(f"**{home}")
    return page


async def _open_answer(page: Page, url: str) -> None:
    """The answer is published just after the approval commits (tasks.services' after_commit hook), so the
    citizen, like a real one, opens the page again until it is there."""

    async def answered() -> bool:
        await page.goto(url)
        return await page.locator("#public-answer").count() > 0

    await eventually(answered, within=20, what=f"the public answer on {url}")


async def _state(task_id: int) -> str:
    return (await Task.select(Task.state).where(Task.id == task_id).first())["state"]


async def _is(task_id: int, state: str) -> bool:
    return await _state(task_id) == state


async def _no_sideways_scroll(page: Page) -> None:
    width, client = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= client, f"{page.url} scrolls sideways: {width} > {client}"


async def _receptionist_accepts(new_context: Any, j: Any, code: str) -> None:
    desk = await new_context(viewport=DESK)
    await desk.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page = await _sign_in_home(desk, j.receptionist, "/reports/triage")
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
    await _shot(page, f"{code[:2]}-2-triage")
    await item.get_by_role("button", name="Tiếp nhận").click()
    await page.wait_for_url("**ok=accept**")
    await expect(page.locator("article.triage-item", has_text=code)).to_have_count(0)
    row = await Report.select(Report.status, Report.unit).where(Report.code == code).first()
    assert row == {"status": "accepted", "unit": j.dept.id}
    # Routing gives her no right to the task afterwards.
    task_id = await _task_of(code)
    response = await page.goto(f"/tasks/{task_id}")
    assert response is not None and response.status in (403, 404), response.status


async def _task_of(code: str) -> int:
    row = await Report.select(Report.task_id).where(Report.code == code).first()
    assert row["task_id"], f"{code} has no task"
    return int(row["task_id"])


async def _head_splits(new_context: Any, j: Any, code: str, part_title: str) -> tuple[Page, str, int]:
    """The unit head lands on the unit's open work, finds the report's task there and splits off a part."""
    desk = await new_context(viewport=DESK)
    head = await _sign_in_home(desk, j.head, "/tasks?view=scope")
    # A busy unit's list is long: the head looks the report up by its code.
    await head.get_by_label("Tìm kiếm").fill(code)
    await head.get_by_role("button", name="Lọc").click()
    link = head.get_by_role("link", name=re.compile(re.escape(code)))
    await expect(link.first).to_be_visible()
    await _shot(head, f"{code[:2]}-3-head-home")
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
    await _shot(head, f"{code[:2]}-3-split")
    return head, task_path, part_id


async def _head_submits_parent(head: Page, code: str, task_path: str, part_title: str, note: str,
                               answer: str) -> None:
    """The head approves the officer's part, sees the parent follow it to 100%, and submits the parent."""
    await head.goto("/approvals")
    card = head.locator("article", has_text=part_title)
    await expect(card).to_contain_text(note)
    await _loaded(head, f"article:has-text('{part_title}') .photos img")  # the officer's photo, as evidence
    await _shot(head, f"{code[:2]}-5-head-approvals")
    await card.get_by_role("button", name="Duyệt hoàn thành", exact=True).click()
    await expect(head.get_by_role("status")).to_contain_text("Đã duyệt hoàn thành")
    await head.goto(task_path)
    await expect(head.locator(".cards")).to_contain_text("Hoàn thành")
    # The parent's progress comes from its part.
    await expect(head.locator("progress").first).to_have_attribute("value", "100")
    await expect(head.locator(".badges")).to_contain_text("Đang thực hiện")
    await _shot(head, f"{code[:2]}-5-parent-before-submit")
    await head.locator("#submit").get_by_label("Kết quả thực hiện").fill(answer)
    await head.locator("#submit").get_by_role("button", name="Gửi kết quả").click()
    await expect(head.get_by_role("status")).to_contain_text("Đã gửi kết quả, chờ duyệt")
    await expect(head.locator(".badges")).to_contain_text("Chờ duyệt")
    await _shot(head, f"{code[:2]}-5-parent-submitted")


async def _leader_approves_on_the_phone(phone: Any, j: Any, code: str, task_id: int, part_title: str, note: str,
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
    await _no_sideways_scroll(leader)
    await _shot(leader, f"{code[:2]}-6-leader-card")
    await card.get_by_role("button", name="Duyệt hoàn thành").click()
    bar = leader.locator("#undo-bar")
    await expect(bar).to_be_visible()
    await expect(bar).to_contain_text("Đã duyệt")
    await leader.screenshot(path=str(SHOTS / f"journey-{code[:2]}-6-undo-bar.png"))
    assert await _state(task_id) == "submitted", "sent before the undo window closed"
    # Left alone, the approval goes when the window closes.
    await eventually(lambda: _is(task_id, "done"), within=HOLD_SECONDS + 20, what="the leader's approval")
    await expect(bar).to_be_hidden()
    await _shot(leader, f"{code[:2]}-6-leader-after")


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
    await _shot(portal, "PA-1-portal")
    await portal.goto("/portal/report")
    await portal.get_by_label("Lĩnh vực").select_option(str(category["id"]))
    await portal.get_by_label("Nội dung phản ánh").fill(DESCRIPTION)
    await portal.get_by_label("Ảnh (1–5 ảnh, mỗi ảnh tối đa 10 MB)").set_input_files(
        _photo((40, 90, 160), "ong-vo.jpg"))
    await expect(portal.locator("#previews img")).to_have_count(1)
    await portal.get_by_role("button", name="Dùng vị trí hiện tại").click()
    await expect(portal.locator("#latitude")).to_have_value(f"{HERE['latitude']:.6f}")
    await portal.get_by_label("Địa chỉ (số nhà, đường, ấp/khu phố, xã)").fill(ADDRESS)
    await portal.get_by_label("Họ và tên").fill("Nguyễn Văn Dân")
    await portal.get_by_label("Số điện thoại").fill("0905123456")
    await portal.get_by_label("Tôi đã đọc và đồng ý với việc xử lý dữ liệu cá nhân như trên").check()
    await _no_sideways_scroll(portal)
    await _shot(portal, "PA-1-form")
    await portal.get_by_role("button", name="Gửi phản ánh").click()
    await portal.wait_for_url(re.compile(r"/r/PA-[2-9A-HJ-NP-Z]{6}\?key="))
    code = (await portal.locator("#tracking-code").inner_text()).strip()
    private_link = await portal.locator("#private-link").get_attribute("href")
    assert code.startswith("PA-") and private_link
    await _shot(portal, "PA-1-tracking-code")

    # 2. The receptionist, at the desk, lands on the triage queue and accepts it by rule.
    await _receptionist_accepts(new_context, j, code)
    parent_id = await _task_of(code)

    # 3. The unit head splits it: a part for the officer of the sub-unit.
    head, task_path, part_id = await _head_splits(new_context, j, code, PART)

    # 4. The officer, in the installed app: the part is cached while online, then everything happens offline.
    context = await phone(j.officer)
    app = await open_app(context)
    await expect(app.get_by_role("heading", name="Nhiệm vụ của tôi")).to_be_visible()
    await app.locator(f"a[data-task-id='{part_id}']").click()
    await expect(app.locator("section.context")).to_contain_text(ADDRESS)
    await _loaded(app, "section.context .photos img")
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
    await _loaded(app, "section.context .photos img")
    await _no_sideways_scroll(app)
    await _shot(app, "PA-4-officer-offline-part")

    await app.goto(f"/app/#/task/{part_id}/report")
    await app.get_by_label("Nội dung").fill(PROGRESS_NOTE)
    await app.get_by_label("Tiến độ (%)").fill("100")
    await app.locator("#camera").set_input_files([jpeg(2000, 1500, (30, 170, 60))])
    await expect(app.locator("#previews img")).to_have_count(1)
    await expect(app.locator("#gps[data-ready=yes]")).to_be_visible()
    await _shot(app, "PA-4-officer-report-form")
    await app.get_by_role("button", name="Gửi báo cáo").click()
    await app.wait_for_url(f"**/app/#/task/{part_id}")
    await app.get_by_role("button", name="Gửi duyệt").click()
    await expect(app.locator("#badge")).to_have_text("2 thay đổi đang chờ gửi")
    await _shot(app, "PA-4-officer-waiting")
    assert await reports_of(part_id) == [] and await _state(part_id) == "assigned"

    await context.set_offline(False)

    async def synced() -> bool:
        reports = await reports_of(part_id)
        return len(reports) == 1 and len(reports[0]["photos"]) == 1 and await _is(part_id, "submitted")

    await eventually(synced, within=30, what="the officer's report, photo and submission")
    await expect(app.locator("#badge")).to_be_hidden()
    # The part's screen, still open, follows: nothing listed as waiting, the report in its history.
    await expect(app.locator("ul.outbox")).to_have_count(0)
    await expect(app.locator("[data-state]")).to_have_text("Chờ duyệt")
    await expect(app.get_by_text("Chưa có báo cáo")).to_have_count(0)
    assert len(await ProgressReport.select(ProgressReport.id).where(ProgressReport.task == part_id)) == 1
    await _shot(app, "PA-4-officer-synced")

    # 5. The unit head approves the part and submits the parent, whose progress followed the part.
    await _head_submits_parent(head, code, task_path, PART, PROGRESS_NOTE, ANSWER)

    # 6. The leader approves on the phone, and lets the undo bar pass.
    await _leader_approves_on_the_phone(phone, j, code, parent_id, PART, PROGRESS_NOTE, ANSWER)

    # 7. The citizen reads the answer with the officer's after photo, and rates it.
    await _open_answer(portal, private_link)
    await expect(portal.locator("#public-answer")).to_have_text(ANSWER)
    await expect(portal.locator(".timeline")).to_contain_text("Đã giải quyết")
    await _loaded(portal, "a[href$='.webp'] img")
    await _no_sideways_scroll(portal)
    await _shot(portal, "PA-7-answer")
    await portal.get_by_label("5").check()
    await portal.get_by_label("Nhận xét").fill("Sửa nhanh, cảm ơn xã")
    await portal.get_by_role("button", name="Gửi đánh giá").click()
    await expect(portal.get_by_role("status")).to_contain_text("Cảm ơn")
    await expect(portal.locator("#rating")).to_have_text("5/5")
    await _shot(portal, "PA-7-rated")
    # The public page (no key) shows the same answer and photo, and nothing of the reporter.
    public = await (await new_context(viewport=PHONE)).new_page()
    await public.goto(f"/r/{code}")
    await expect(public.locator("#public-answer")).to_have_text(ANSWER)
    await _loaded(public, "a[href$='.webp'] img")
    await expect(public.locator("body")).not_to_contain_text("0905123456")
    await expect(public.locator("body")).not_to_contain_text("Nguyễn Văn Dân")

    # The same ends in English: the citizen's answer, and the head's closed task with its part.
    await portal.get_by_role("link", name="English").click()
    await expect(portal.locator("#public-answer")).to_have_text(ANSWER)
    await expect(portal.locator("main")).to_contain_text("Resolved")
    await _shot(portal, "PA-7-answer-en")
    await head.goto(f"/lang/en?next={task_path}")
    await expect(head.locator(".badges")).to_contain_text("Done")
    await expect(head.locator(".cards")).to_contain_text(PART)
    await _shot(head, "PA-7-parent-done-en")


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
    page = await _sign_in_home(desk, j.receptionist, "/reports/triage")
    await page.get_by_role("link", name="Ghi nhận kiến nghị cử tri").click()
    await page.get_by_label("Kỳ họp").fill("Kỳ họp thứ 10, HĐND xã khóa XII")
    await page.get_by_label("Đơn vị bầu cử").fill("Đơn vị bầu cử số 2")
    await page.get_by_label("Đại biểu tiếp xúc cử tri").fill("Nguyễn Văn Đại Biểu")
    await page.get_by_label("Nhóm cử tri").fill("Cử tri thôn Định Trị")
    await page.get_by_label("Lĩnh vực").select_option(str(category["id"]))
    await page.get_by_label("Nội dung kiến nghị").fill(PETITION)
    await _shot(page, "KN-1-record")
    await page.get_by_role("button", name="Lưu").click()
    await page.wait_for_url(re.compile(r"/reports/triage\?.*ok=petition"))
    code = re.search(r"code=(KN-[2-9A-HJ-NP-Z]{6})", page.url).group(1)
    await expect(page.locator("main")).to_contain_text(code)
    await _shot(page, "KN-1-recorded")

    # 2. …and accepts it by rule, like any report.
    await _receptionist_accepts(new_context, j, code)
    parent_id = await _task_of(code)

    # 3. The unit head splits it.
    head, task_path, part_id = await _head_splits(new_context, j, code, PETITION_PART)

    # 4. The officer, on a phone and online this time, reports with a photo in the app and submits.
    context = await phone(j.officer)
    app = await open_app(context)
    app.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await app.locator(f"a[data-task-id='{part_id}']").click()
    await expect(app.locator("section.context")).to_contain_text(PETITION)
    await _shot(app, "KN-4-officer-part")
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
        return len(reports) == 1 and len(reports[0]["photos"]) == 1 and await _is(part_id, "submitted")

    await eventually(arrived, within=30, what="the officer's report, photo and submission")
    await _shot(app, "KN-4-officer-submitted")

    # 5. The head approves the part and submits the parent.
    await _head_submits_parent(head, code, task_path, PETITION_PART, PETITION_NOTE, PETITION_ANSWER)

    # 6. The leader approves on the phone.
    await _leader_approves_on_the_phone(phone, j, code, parent_id, PETITION_PART, PETITION_NOTE, PETITION_ANSWER)

    # 7. Anyone, voters included, reads the answer and the after photo on the public page.
    voter = await (await new_context(viewport=PHONE, is_mobile=True, has_touch=True)).new_page()
    await _open_answer(voter, f"/r/{code}")
    await expect(voter.locator("#public-answer")).to_have_text(PETITION_ANSWER)
    await expect(voter.locator("main")).to_contain_text(PETITION)
    await _loaded(voter, "a[href$='.webp'] img")
    await _no_sideways_scroll(voter)
    await _shot(voter, "KN-7-answer")
    await voter.goto("/portal/petitions")
    # The list shows one council session at a time: the voter picks theirs (a full run holds several).
    await voter.get_by_label("Kỳ họp").select_option("Kỳ họp thứ 10, HĐND xã khóa XII")
    await voter.get_by_role("button", name="Xem").click()
    await expect(voter.locator("main")).to_contain_text(code)
    await _shot(voter, "KN-7-petitions")
