"""Nhắc việc: a unit head or leader chases the late officer(s) of a task, once, from the phone (issue 3/5).

The officer gets an inbox item (and a push job for each subscription, when their settings allow the kind);
the chase is in the task's history; a double tap, or a second head a moment later, sends nothing more.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from server.lib import clock
from server.notifications import services as notifications
from server.notifications.tables import Job, Notification
from server.tasks import services as tasks
from tests.api.access.requests import subscription
from tests.factories import make_task

CHASE_NOTE = "Đề nghị báo cáo tiến độ trước 17 giờ hôm nay"


async def _late_task(j: Any, title: str) -> dict[str, Any]:
    task = await make_task(j, title=title, assignees=[j.officer, j.officer2],
                           deadline=clock.today_vn() + dt.timedelta(days=1))
    await tasks.transition(j.officer, task["id"], "start")
    return task


async def _chases(task_id: int) -> list[dict[str, Any]]:
    return await Notification.select().where((Notification.task_id == task_id) & (Notification.kind == "chase"))


async def test_the_unit_head_chases_both_assignees_once_and_it_is_in_the_history(j, client_for) -> None:  # type: ignore[no-untyped-def]
    task = await _late_task(j, "Thu gom rác thải điểm chợ Hoài Hương")
    head = await client_for(j.head)
    first = await head.post(f"/api/v1/tasks/{task['id']}/chase", json={"note": CHASE_NOTE})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["repeated"] is False and body["notified"] == 2
    assert sorted(r["id"] for r in body["recipients"]) == sorted([j.officer.id, j.officer2.id])

    # A double tap (another Idempotency-Key, or none) a moment later: the first chase is the answer.
    again = await head.post(f"/api/v1/tasks/{task['id']}/chase", json={"note": CHASE_NOTE},
                            headers={"Idempotency-Key": "chase-double-tap-1"})
    assert again.status_code == 200 and again.json()["repeated"] is True and again.json()["notified"] == 0
    assert again.json()["chased_by"] == j.head.full_name

    items = await _chases(task["id"])
    assert sorted(i["person"] for i in items) == sorted([j.officer.id, j.officer2.id])
    officer_item = next(i for i in items if i["person"] == j.officer.id)
    assert officer_item["title"] == "Nhắc việc: Thu gom rác thải điểm chợ Hoài Hương"
    assert CHASE_NOTE in officer_item["body"] and officer_item["link"] == f"/tasks/{task['id']}"
    inbox = (await (await client_for(j.officer)).get("/api/v1/inbox")).json()
    assert any(i["kind"] == "chase" and i["task_id"] == task["id"] and i["read_at"] is None for i in inbox["items"])

    detail = await tasks.get_task(j.leader, task["id"])
    chases = [e for e in detail["history"] if e["kind"] == "chase"]
    assert len(chases) == 1 and chases[0]["actor"] == j.head.full_name and CHASE_NOTE in chases[0]["note"]


async def test_taps_at_the_same_moment_send_one_chase(j, client_for) -> None:  # type: ignore[no-untyped-def]
    task = await _late_task(j, "Kiểm tra hồ sơ cấp phép xây dựng")
    head, leader = await client_for(j.head), await client_for(j.leader)
    answers = await asyncio.gather(
        head.post(f"/api/v1/tasks/{task['id']}/chase", json={}),
        head.post(f"/api/v1/tasks/{task['id']}/chase", json={}),
        leader.post(f"/api/v1/tasks/{task['id']}/chase", json={}),
    )
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    assert sorted(a.json()["repeated"] for a in answers) == [False, True, True]
    assert len(await _chases(task["id"])) == 2  # one per assignee
    detail = await tasks.get_task(j.leader, task["id"])
    assert len([e for e in detail["history"] if e["kind"] == "chase"]) == 1


async def test_the_same_idempotency_key_replays_the_first_answer(j, client_for) -> None:  # type: ignore[no-untyped-def]
    task = await _late_task(j, "Rà soát danh sách hộ cận nghèo")
    head = await client_for(j.head)
    key = {"Idempotency-Key": f"chase-{task['id']}"}
    first = await head.post(f"/api/v1/tasks/{task['id']}/chase", json={"note": "Nhắc lần 1"}, headers=key)
    replay = await head.post(f"/api/v1/tasks/{task['id']}/chase", json={"note": "Nhắc lần 1"}, headers=key)
    assert first.status_code == replay.status_code == 200
    assert replay.headers.get("idempotent-replayed") == "true" and replay.json() == first.json()
    assert first.json()["repeated"] is False


async def test_a_chase_is_pushed_to_the_officers_subscriptions(j, client_for) -> None:  # type: ignore[no-untyped-def]
    task = await _late_task(j, "Cắm mốc hành lang an toàn giao thông")
    body = subscription()
    await notifications.subscribe(j.officer.id, body["endpoint"], body["keys"]["p256dh"], body["keys"]["auth"])
    await notifications.set_person_settings(j.officer.id, push_kinds=None, quiet_hours=False)
    before = await Job.count().where(Job.kind == "push")
    response = await (await client_for(j.leader)).post(f"/api/v1/tasks/{task['id']}/chase", json={})
    assert response.status_code == 200, response.text
    item = next(i for i in await _chases(task["id"]) if i["person"] == j.officer.id)
    jobs = await Job.select().where((Job.kind == "push") & (Job.dedupe_key.like(f"push:{item['id']}:%")))
    if "chase" not in notifications.EVENT_KINDS:
        # notify() pushes only the kinds in EVENT_KINDS (see the pwa report's patch for notifications/services.py).
        assert jobs == [] and await Job.count().where(Job.kind == "push") == before
        return
    assert len(jobs) == 1


async def test_who_may_chase_and_what(j, client_for) -> None:  # type: ignore[no-untyped-def]
    task = await _late_task(j, "Vận động người dân đóng góp quỹ")
    officer = await client_for(j.officer)
    refused = await officer.post(f"/api/v1/tasks/{task['id']}/chase", json={})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "chase_forbidden"
    other_head = await client_for(j.other_head)
    assert (await other_head.post(f"/api/v1/tasks/{task['id']}/chase", json={})).status_code == 404
    head = await client_for(j.head)
    assert (await head.post("/api/v1/tasks/999999999/chase", json={})).status_code == 404
    too_long = await head.post(f"/api/v1/tasks/{task['id']}/chase", json={"note": "x" * 501})
    assert too_long.status_code == 422 and too_long.json()["error"]["code"] == "text_too_long"

    # Waiting for approval: nobody's to chase.
    await tasks.transition(j.officer, task["id"], "submit")
    waiting = await head.post(f"/api/v1/tasks/{task['id']}/chase", json={})
    assert waiting.status_code == 409 and waiting.json()["error"]["code"] == "chase_not_open"
    assert await _chases(task["id"]) == []
