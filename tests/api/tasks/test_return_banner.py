"""The officer reads why the task came back at the top of its desk page, not at the bottom of the history
(issue 10, point 8; the app's task screen has the same banner, tests/browser/app/test_safe_taps.py)."""

from __future__ import annotations

from typing import Any

from server.tasks import services as tasks
from tests.factories import make_task

REASON = "Thiếu biên bản nghiệm thu có chữ ký của trưởng thôn"


async def test_the_return_reason_stands_above_the_facts(j: Any, client_for: Any) -> None:
    task = await make_task(j, title="Nạo vét mương thoát nước thôn 2", assignees=[j.officer])
    await tasks.transition(j.officer, task["id"], "start")
    await tasks.transition(j.officer, task["id"], "submit", note="Đã nạo vét 120 m mương")
    officer = await client_for(j.officer, headers={})
    assert "returned-reason" not in (await officer.get(f"/tasks/{task['id']}")).text
    await tasks.transition(j.leader, task["id"], "return", reason=REASON)
    page = (await officer.get(f"/tasks/{task['id']}")).text
    banner = page.index('class="notice warn returned-reason"')
    assert REASON in page[banner: banner + 400] and j.leader.full_name in page[banner: banner + 600]
    assert banner < page.index('class="facts"') < page.index('id="history"')
    # Submitted again, the banner goes: the reason was answered.
    await tasks.transition(j.officer, task["id"], "submit", note="Bổ sung biên bản")
    assert "returned-reason" not in (await officer.get(f"/tasks/{task['id']}")).text
