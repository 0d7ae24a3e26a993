"""Live updates in Chromium: the leader's screens change without a reload when someone else acts.

The app is the browser tests' uvicorn subprocess (memory channels, one process); the other person acts
through that same server, from a browser context of their own, so the change is raised where the
leader's stream is.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
from typing import Any

import pytest
from playwright.async_api import Page, expect

from server.lib import clock
from tests.factories import Jurisdiction, make_task

pytestmark = pytest.mark.browser


async def _live(page: Page) -> None:
    """The page's stream is open (static/live.js marks <html data-live="open"> on `ready`)."""
    await expect(page.locator("html")).to_have_attribute("data-live", "open")
    # A mark that a reload would wipe: the content changes, the page stays.
    await page.evaluate("() => { window.__notReloaded = true; }")


async def _api(page: Page, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """A call of the JSON API from the page, with the person's session (as the installable app makes it)."""
    result = await page.evaluate(
        """async ([method, path, body]) => {
            const response = await fetch(path, {method, body, headers: {
                "Content-Type": "application/json", "X-Requested-With": "dieuhanh"}});
            return {status: response.status, body: await response.text()};
        }""",
        [method, path, json.dumps(body)],
    )
    assert result["status"] in (200, 201), result
    return json.loads(result["body"])


async def test_the_leaders_task_page_shows_an_officers_report_without_reload(
    j: Jurisdiction, open_as: Any
) -> None:
    task = await make_task(j, assignees=[j.officer], lead_unit=j.dept, title="Khơi thông cống rãnh thôn 2")
    leader = await open_as(j.leader, f"/tasks/{task['id']}")
    await _live(leader)
    note = f"Đã nạo vét 40 m cống, còn 60 m ({random.randint(1000, 9999)})"
    assert await leader.get_by_text(note).count() == 0

    officer = await open_as(j.officer, "/tasks")
    await _api(officer, "POST", f"/api/v1/tasks/{task['id']}/progress", {"note": note, "percent": 40})

    await expect(leader.locator("#reports").get_by_text(note)).to_be_visible()
    assert await leader.evaluate("() => window.__notReloaded === true")


async def test_the_leaders_dashboard_counts_a_task_assigned_elsewhere_without_reload(
    j: Jurisdiction, open_as: Any
) -> None:
    # A day far ahead that no other test uses: the dashboard of that one day starts empty.
    day = clock.today_vn() + dt.timedelta(days=random.randint(3000, 9000))
    leader = await open_as(j.leader, f"/dashboard?period=custom&start={day}&end={day}")
    await _live(leader)
    total = leader.locator('.dash-buckets a[data-bucket="total"]')
    await expect(total).to_have_attribute("data-count", "0")

    head = await open_as(j.head, "/tasks")
    await _api(head, "POST", "/api/v1/tasks", {
        "title": "Rà soát hộ nghèo quý IV", "lead_unit_id": j.dept.id, "assignee_ids": [j.officer.id],
        "deadline": day.isoformat(),
    })

    await expect(total).to_have_attribute("data-count", "1")
    assert await leader.evaluate("() => window.__notReloaded === true")


async def test_the_unread_badge_follows_the_inbox(j: Jurisdiction, open_as: Any) -> None:
    task = await make_task(j, assignees=[j.officer], lead_unit=j.dept, title="Cấp nước sạch cho tổ 5")
    leader = await open_as(j.leader, "/directives")
    await _live(leader)
    badge = leader.locator("nav.main [data-live-unread]")
    before = int(await badge.text_content() or "0") if await badge.is_visible() else 0

    officer = await open_as(j.officer, "/tasks")
    await _api(officer, "POST", f"/api/v1/tasks/{task['id']}/transitions", {"action": "submit", "note": "Xong"})

    await expect(badge).to_have_text(str(before + 1))
    await expect(badge).to_be_visible()


async def test_a_refresh_waits_while_the_leader_is_typing(j: Jurisdiction, open_as: Any) -> None:
    task = await make_task(j, assignees=[j.officer], lead_unit=j.dept, title="Sửa đèn đường tổ 3")
    leader = await open_as(j.leader, f"/tasks/{task['id']}")
    await _live(leader)
    typing = leader.locator("main textarea, main input[type=text]").first
    await typing.fill("Đang soạn ý kiến chỉ đạo")
    note = f"Đã thay 3 bóng đèn ({random.randint(1000, 9999)})"

    officer = await open_as(j.officer, "/tasks")
    await _api(officer, "POST", f"/api/v1/tasks/{task['id']}/progress", {"note": note, "percent": 60})

    banner = leader.locator("[data-live-banner]")
    await expect(banner).to_be_visible()
    # What they typed is still there, and the new report waits for them.
    await expect(typing).to_have_value("Đang soạn ý kiến chỉ đạo")
    assert await leader.get_by_text(note).count() == 0


async def test_the_stream_reconnects_with_growing_delays(j: Jurisdiction, open_as: Any) -> None:
    leader = await open_as(j.leader, "/directives")
    await _live(leader)
    attempts: list[float] = []

    async def refuse_twice(route: Any) -> None:
        attempts.append(asyncio.get_running_loop().time())
        if len(attempts) <= 2:
            await route.fulfill(status=503, body="")
        else:
            await route.continue_()

    await leader.route("**/api/v1/live*", refuse_twice)
    # The page comes back while the server refuses the stream (a restart): refused twice, then through.
    await leader.reload()
    await expect(leader.locator("html")).to_have_attribute("data-live", "open", timeout=15_000)
    assert len(attempts) == 3
    first_wait, second_wait = attempts[1] - attempts[0], attempts[2] - attempts[1]
    # 0.5–1 s after the first failure, 1–2 s after the second (with some slack for a busy machine).
    assert 0.4 <= first_wait <= 2.0, attempts
    assert 0.9 <= second_wait <= 4.0, attempts
