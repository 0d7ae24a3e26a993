"""What people type reaches the app's screens as text, never as markup: every screen writes through the `html`
template of pwa/js/esc.js, which escapes each value. A title, a note and a submit note made of markup are shown
as written on the task list, the task's screen, the outbox and the leader's approval queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.async_api import expect

from server.lib import clock
from server.tasks import services as tasks
from tests.browser.app.conftest import open_app
from tests.factories import make_task

TITLE = '<img id="injected-title" src="x"> Sửa cống <b>thôn Nam</b>'
NOTE = '<script id="injected-note">1</script><i id="injected-i">ghi chú</i> "đã xong" & kiểm tra'


async def test_markup_typed_by_people_is_shown_as_text_on_every_screen(phone: Any, j: Any) -> None:
    task = await make_task(j, title=TITLE, assignees=[j.officer], deadline=clock.today_vn() + dt.timedelta(days=2))
    await tasks.report_progress(j.officer, task["id"], note=NOTE, percent=100)
    await tasks.transition(j.officer, task["id"], "submit", note=NOTE)

    officer = await open_app(await phone(j.officer))
    await expect(officer.locator(f"a[data-task-id='{task['id']}'] .title")).to_have_text(TITLE)
    await officer.goto(f"/app/#/task/{task['id']}")
    await expect(officer.get_by_role("heading", level=1)).to_have_text(TITLE)
    await expect(officer.locator(".reports p").first).to_have_text(NOTE)

    leader = await open_app(await phone(j.leader), "/app/#/approvals")
    card = leader.locator(f".approval[data-task-id='{task['id']}']")
    await expect(card.get_by_role("link", name=TITLE)).to_be_visible()
    await expect(card.locator(".submit-note")).to_have_text(NOTE)
    for page in (officer, leader):
        assert await page.locator("[id^=injected]").count() == 0
