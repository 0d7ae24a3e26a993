"""The app's inbox and Web Push, and every screen's width, on a 390×844 phone in headless Chromium (issues 3
and 5; moved from test_app_screens.py).

Every wait is for a condition with a deadline (`eventually`, Playwright's auto-waiting), never a sleep.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.async_api import expect

from server.notifications import services as notifications
from server.notifications.tables import Notification, NotificationSetting, PushSubscription
from server.tasks import services as tasks
from tests.browser.app.conftest import eventually, open_app, reports_of
from tests.browser.checks import (
    no_horizontal_scroll,
    patient_expectations,  # noqa: F401  (an autouse fixture)
)
from tests.factories import make_person, make_task

PUSH_PERMISSIONS = ["geolocation", "background-sync", "notifications"]


# ------------------------------------------------------------------------------------------------
async def test_the_inbox_counts_unread_marks_read_and_reads_offline(phone: Any, j: Any) -> None:
    reader = await make_person(j.dept_sub, full_name="Võ Thị Đọc Thư")
    task = await make_task(j, title="Cập nhật bản đồ điểm ngập úng", assignees=[reader])
    # make_task told the reader they were assigned; two more items.
    await notifications.notify(reader.id, "comment", "Ý kiến mới về nhiệm vụ: Cập nhật bản đồ điểm ngập úng",
                               "Bổ sung điểm ngập ở thôn 2", link=f"/tasks/{task['id']}", task_id=task["id"])
    await notifications.notify(reader.id, "digest", "Tóm tắt công việc hôm nay", "1 nhiệm vụ đang thực hiện",
                               link="/tasks")
    context = await phone(reader)
    page = await open_app(context)
    dot = page.locator("#inbox-link .count-dot")
    await expect(dot).to_have_text("3")

    await page.locator("#inbox-link").click()
    await expect(page.get_by_role("heading", name="Hộp thư")).to_be_visible()
    await expect(page.locator("[data-notification][data-read=no]")).to_have_count(3)
    await no_horizontal_scroll(page, "inbox")
    comment = page.locator("[data-notification]", has_text="Bổ sung điểm ngập ở thôn 2")
    await comment.click()
    await page.wait_for_url(f"**/app/#/task/{task['id']}")
    await expect(page.get_by_role("heading", name="Cập nhật bản đồ điểm ngập úng")).to_be_visible()
    await expect(dot).to_have_text("2")
    await eventually(lambda: _unread(reader.id, 2), what="the item marked read on the server")

    # Offline: the inbox is read from the phone; a read mark waits and is sent when the signal returns.
    await page.goto("/app/#/inbox")
    await expect(page.locator("[data-notification]")).to_have_count(3)
    await context.set_offline(True)
    await page.reload()
    await page.wait_for_selector("body[data-ready=yes]")
    await expect(page.locator("[data-notification]")).to_have_count(3)
    await expect(page.get_by_text("Ngoại tuyến: danh sách lần cập nhật trước")).to_be_visible()
    await page.get_by_role("button", name="Đánh dấu tất cả đã đọc").click()
    await expect(dot).to_be_hidden()
    await expect(page.locator("[data-notification][data-read=no]")).to_have_count(0)
    assert await _unread(reader.id, 2)
    await context.set_offline(False)
    await eventually(lambda: _unread(reader.id, 0), what="the offline read-all sent")


async def _unread(person_id: int, n: int) -> bool:
    count = await Notification.count().where((Notification.person == person_id) & Notification.read_at.is_null())
    return count == n


# ------------------------------------------------------------------------------------------------
def _fake_browser_subscription() -> dict[str, Any]:
    """What pushManager.subscribe() gives: an endpoint and the browser's P-256 key and auth secret."""
    key = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    return {"endpoint": f"http://127.0.0.1:9/push/app-{b64(key[:9])}", "expirationTime": None,
            "keys": {"p256dh": b64(key), "auth": b64(bytes(range(16)))}}


# Debian's Chromium has no push service to register with ("AbortError: Registration failed - permission
# denied", even with the permission granted), so the page's PushManager answers with a subscription made
# here; everything else is real: the permission prompt on the tap, the server's VAPID key handed to
# subscribe(), the subscription registered with the server and removed again, the settings saved.
FAKE_PUSH = """
(() => {
  window.__push = {asked: 0, key: null, subscription: null};
  const ask = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...a) => { window.__push.asked += 1; return ask(...a); };
  const made = %s;
  PushManager.prototype.subscribe = async function (options) {
    window.__push.key = btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey)));
    const sub = {endpoint: made.endpoint, expirationTime: null, options,
      toJSON: () => made, unsubscribe: async () => { window.__push.subscription = null; return true; }};
    window.__push.subscription = sub;
    return sub;
  };
  PushManager.prototype.getSubscription = async function () { return window.__push.subscription; };
})();
"""


