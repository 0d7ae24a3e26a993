"""The app's screens beyond the offline core (issues 3 and 5), on a 390×844 phone in headless Chromium:
the officer's extension request and submission (online and through the outbox), the unit head's split,
assign and chase, the leader's approval queue from the enriched API. The inbox, Web Push and the screens' width
are in test_app_inbox_and_push.py.

Every wait is for a condition with a deadline (`eventually`, Playwright's auto-waiting), never a sleep.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from typing import Any

from PIL import Image
from playwright.async_api import Page, expect

from server.lib import clock
from server.media.services import attach
from server.notifications.tables import Notification
from server.tasks import services as tasks
from server.tasks.tables import ExtensionRequest, Task, TaskAssignee, TaskEvent
from tests.browser.app.conftest import eventually, open_app
from tests.browser.checks import (
    no_horizontal_scroll,
    patient_expectations,  # noqa: F401  (an autouse fixture)
    task_is,
    task_state,
)
from tests.browser.waits import wait_until
from tests.factories import make_task


async def _cached(page: Page, task_id: int) -> None:
    await page.goto(f"/app/#/task/{task_id}")
    await expect(page.locator("[data-state]")).to_be_visible()
    await wait_until(page, "id => new Promise(r => DH.db.get('details', id).then(d => r(!!d)))", task_id)


async def _extension_of(task_id: int) -> list[dict[str, Any]]:
    return await ExtensionRequest.select().where(ExtensionRequest.task == task_id)


async def _ask_extension(page: Page, task_id: int, deadline: dt.date, reason: str) -> None:
    await page.get_by_role("link", name="Xin gia hạn").click()
    await page.get_by_label("Hạn mới").fill(deadline.isoformat())
    await page.get_by_label("Lý do").fill(reason)
    await page.get_by_role("button", name="Gửi đề nghị").click()
    await page.wait_for_url(f"**/app/#/task/{task_id}")


async def _submit(page: Page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())  # "Gửi kết quả để duyệt?"
    await page.get_by_role("button", name="Gửi duyệt").click()


# ------------------------------------------------------------------------------------------------
async def test_extension_request_and_submission_online_and_through_the_outbox(phone: Any, j: Any) -> None:
    deadline = clock.today_vn() + dt.timedelta(days=2)
    online = await make_task(j, title="Đo đạc lại thửa đất số 12", assignees=[j.officer], deadline=deadline)
    offline = await make_task(j, title="Đo đạc lại thửa đất số 13", assignees=[j.officer], deadline=deadline)
    context = await phone(j.officer)
    page = await open_app(context)

    # Online: each change is sent at once (the outbox empties by itself).
    await _cached(page, online["id"])
    await _ask_extension(page, online["id"], deadline + dt.timedelta(days=5), "Chờ kết quả đo của Sở")
    rows = await eventually(lambda: _extension_of(online["id"]), what="the extension request")
    assert rows[0]["requested_deadline"] == deadline + dt.timedelta(days=5) and rows[0]["state"] == "pending"
    await _submit(page)
    await eventually(lambda: task_is(online["id"], "submitted"), what="the submission")
    await expect(page.locator("#badge")).to_be_hidden()
    await no_horizontal_scroll(page, "task detail")

    # Offline: both wait in the outbox, the task shows "Chờ duyệt" at once, nothing reaches the server.
    await _cached(page, offline["id"])
    await context.set_offline(True)
    await _ask_extension(page, offline["id"], deadline + dt.timedelta(days=3), "Mưa lớn, chưa đo được")
    await expect(page.locator("#badge")).to_have_text("1 thay đổi đang chờ gửi")
    await _submit(page)
    await expect(page.locator("#badge")).to_have_text("2 thay đổi đang chờ gửi")
    await expect(page.locator("[data-state]")).to_have_text("Chờ duyệt")
    assert await _extension_of(offline["id"]) == [] and await task_state(offline["id"]) == "assigned"
    await page.goto("/app/#/outbox")
    await expect(page.locator(".outbox-item[data-outcome=waiting]")).to_have_count(2)
    await expect(page.locator(".outbox-item").first).to_contain_text("Xin gia hạn")
    await no_horizontal_scroll(page, "outbox")

    await context.set_offline(False)
    await eventually(lambda: task_is(offline["id"], "submitted"), what="the submission sent after the signal returned")
    rows = await _extension_of(offline["id"])
    assert len(rows) == 1 and rows[0]["reason"] == "Mưa lớn, chưa đo được"
    await expect(page.locator("#badge")).to_be_hidden()


# ------------------------------------------------------------------------------------------------
async def test_the_unit_head_splits_assigns_and_chases_a_late_officer(phone: Any, j: Any) -> None:
    parent = await make_task(j, title="Tổng kiểm tra an toàn thực phẩm quý IV", assignees=[j.head],
                             deadline=clock.today_vn() + dt.timedelta(days=12))
    late = await make_task(j, title="Báo cáo số hộ dùng nước sạch", assignees=[j.officer],
                           deadline=clock.today_vn())
    # A deadline in the past cannot be given any more: the task became late the usual way, with time.
    await Task.update({Task.deadline: clock.today_vn() - dt.timedelta(days=2)}).where(Task.id == late["id"])
    context = await phone(j.head)
    page = await open_app(context, f"/app/#/task/{parent['id']}")

    # Split: a part for one officer, with a deadline no later than the task's.
    await page.get_by_role("link", name="Chia việc").click()
    await page.get_by_label("Tên phần việc").fill("Kiểm tra bếp ăn trường tiểu học")
    await page.get_by_label("Phạm Văn Cán").check()
    await no_horizontal_scroll(page, "split")
    await page.get_by_role("button", name="Giao phần việc").click()
    part = page.locator("[data-subtask]")
    await expect(part).to_contain_text("Kiểm tra bếp ăn trường tiểu học")
    part_id = int(await part.get_attribute("data-subtask") or 0)
    row = await Task.select(Task.parent, Task.state, Task.deadline).where(Task.id == part_id).first()
    assert row["parent"] == parent["id"] and row["state"] == "assigned"
    assert row["deadline"] == parent["deadline"]
    assert await _assignees(part_id) == {j.officer.id}

    # Assign: who works on the task itself.
    await page.goto(f"/app/#/task/{parent['id']}/assign")
    await expect(page.get_by_role("heading", name="Giao việc")).to_be_visible()
    await page.get_by_label(j.officer2.full_name).check()
    await no_horizontal_scroll(page, "assign")
    await page.get_by_role("button", name="Lưu người thực hiện").click()
    await page.wait_for_url(f"**/app/#/task/{parent['id']}")
    assert await _assignees(parent["id"]) == {j.head.id, j.officer2.id}
    await expect(page.locator("[data-subtask]")).to_have_count(1)

    # Chase from the unit's list: two quick taps, one reminder.
    await page.goto("/app/#/unit")
    card = page.locator(f"[data-unit-task='{late['id']}']")
    await expect(card).to_contain_text("Quá hạn 2 ngày")
    await no_horizontal_scroll(page, "unit tasks")
    await card.get_by_role("button", name="Nhắc việc").dblclick()
    await expect(card.locator("[data-chase-status]")).to_contain_text("Đã nhắc việc: Phạm Văn Cán")
    chases = await eventually(lambda: _chases(late["id"]), what="the chase notification")
    assert [c["person"] for c in chases] == [j.officer.id]

    # The task's screen says who was reminded, and its button is spent.
    await page.goto(f"/app/#/task/{late['id']}")
    await expect(page.locator("[data-chase-status]")).to_contain_text("Đã nhắc việc: Phạm Văn Cán")
    await expect(page.get_by_role("button", name="Nhắc việc")).to_be_disabled()
    await expect(page.locator("[data-event=chase]")).to_have_count(1)

    # Opened afresh a moment later: the earlier chase is the server's answer; nothing is sent again.
    await page.reload()
    await page.wait_for_selector("body[data-started=yes]", state="attached")
    await page.get_by_role("button", name="Nhắc việc").click()
    await expect(page.locator("[data-chase-status]")).to_contain_text("Đã nhắc việc lúc")
    await expect(page.locator("[data-event=chase]")).to_have_count(1)
    assert len(await _chases(late["id"])) == 1
    assert await TaskEvent.count().where((TaskEvent.task == late["id"]) & (TaskEvent.kind == "chase")) == 1

    # Offline these need the network, and say so.
    await context.set_offline(True)
    await page.goto("/app/#/unit")
    await expect(page.get_by_role("heading", name="Việc của đơn vị")).to_be_visible()
    await page.goto(f"/app/#/task/{parent['id']}")  # not chased yet: the button waits for a signal
    await expect(page.get_by_role("button", name="Nhắc việc")).to_be_disabled()
    await expect(page.locator("[data-chase-status]")).to_contain_text("Cần có mạng")
    await page.goto(f"/app/#/task/{late['id']}")  # chased: it still says so, offline
    await expect(page.locator("[data-chase-status]")).to_contain_text("Đã nhắc việc lúc")
    await page.goto(f"/app/#/task/{parent['id']}/split")
    await expect(page.get_by_role("alert")).to_contain_text("Cần có mạng để chia việc và giao việc")
    await context.set_offline(False)

    # The officer reads it in the inbox and lands on the task.
    officer = await open_app(await phone(j.officer), "/app/#/inbox")
    item = officer.locator("[data-notification]", has_text="Nhắc việc: Báo cáo số hộ dùng nước sạch")
    await item.click()
    await officer.wait_for_url(f"**/app/#/task/{late['id']}")


async def test_a_late_answer_never_paints_over_the_screen_navigated_to(phone: Any, j: Any) -> None:
    """After a chase the task screen redraws with its new history, which reads the task again; if the head
    moves on (here to the unit's list) while that read is slow, the list is what stays on the screen."""
    late = await make_task(j, title="Thống kê hộ nghèo cuối năm", assignees=[j.officer],
                           deadline=clock.today_vn())
    await Task.update({Task.deadline: clock.today_vn() - dt.timedelta(days=1)}).where(Task.id == late["id"])
    context = await phone(j.head)
    page = await open_app(context, f"/app/#/task/{late['id']}")
    await expect(page.get_by_role("button", name="Nhắc việc")).to_be_enabled()

    # The first read after the chase goes through; the redraw's own read waits until released.
    reads: list[Any] = []
    held: list[Any] = []
    released = asyncio.Event()

    async def slow_second_read(route: Any) -> None:
        if route.request.method == "GET":
            reads.append(route)
            if len(reads) == 2:
                held.append(route)
                await released.wait()
        await route.continue_()

    await page.route(f"**/api/v1/tasks/{late['id']}", slow_second_read)
    await page.get_by_role("button", name="Nhắc việc").click()
    await expect(page.locator("[data-chase-status]")).to_contain_text("Đã nhắc việc: Phạm Văn Cán")
    await eventually(lambda: _any(held), what="the redraw's read of the task")
    await page.goto("/app/#/unit")
    released.set()

    await expect(page.get_by_role("heading", name="Việc của đơn vị")).to_be_visible()
    await page.evaluate("DH.app.render()")  # whatever was still queued has run
    await expect(page.get_by_role("heading", name="Việc của đơn vị")).to_be_visible()
    assert await page.evaluate("document.getElementById('main').dataset.view") == "#/unit"
    await page.goto(f"/app/#/task/{late['id']}")
    await expect(page.locator("[data-event=chase]")).to_have_count(1)


async def test_a_read_that_hangs_gives_way_to_what_the_phone_holds(phone: Any, j: Any) -> None:
    """Signal bars but no data: the unit's list read hangs. The app stops waiting and shows the list it
    kept, and the other screens still open (nothing waits behind the hung read)."""
    late = await make_task(j, title="Rà soát hộ kinh doanh ven chợ", assignees=[j.officer],
                           deadline=clock.today_vn() + dt.timedelta(days=3))
    context = await phone(j.head)
    page = await open_app(context, "/app/#/unit")
    await expect(page.locator(f"[data-unit-task='{late['id']}']")).to_be_visible()

    hung: list[Any] = []

    async def never_answer(route: Any) -> None:
        hung.append(route)

    await page.evaluate("DH.api.settings.readTimeoutMs = 1500")  # 10 s in use; the same code path, sooner
    await page.route("**/api/v1/tasks?view=scope*", never_answer)
    await page.goto("/app/#/outbox")
    await page.goto("/app/#/unit")
    await eventually(lambda: _any(hung), what="the unit list's read")
    await expect(page.locator(f"[data-unit-task='{late['id']}']")).to_be_visible()
    await page.goto("/app/#/inbox")
    await expect(page.get_by_role("heading", name="Hộp thư")).to_be_visible()
    await page.unroute("**/api/v1/tasks?view=scope*")


async def _any(items: list[Any]) -> bool:
    return bool(items)


async def _assignees(task_id: int) -> set[int]:
    rows = await TaskAssignee.select(TaskAssignee.person).where(
        (TaskAssignee.task == task_id) & TaskAssignee.removed_at.is_null()
    )
    return {r["person"] for r in rows}


async def _chases(task_id: int) -> list[dict[str, Any]]:
    return await Notification.select().where((Notification.task_id == task_id) & (Notification.kind == "chase"))


# ------------------------------------------------------------------------------------------------
def _photo(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


async def test_the_leader_judges_from_the_queue_alone_and_decides_in_two_taps(phone: Any, j: Any) -> None:
    approve_me = await make_task(j, title="Sửa mặt đường liên thôn đoạn cầu Gành", assignees=[j.officer])
    return_me = await make_task(j, title="Phát quang hành lang tuyến điện thôn Bắc", assignees=[j.officer])
    for task, colour in ((approve_me, (200, 120, 20)), (return_me, (20, 120, 200))):
        before = await tasks.report_progress(j.officer, task["id"], note="Hiện trạng trước khi làm", percent=10)
        await attach(owner_kind="progress_report", owner_id=before.report_id, filename="truoc.jpg",
                     data=_photo((90, 90, 90)), actor_id=j.officer.id)
        after = await tasks.report_progress(j.officer, task["id"], note="Đã hoàn thành, mặt đường phẳng",
                                            percent=100, latitude=14.5161, longitude=109.0562, accuracy_m=6)
        await attach(owner_kind="progress_report", owner_id=after.report_id, filename="sau.jpg",
                     data=_photo(colour), actor_id=j.officer.id)
        await tasks.transition(j.officer, task["id"], "submit", note="Đề nghị lãnh đạo duyệt")

    leader = await open_app(await phone(j.leader), "/app/#/")
    requests: list[str] = []
    leader.on("request", lambda request: requests.append(request.url))
    await leader.goto("/app/#/approvals")
    card = leader.locator(f".approval[data-task-id='{approve_me['id']}']")
    await expect(card.locator(".submit-note")).to_have_text("Đề nghị lãnh đạo duyệt")
    await expect(card).to_contain_text(j.officer.full_name)
    await expect(card.locator(".latest-report")).to_contain_text("Đã hoàn thành, mặt đường phẳng")
    await expect(card.locator(".place")).to_contain_text("±6 m")
    photo = card.locator(".photos.after img")
    await expect(photo).to_have_count(1)
    # The enriched queue, not one task detail per card.
    assert not [u for u in requests if "/api/v1/tasks/" in u], requests
    assert any(u.endswith("/api/v1/approvals") for u in requests)
    # Thumbnails in the list; the display size (or the original) when opened.
    src = await photo.get_attribute("src") or ""
    assert src.endswith("/thumb") or src.rstrip("/").split("/")[-1].isdigit(), src
    await expect(photo).to_have_js_property("complete", True)
    assert await photo.evaluate("img => img.naturalWidth") > 0
    # The "before" photos (an earlier report's) come with the queue too: still no task detail fetched.
    await expect(card.locator(".photos.before img")).to_have_count(1)
    assert not [u for u in requests if "/api/v1/tasks/" in u], requests
    await card.locator(".photos.after a[data-photo]").click()
    await expect(leader.locator(".viewer img")).to_be_visible()
    await no_horizontal_scroll(leader, "approvals with the photo viewer")
    await leader.locator(".viewer").click()
    await expect(leader.locator(".viewer")).to_have_count(0)

    await card.get_by_role("button", name="Duyệt hoàn thành").click()  # tap 1 of 1
    await expect(card.locator(".decided")).to_have_text("Đã duyệt")
    other = leader.locator(f".approval[data-task-id='{return_me['id']}']")
    await other.get_by_role("button", name="Trả lại").click()  # tap 1
    await other.get_by_role("button", name="Chưa đạt yêu cầu").click()  # tap 2
    await expect(other.locator(".decided")).to_have_text("Đã trả lại")
    await eventually(lambda: task_is(approve_me["id"], "done"), what="the approval")
    await eventually(lambda: task_is(return_me["id"], "returned"), what="the return")
    detail = await tasks.get_task(j.leader, return_me["id"])
    assert detail["history"][-1]["note"].startswith("Chưa đạt yêu cầu")
    await no_horizontal_scroll(leader, "approvals")
