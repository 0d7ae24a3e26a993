"""The officers' and leaders' installable app, in headless Chromium, under faults (issue 3).

Every wait is for a condition with a deadline (`eventually`, Playwright's auto-waiting), never a sleep.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import shutil
import time
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.async_api import Browser, Page, Route, expect

from server.lib import clock
from server.tasks import services as tasks
from server.tasks.tables import ProgressReport
from tests.browser.app.conftest import (
    HANOI,
    PERMISSIONS,
    eventually,
    jpeg,
    open_app,
    reports_of,
    sign_in_api,
)
from tests.browser.checks import task_is, task_state
from tests.browser.conftest import PHONE
from tests.browser.waits import wait_until
from tests.factories import make_task

NOTE = "Đã kiểm tra hiện trường, đường ống bị vỡ đoạn 20 m"


async def _officer_task(j: Any, title: str) -> dict[str, Any]:
    return await make_task(j, title=title, assignees=[j.officer], deadline=clock.today_vn() + dt.timedelta(days=1))


async def _open_task_cached(page: Page, task_id: int) -> None:
    """The task is in the list and its detail is in IndexedDB (so it opens offline)."""
    await page.locator(f"a[data-task-id='{task_id}']").click()
    await expect(page.locator("[data-state]")).to_be_visible()
    await wait_until(page, """id => new Promise(r => DH.db.get('details', id).then(d => r(!!d)))""", task_id)


async def _report_offline(page: Page, task_id: int, note: str, photos: list[dict[str, Any]]) -> None:
    await page.goto(f"/app/#/task/{task_id}/report")
    await page.get_by_label("Nội dung").fill(note)
    await page.get_by_label("Tiến độ (%)").fill("60")
    if photos:
        await page.locator("#camera").set_input_files(photos)
        await expect(page.locator("#previews img")).to_have_count(len(photos))
    await expect(page.locator("#gps[data-ready=yes]")).to_contain_text("±12 m")
    await page.get_by_role("button", name="Gửi báo cáo").click()
    await page.wait_for_url(f"**/app/#/task/{task_id}")


# 1 ------------------------------------------------------------------------------------------------
async def test_offline_report_with_two_photos_and_gps_arrives_exactly_once(phone: Any, j: Any) -> None:
    task = await _officer_task(j, "Kiểm tra đường ống nước thôn Đông")
    context = await phone(j.officer)
    page = await open_app(context)
    await expect(page.get_by_role("heading", name="Nhiệm vụ của tôi")).to_be_visible()
    await expect(page.locator("[data-urgency=due_soon] b")).not_to_have_text("0")
    await _open_task_cached(page, task["id"])

    await context.set_offline(True)
    await _report_offline(page, task["id"], NOTE, [jpeg(3000, 2000, (200, 30, 30)), jpeg(2000, 3000, (30, 30, 200))])
    await expect(page.locator("#badge")).to_have_text("1 thay đổi đang chờ gửi")
    await page.close()

    # Reopen with no signal: the shell comes from the service worker, the change from IndexedDB.
    page = await context.new_page()
    await page.goto("/app/#/outbox")
    await page.wait_for_selector("body[data-ready=yes]")
    await expect(page.locator("#offline")).to_be_visible()
    await expect(page.locator("#badge")).to_have_text("1 thay đổi đang chờ gửi")
    item = page.locator(".outbox-item[data-outcome=waiting]")
    await expect(item).to_contain_text("Đang chờ gửi")
    await expect(item).to_contain_text("2 ảnh")
    assert await reports_of(task["id"]) == []

    await context.set_offline(False)  # the `online` handler and Background Sync both replay

    async def arrived() -> list[dict[str, Any]] | None:
        reports = await reports_of(task["id"])
        return reports if reports and all(len(r["photos"]) == 2 for r in reports) else None

    await eventually(arrived, what="the report and its two photos")
    await expect(page.locator("#badge")).to_be_hidden()
    await expect(page.locator(".outbox-item")).to_have_count(0)
    reports = await reports_of(task["id"])
    assert len(reports) == 1, reports
    report = reports[0]
    assert report["note"] == NOTE and report["percent"] == 60 and report["refused_reason"] is None
    assert abs(report["latitude"] - HANOI["latitude"]) < 1e-6 and report["accuracy_m"] == 12
    assert report["client_id"] is not None
    # Shrunk on the phone: longest side 1600 px, the portrait one kept portrait.
    sizes = sorted((p["file.width"], p["file.height"]) for p in report["photos"])
    assert sizes == [(1067, 1600), (1600, 1067)], sizes
    assert await task_state(task["id"]) == "in_progress"


# 4 ------------------------------------------------------------------------------------------------
async def test_report_on_a_task_cancelled_meanwhile_is_refused_visibly_and_kept(phone: Any, j: Any) -> None:
    task = await _officer_task(j, "Dọn rác điểm tập kết chợ Hoài Hương")
    context = await phone(j.officer)
    page = await open_app(context)
    await _open_task_cached(page, task["id"])
    await context.set_offline(True)
    await _report_offline(page, task["id"], "Đã dọn xong một nửa", [jpeg(800, 600, (20, 160, 20))])

    await tasks.transition(j.leader, task["id"], "cancel", reason="Chuyển cho đơn vị khác xử lý")
    await page.goto("/app/#/outbox")
    await context.set_offline(False)

    refused = page.locator(".outbox-item[data-outcome=refused]")
    await expect(refused).to_contain_text("Bị từ chối: Nhiệm vụ đã bị hủy; báo cáo vẫn được lưu lại")
    reports = await eventually(
        lambda: _with_photos(task["id"], 1), what="the refused report and its photo kept on the server"
    )
    assert len(reports) == 1
    assert reports[0]["note"] == "Đã dọn xong một nửa" and reports[0]["refused_reason"] == "task_cancelled"
    # The officer dismisses it once read; the task now shows as cancelled.
    await refused.get_by_role("button", name="Bỏ qua").click()
    await expect(page.locator(".outbox-item")).to_have_count(0)
    await page.goto(f"/app/#/task/{task['id']}")
    await expect(page.locator("[data-state]")).to_have_text("Đã hủy")


async def _with_photos(task_id: int, n: int) -> list[dict[str, Any]] | None:
    reports = await reports_of(task_id)
    return reports if reports and all(len(r["photos"]) == n for r in reports) else None


# 5 ------------------------------------------------------------------------------------------------
async def test_leader_approves_and_returns_in_two_taps_on_a_phone(phone: Any, j: Any) -> None:
    approve_me = await _officer_task(j, "Sửa đèn chiếu sáng ngõ 5")
    return_me = await _officer_task(j, "Khơi thông cống thoát nước ngõ 7")
    for task in (approve_me, return_me):
        await tasks.report_progress(j.officer, task["id"], note="Đã xong", percent=100, latitude=21.03,
                                    longitude=105.85, accuracy_m=8)
        await tasks.transition(j.officer, task["id"], "submit")

    leader = await open_app(await phone(j.leader), "/app/#/approvals")
    card = leader.locator(f".approval[data-task-id='{approve_me['id']}']")
    await expect(card).to_contain_text("Đã xong")
    await expect(card.locator(".place")).to_contain_text("±8 m")
    assert await leader.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await card.get_by_role("button", name="Duyệt hoàn thành").click()  # tap 1 of 1
    await expect(card.locator(".decided")).to_have_text("Đã duyệt")
    await eventually(lambda: task_is(approve_me["id"], "done"), what="the approval")

    other = leader.locator(f".approval[data-task-id='{return_me['id']}']")
    await other.get_by_role("button", name="Trả lại").click()  # tap 1
    await other.get_by_role("button", name="Thiếu ảnh minh chứng").click()  # tap 2
    await expect(other.locator(".decided")).to_have_text("Đã trả lại")
    await eventually(lambda: task_is(return_me["id"], "returned"), what="the return")
    detail = await tasks.get_task(j.leader, return_me["id"])
    assert "Thiếu ảnh minh chứng" in detail["history"][-1]["note"]

    officer = await open_app(await phone(j.officer), f"/app/#/task/{approve_me['id']}")
    await expect(officer.locator("[data-state]")).to_have_text("Hoàn thành")


# 3 ------------------------------------------------------------------------------------------------
async def test_the_same_change_sent_twice_at_once_is_one_record(phone: Any, j: Any) -> None:
    task = await _officer_task(j, "Rà soát hộ nghèo thôn Tây")
    page = await open_app(await phone(j.officer))
    answers = await page.evaluate(
        """async (taskId) => {
          const id = crypto.randomUUID();
          const body = {note: 'Gửi hai lần cùng lúc', percent: 30, captured_at: '2026-11-20T08:00:00+07:00'};
          const headers = {'Content-Type': 'application/json', 'X-Requested-With': 'dieuhanh'};
          const batch = () => fetch('/api/v1/sync', {method: 'POST', headers,
            body: JSON.stringify({changes: [{id, kind: 'progress', task_id: taskId, body}]})});
          const direct = () => fetch(`/api/v1/tasks/${taskId}/progress`, {method: 'POST',
            headers: {...headers, 'Idempotency-Key': id}, body: JSON.stringify(body)});
          const responses = await Promise.all([batch(), batch(), direct(), batch()]);
          return Promise.all(responses.map(async r => ({status: r.status, body: await r.json()})));
        }""",
        task["id"],
    )
    results = [answers[0]["body"]["results"][0], answers[1]["body"]["results"][0],
               {"status": answers[2]["status"], "body": answers[2]["body"]}, answers[3]["body"]["results"][0]]
    assert {r["status"] for r in results} == {201}, results
    assert len({r["body"]["report_id"] for r in results}) == 1, results
    reports = await reports_of(task["id"])
    assert len(reports) == 1 and reports[0]["note"] == "Gửi hai lần cùng lúc"


# 6 ------------------------------------------------------------------------------------------------
async def test_the_app_is_installable(browser: Browser, server_url: str, j: Any, tmp_path: Path) -> None:
    context = await browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=shutil.which("chromium") or shutil.which("chromium-browser"),
        args=["--disable-dev-shm-usage"], base_url=server_url, viewport=PHONE, locale="vi-VN",
    )
    try:
        page = await open_app(context)
        cdp = await context.new_cdp_session(page)
        errors = await cdp.send("Page.getInstallabilityErrors")
        assert errors["installabilityErrors"] == [], errors
        manifest = await cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [], manifest["errors"]
        sw = await context.request.get("/sw.js")
        assert sw.headers["cache-control"] == "no-cache" and sw.headers["service-worker-allowed"] == "/"
        for path, size in (("icon-192.png", 192), ("icon-512.png", 512), ("maskable-512.png", 512)):
            body = await (await context.request.get(f"/app/icons/{path}")).body()
            assert Image.open(io.BytesIO(body)).size == (size, size)
        # The offline page is precached, and any app address opens offline.
        await context.set_offline(True)
        offline = await context.new_page()
        await offline.goto("/app/offline.html")
        await expect(offline.get_by_role("heading", name="Ngoại tuyến")).to_be_visible()
        await offline.goto("/app/#/")
        await offline.wait_for_selector("body[data-ready=yes]")
        await expect(offline.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    finally:
        await context.close()


async def test_signing_in_in_the_app_lasts_a_month_and_switches_to_english(browser: Browser, server_url: str,
                                                                           j: Any) -> None:
    context = await browser.new_context(base_url=server_url, viewport=PHONE, locale="vi-VN")
    try:
        page = await context.new_page()
        await page.goto("/app/")
        await page.get_by_label("Tên đăng nhập").fill(j.officer2.username)
        await page.get_by_label("Mật khẩu").fill("mat-khau-thu-nghiem")
        await page.get_by_role("button", name="Đăng nhập").click()
        await expect(page.get_by_role("heading", name="Nhiệm vụ của tôi")).to_be_visible()
        cookie = next(c for c in await context.cookies() if c["name"] == "dieuhanh_session")
        assert cookie["httpOnly"] and cookie["expires"] > time.time() + 29 * 24 * 3600
        await page.locator("#lang").click()
        await expect(page.get_by_role("heading", name="My tasks")).to_be_visible()
        await expect(page.locator("#nav-outbox")).to_have_text("Waiting to send")
    finally:
        await context.close()


# 7 ------------------------------------------------------------------------------------------------
async def test_a_new_service_worker_version_keeps_the_outbox(phone: Any, j: Any) -> None:
    task = await _officer_task(j, "Kiểm tra mốc giới đất công")
    # No Background Sync here: only the page replays, and the test holds it back until the upgrade is done.
    context = await phone(j.officer, permissions=["geolocation"])
    page = await open_app(context)
    await _open_task_cached(page, task["id"])
    old_caches = await page.evaluate("caches.keys()")
    assert len(old_caches) == 1 and old_caches[0].startswith("dieuhanh-shell-")

    async def refuse(route: Route) -> None:
        await route.abort()

    await context.route("**/api/v1/sync", refuse)
    await context.set_offline(True)
    await _report_offline(page, task["id"], "Trước khi nâng cấp", [jpeg(640, 480, (90, 90, 10))])
    await context.set_offline(False)
    await expect(page.locator("#badge")).to_have_text("1 thay đổi đang chờ gửi")

    await page.evaluate("navigator.serviceWorker.register('/service-worker.js?build=2', {scope: '/', type: 'module'})")
    await wait_until(
        page,
        """async () => {
          const registration = await navigator.serviceWorker.getRegistration('/');
          const keys = await caches.keys();
          return registration.active && registration.active.scriptURL.endsWith('build=2')
            && keys.length === 1 && keys[0].endsWith('-2');
        }"""
    )
    await page.reload()
    await page.wait_for_selector("body[data-ready=yes]")
    await expect(page.locator("#badge")).to_have_text("1 thay đổi đang chờ gửi")
    assert await reports_of(task["id"]) == []

    await context.unroute("**/api/v1/sync", refuse)  # the app's own retry (backoff up to 8 s) sends it
    reports = await eventually(lambda: _with_photos(task["id"], 1), what="the report sent after the upgrade")
    assert len(reports) == 1 and reports[0]["note"] == "Trước khi nâng cấp"


# 2 ------------------------------------------------------------------------------------------------
async def test_server_killed_mid_sync_loses_nothing_and_doubles_nothing(
    phone: Any, j: Any, killable_server: Any
) -> None:
    task = await _officer_task(j, "Kiểm đếm thiệt hại sau bão")
    context = await phone(j.officer, base_url=killable_server.url, permissions=["geolocation"])
    page = await open_app(context)
    await _open_task_cached(page, task["id"])
    await context.set_offline(True)
    for n in range(2):
        colours = [(10 + n, 200, 10), (10 + n, 10, 200)]
        await _report_offline(page, task["id"], f"Đợt kiểm đếm {n + 1}", [jpeg(1200, 900, c) for c in colours])
    await expect(page.locator("#badge")).to_have_text("2 thay đổi đang chờ gửi")

    killed: dict[str, asyncio.Event] = {"sync": asyncio.Event(), "photo": asyncio.Event()}

    def killer(name: str) -> Any:
        async def handle(route: Route) -> None:
            if killed[name].is_set():
                await route.continue_()
                return
            # The server commits the change, then dies before the phone hears the answer.
            await route.fetch()
            killable_server.kill()
            killed[name].set()
            await route.abort("connectionreset")

        return handle

    await context.route("**/api/v1/sync", killer("sync"))
    await context.route("**/api/v1/progress/*/attachments", killer("photo"))
    await context.set_offline(False)

    for name in ("sync", "photo"):
        await asyncio.wait_for(killed[name].wait(), timeout=20)
        await asyncio.to_thread(killable_server.start)

    reports = await eventually(lambda: _with_photos(task["id"], 2), within=30, what="both reports with photos")
    await expect(page.locator("#badge")).to_be_hidden(timeout=30_000)
    reports = await reports_of(task["id"])
    assert [r["note"] for r in reports] == ["Đợt kiểm đếm 1", "Đợt kiểm đếm 2"]
    assert [len(r["photos"]) for r in reports] == [2, 2], [(r["id"], r["photos"]) for r in reports]
    assert await ProgressReport.count().where(ProgressReport.task == task["id"]) == 2


async def test_a_401_during_replay_keeps_the_change_and_asks_to_sign_in(phone: Any, j: Any, browser: Browser,
                                                                       server_url: str) -> None:
    task = await _officer_task(j, "Cập nhật sổ hộ tịch")
    # A session of its own, so that signing out does not end the other tests' sessions.
    context = await browser.new_context(base_url=server_url, viewport=PHONE, permissions=PERMISSIONS,
                                        geolocation=HANOI, locale="vi-VN")
    try:
        await sign_in_api(context, j.officer)
        page = await open_app(context)
        await _open_task_cached(page, task["id"])
        await context.set_offline(True)
        await _report_offline(page, task["id"], "Chờ đăng nhập lại", [])
        await page.goto("/app/#/outbox")
        # The session ends elsewhere (signed out on the desk) before the signal returns.
        await context.request.post("/api/v1/auth/logout", headers={"X-Requested-With": "dieuhanh"})
        await context.set_offline(False)
        await expect(page.get_by_role("alert")).to_contain_text("Phiên đăng nhập đã hết hạn")
        await expect(page.locator("#badge")).to_have_text("1 thay đổi đang chờ gửi")
        assert await reports_of(task["id"]) == []
        await page.get_by_role("alert").get_by_role("link", name="Đăng nhập").click()
        await page.get_by_label("Tên đăng nhập").fill(j.officer.username)
        await page.get_by_label("Mật khẩu").fill("mat-khau-thu-nghiem")
        await page.get_by_role("button", name="Đăng nhập").click()
        reports = await eventually(lambda: reports_of(task["id"]), what="the report after signing in again")
        assert len(reports) == 1 and reports[0]["note"] == "Chờ đăng nhập lại"
    finally:
        await context.close()


async def test_coming_back_to_the_report_form_never_reopens_the_sent_one(phone: Any, j: Any) -> None:
    """A render asked for while the sent form was still on show kept it for its address: an officer who came
    straight back to "Báo cáo tiến độ" found the last report's photos still in the form, and sent them twice
    (seen as a report with four photos in a full run). The sent form is never kept, and a second tap on
    "Gửi báo cáo" queues nothing more."""
    task = await _officer_task(j, "Kiểm tra cống ngang đường thôn Tây")
    context = await phone(j.officer, permissions=["geolocation"])
    page = await open_app(context)
    await _open_task_cached(page, task["id"])
    await context.set_offline(True)
    await page.goto(f"/app/#/task/{task['id']}/report")
    await page.get_by_label("Nội dung").fill("Đợt 1")
    await page.locator("#camera").set_input_files([jpeg(800, 600, (200, 10, 10)), jpeg(800, 600, (10, 200, 10))])
    await expect(page.locator("#previews img")).to_have_count(2)
    # Sent with a double tap, and the address of the form asked for again as soon as the app leaves it, while
    # its render of the task screen still reads the badge.
    await page.evaluate("""id => new Promise(resolve => {
        addEventListener('hashchange', function back() {
          if (location.hash !== `#/task/${id}`) return;
          removeEventListener('hashchange', back);
          location.hash = `#/task/${id}/report`;
          resolve();
        });
        const button = document.querySelector('#report-form button[type=submit]');
        button.click();
        button.click();
    })""", task["id"])
    await wait_until(page, "document.getElementById('main').dataset.view === location.hash")
    await expect(page.locator("#note")).to_have_value("")
    await expect(page.locator("#previews img")).to_have_count(0)
    await page.get_by_label("Nội dung").fill("Đợt 2")
    await page.locator("#camera").set_input_files([jpeg(800, 600, (10, 10, 200))])
    await expect(page.locator("#previews img")).to_have_count(1)
    await page.get_by_role("button", name="Gửi báo cáo").click()
    await page.wait_for_url(f"**/app/#/task/{task['id']}")
    queued = await page.evaluate("DH.outbox.list().then(items => items.map(i => [i.body.note, i.photos.length]))")
    assert queued == [["Đợt 1", 2], ["Đợt 2", 1]], queued