async def test_push_is_turned_on_and_off_from_settings_and_shown_by_the_service_worker(
    phone: Any, j: Any
) -> None:
    person = await make_person(j.dept_sub, full_name="Đặng Văn Nhận Tin")
    context = await phone(person, permissions=PUSH_PERMISSIONS)
    made = _fake_browser_subscription()
    await context.add_init_script(FAKE_PUSH % json.dumps(made))
    page = await open_app(context)
    await page.goto("/app/#/settings")
    await expect(page.locator("#push-state")).to_have_attribute("data-push", "off")
    assert await page.evaluate("window.__push.asked") == 0, "permission must not be asked on load"
    await no_horizontal_scroll(page, "settings")

    await page.get_by_role("button", name="Bật thông báo").click()
    await expect(page.locator("#push-state")).to_have_attribute("data-push", "on")
    assert await page.evaluate("window.__push.asked") == 1
    key = (await page.evaluate("fetch('/api/v1/push/key', {headers: {'X-Requested-With': 'x'}}).then(r => r.json())"))
    sent_key = base64.b64decode(await page.evaluate("window.__push.key"))
    assert base64.urlsafe_b64encode(sent_key).decode().rstrip("=") == key["public_key"]
    rows = await PushSubscription.select().where(PushSubscription.person == person.id)
    assert [(r["endpoint"], r["p256dh"], r["auth"]) for r in rows] == [
        (made["endpoint"], made["keys"]["p256dh"], made["keys"]["auth"])]

    # Events and quiet hours are saved as they are ticked.
    await page.get_by_label("Ý kiến mới").uncheck()
    await expect(page.locator("#settings-state")).to_have_text("Đã lưu")
    await page.get_by_label("Không làm phiền từ 21:00 đến 07:00").uncheck()
    await expect(page.locator("#settings-state")).to_have_text("Đã lưu")

    async def quiet_hours_off() -> dict[str, Any] | None:
        saved = await notifications.get_person_settings(person.id)
        return saved if saved["quiet_hours"] is False else None

    saved = await eventually(quiet_hours_off, what="the settings saved")
    assert "comment" not in saved["push_kinds"] and "assigned" in saved["push_kinds"]
    assert await NotificationSetting.count().where(NotificationSetting.person == person.id) == 1

    # The service worker shows a push with its deep link into the app.
    cdp = await context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    await cdp.send("ServiceWorker.enable")
    await eventually(_async(lambda: registrations), what="the service worker registration over CDP")
    origin = page.url.split("/app/")[0]
    registration = next(r for r in registrations if r["scopeURL"] == origin + "/")
    payload = {"title": "Nhắc việc: Báo cáo số hộ dùng nước sạch", "body": "Hạn xử lý: 20/11/2026",
               "url": f"{origin}/tasks/77", "tag": "task-77", "id": 1}
    await cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": origin, "registrationId": registration["registrationId"], "data": json.dumps(payload)})
    async def shown() -> Any:
        return await page.evaluate(
            """async () => {
              const list = await (await navigator.serviceWorker.ready).getNotifications();
              return list.map(n => ({title: n.title, body: n.body, data: n.data}));
            }"""
        )

    [notification] = await eventually(shown, what="the notification shown by the service worker")
    assert notification["title"] == payload["title"] and notification["body"] == payload["body"]
    assert notification["data"]["link"] == "/app/#/task/77"

    await page.get_by_role("button", name="Tắt thông báo").click()
    await expect(page.locator("#push-state")).to_have_attribute("data-push", "off")
    assert await PushSubscription.count().where(PushSubscription.person == person.id) == 0


def _async(value: Any) -> Any:
    async def check() -> Any:
        return value()

    return check


# ------------------------------------------------------------------------------------------------
async def test_no_screen_scrolls_sideways_on_a_390_px_phone(phone: Any, j: Any) -> None:
    long_title = ("Rà soát, thống kê toàn bộ các hộ gia đình bị ảnh hưởng bởi mưa lũ kéo dài tại các thôn "
                  "Hoài Hương, Hoài Hải, Hoài Mỹ và đề xuất phương án hỗ trợ khẩn cấp "
                  "(tham khảo văn bản số 1234/UBND-KT-TNMT-VHXH-NNPTNT-2026)")
    task = await make_task(j, title=long_title, assignees=[j.officer, j.head])
    await tasks.report_progress(j.officer, task["id"], note="Đã rà soát " + "thôn Hoài Hương " * 30, percent=40,
                                latitude=14.51, longitude=109.05, accuracy_m=9)
    officer = await open_app(await phone(j.officer))
    for route in ("#/", f"#/task/{task['id']}", f"#/task/{task['id']}/report", f"#/task/{task['id']}/extend",
                  "#/outbox", "#/inbox", "#/settings", "#/login"):
        await officer.goto(f"/app/{route}")
        await expect(officer.locator("main h1")).to_be_visible()
        await no_horizontal_scroll(officer, f"officer {route}")
    head = await open_app(await phone(j.head))
    for route in ("#/unit", "#/approvals", f"#/task/{task['id']}", f"#/task/{task['id']}/split",
                  f"#/task/{task['id']}/assign"):
        await head.goto(f"/app/{route}")
        await expect(head.locator("main h1")).to_be_visible()
        await no_horizontal_scroll(head, f"unit head {route}")
    await head.locator("#lang").click()
    await expect(head.locator("#nav-unit")).to_have_text("Unit")
    await no_horizontal_scroll(head, "in English")
    await head.locator("#lang").click()
    assert await reports_of(task["id"])
