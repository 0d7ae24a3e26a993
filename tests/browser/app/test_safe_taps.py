"""Safe taps on the phone (issue 10, point 8): the leader's approve and return can be undone for a few seconds
without a modal in the way, and the officer reads why a task came back at the top of its screen and in the
notice. 390×844, headless Chromium; every wait has a deadline."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from server.notifications.tables import Notification
from server.tasks import services as tasks
from server.tasks.tables import Task
from tests.browser.app.conftest import eventually, open_app
from tests.factories import make_task

SHOTS = Path("/tmp/shots")
HOLD_SECONDS = 5  # pwa/js/undo.js HOLD_MS


@pytest.fixture(autouse=True)
def _patient_expectations() -> Iterator[None]:
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


async def _state(task_id: int) -> str:
    return (await Task.select(Task.state).where(Task.id == task_id).first())["state"]


async def _submitted(j: Any, title: str) -> dict[str, Any]:
    task = await make_task(j, title=title, assignees=[j.officer])
    await tasks.report_progress(j.officer, task["id"], note="Đã làm xong", percent=100)
    await tasks.transition(j.officer, task["id"], "submit", note="Đề nghị duyệt")
    return task


def _sent_for(bodies: list[str], task_id: int) -> list[dict[str, Any]]:
    """The changes the app sent to /api/v1/sync for one task."""
    changes = [change for body in bodies for change in json.loads(body).get("changes", [])]
    return [change for change in changes if change.get("task_id") == task_id]


async def _watch_sync(page: Page) -> list[str]:
    bodies: list[str] = []
    page.on("request", lambda r: bodies.append(r.post_data or "{}") if r.url.endswith("/api/v1/sync") else None)
    return bodies


async def test_approve_can_be_undone_and_nothing_is_sent(phone: Any, j: Any) -> None:
    task = await _submitted(j, "Khơi thông cống thoát nước chợ Gò")
    leader = await open_app(await phone(j.leader), "/app/#/approvals")
    bodies = await _watch_sync(leader)
    card = leader.locator(f".approval[data-task-id='{task['id']}']")
    await card.get_by_role("button", name="Duyệt hoàn thành").click()
    bar = leader.locator("#undo-bar")
    await expect(bar).to_be_visible()
    await expect(bar).to_contain_text("Đã duyệt")
    await expect(leader.locator("#badge")).to_be_hidden()  # not "waiting to send": the undo bar speaks for it
    await leader.screenshot(path=str(SHOTS / "undo-bar-390.png"))
    await bar.get_by_role("button", name="Hoàn tác").click()
    await expect(bar).to_be_hidden()
    await expect(card.get_by_role("button", name="Duyệt hoàn thành")).to_be_visible()
    # Well past the undo window: the decision was never sent, the task still waits for approval.
    await asyncio.sleep(HOLD_SECONDS + 1.5)
    assert _sent_for(bodies, task["id"]) == []
    assert await _state(task["id"]) == "submitted"
    assert await leader.evaluate("DH.outbox.list().then(items => items.length)") == 0

    # Tapped again and left alone: it is sent when the window closes, once.
    await card.get_by_role("button", name="Duyệt hoàn thành").click()
    await expect(card.locator(".decided")).to_have_text("Đã duyệt")
    assert await _state(task["id"]) == "submitted"  # not yet: the leader may still undo
    await eventually(lambda: _is(task["id"], "done"), within=HOLD_SECONDS + 15, what="the approval")
    await expect(bar).to_be_hidden()
    assert [c["body"]["action"] for c in _sent_for(bodies, task["id"])] == ["approve"]


async def test_a_held_decision_goes_through_after_leaving_the_screen_and_at_once_when_hidden(
    phone: Any, j: Any
) -> None:
    first = await _submitted(j, "Sửa đèn chiếu sáng ngõ 12")
    second = await _submitted(j, "Dọn rác bãi tập kết thôn Đông")
    leader = await open_app(await phone(j.leader), "/app/#/approvals")
    card = leader.locator(f".approval[data-task-id='{first['id']}']")
    await card.get_by_role("button", name="Trả lại").click()
    await card.get_by_role("button", name="Thiếu ảnh minh chứng").click()
    await expect(leader.locator("#undo-bar")).to_contain_text("Đã trả lại")
    await leader.goto("/app/#/")  # another screen: the window still closes and the return is sent
    await eventually(lambda: _is(first["id"], "returned"), within=HOLD_SECONDS + 15, what="the return")

    await leader.goto("/app/#/approvals")
    card = leader.locator(f".approval[data-task-id='{second['id']}']")
    await card.get_by_role("button", name="Duyệt hoàn thành").click()
    await expect(leader.locator("#undo-bar")).to_be_visible()
    # The phone locks or the leader switches app: no one can tap "Hoàn tác" now, so it goes at once.
    started = asyncio.get_running_loop().time()
    await leader.evaluate("""() => {
        Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    await eventually(lambda: _is(second["id"], "done"), within=HOLD_SECONDS, what="the approval sent on hide")
    assert asyncio.get_running_loop().time() - started < HOLD_SECONDS


async def test_the_return_reason_stands_at_the_top_of_the_officers_task_and_in_the_notice(
    phone: Any, j: Any
) -> None:
    task = await _submitted(j, "Trồng cây xanh đường Lê Lợi")
    reason = "Thiếu ảnh sau khi trồng, bổ sung vị trí từng cây"
    await tasks.transition(j.leader, task["id"], "return", reason=reason)
    notice = await Notification.select().where(
        (Notification.task_id == task["id"]) & (Notification.kind == "returned")
        & (Notification.person == j.officer.id)).first()
    assert f"Lý do trả lại: {reason}" in notice["body"]

    officer = await open_app(await phone(j.officer), f"/app/#/task/{task['id']}")
    banner = officer.locator("[data-returned]")
    await expect(banner).to_contain_text(f"Trả lại: {reason}")
    # First thing under the title, above the state line, dates and history.
    banner_top = (await banner.bounding_box())["y"]
    assert banner_top < (await officer.locator(".state-line").bounding_box())["y"]
    assert banner_top + 60 < 844, "the reason is not on the first screen"
    await officer.screenshot(path=str(SHOTS / "return-banner-390-vi.png"))
    await officer.locator("#lang").click()  # EN
    await expect(banner).to_contain_text(f"Return: {reason}")
    await officer.screenshot(path=str(SHOTS / "return-banner-390-en.png"))
    await officer.locator("#lang").click()  # back to VI, the next tests expect it


async def _is(task_id: int, state: str) -> bool:
    return await _state(task_id) == state
