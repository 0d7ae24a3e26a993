"""GET /api/v1/live: what a signed-in person's stream receives, and what it never receives.

The app runs with its lifespan (memory channels) in this process; the changes are made through the real
services, which raise the tasks domain's events, and the streams are read over real HTTP.
"""

from __future__ import annotations

import asyncio

import httpx

from server.notifications.services import notify
from server.tasks.services import report_progress, set_assignees, transition
from tests.api.live.conftest import LiveServer
from tests.api.live.sse import API_HEADERS, EventStream
from tests.factories import Jurisdiction, make_person, make_task

QUIET = 0.6  # long enough for an event that would wrongly arrive to arrive (the path is in-process)


async def until_action(stream: EventStream, task_id: int, action: str) -> list[dict[str, object]]:
    """The task events up to the one of `action` (a first report also starts the task: "start", "progress")."""
    seen = []
    while True:
        event = await stream.next_of("task")
        # Small and private-free: the id and the kind of change, nothing else.
        assert sorted(event.data) == ["action", "id"], event.data
        assert event.data["id"] == task_id, event.data
        seen.append(event.data)
        if event.data["action"] == action:
            return seen


async def test_a_task_change_reaches_the_people_who_may_see_it(live_server: LiveServer, j: Jurisdiction,
                                                             j2: Jurisdiction) -> None:
    task = await make_task(j, assignees=[j.officer], lead_unit=j.dept_sub)
    leader_board = await live_server.stream(j.leader, units=True)
    head_board = await live_server.stream(j.head, units=True)
    officer_page = await live_server.stream(j.officer, task=task["id"])
    other_head_board = await live_server.stream(j.other_head, units=True)
    other_commune = await live_server.stream(j2.leader, units=True)

    await report_progress(j.officer, task["id"], note="Đã kiểm tra 3 hộ dân", percent=30)

    for stream in (leader_board, head_board, officer_page):
        assert [e["action"] for e in await until_action(stream, task["id"], "progress")] == ["start", "progress"]
    await asyncio.sleep(QUIET)
    assert [e.event for e in other_head_board.pending()] == []
    assert [e.event for e in other_commune.pending()] == []


async def test_an_assignee_taken_off_a_task_hears_no_more_of_it(live_server: LiveServer, j: Jurisdiction) -> None:
    task = await make_task(j, assignees=[j.officer], lead_unit=j.dept)
    page = await live_server.stream(j.officer, task=task["id"])
    head_page = await live_server.stream(j.head, task=task["id"])

    # The officer is still subscribed to the task's channel, but no longer may see the task: the change that
    # takes them off, and every later one, are not theirs.
    await set_assignees(j.head, task["id"], [j.officer2.id])
    assert (await head_page.next_of("task")).data == {"id": task["id"], "action": "assignees"}
    await report_progress(j.officer2, task["id"], note="Tiếp nhận", percent=10)
    await until_action(head_page, task["id"], "progress")
    # A sentinel the officer may receive comes after: if the task events had leaked, they would be first.
    await notify(j.officer.id, "comment", "Kiểm tra")
    first = await page.next()
    assert first.event == "inbox", first


async def test_a_unit_head_hears_of_the_tasks_their_unit_coordinates(live_server: LiveServer,
                                                                   j: Jurisdiction) -> None:
    from server.tasks.services import create_task

    task = await create_task(
        j.leader, title="Phối hợp kiểm tra", lead_unit_id=j.other_dept.id, coordinating_unit_ids=[j.dept.id],
        assignee_ids=[j.other_officer.id],
    )
    head_board = await live_server.stream(j.head, units=True)
    await report_progress(j.other_officer, task["id"], note="Bắt đầu", percent=5)
    await until_action(head_board, task["id"], "progress")


async def test_the_inbox_count_reaches_its_owner_only(live_server: LiveServer, j: Jurisdiction) -> None:
    task = await make_task(j, assignees=[j.officer], lead_unit=j.dept)
    leader = await live_server.stream(j.leader)
    officer = await live_server.stream(j.officer)
    assert leader.ready.data == {"unread": 0}  # type: ignore[attr-defined]

    # Submitting asks the leader (the approver) to decide: one inbox item, announced with the new count.
    await transition(j.officer, task["id"], "submit", note="Đã xong")
    event = await leader.next_of("inbox")
    assert event.data["unread"] == 1 and isinstance(event.data["id"], int)
    await asyncio.sleep(QUIET)
    assert [e.event for e in officer.pending()] == []  # the actor is not told of their own act


async def test_a_stream_opened_later_starts_from_the_current_unread_count(live_server: LiveServer,
                                                                        j: Jurisdiction) -> None:
    await notify(j.head.id, "comment", "Một")
    await notify(j.head.id, "comment", "Hai")
    stream = await live_server.stream(j.head)
    assert stream.ready.data == {"unread": 2}  # type: ignore[attr-defined]


async def test_heartbeats_keep_an_idle_stream_open(live_server: LiveServer, j: Jurisdiction) -> None:
    stream = await live_server.stream(j.officer)
    await asyncio.sleep(1.6)  # LIVE_HEARTBEAT_SECONDS is 0.5 here
    assert stream.heartbeats >= 2
    assert not stream.closed.is_set()


async def test_shutdown_ends_every_stream_with_a_goodbye(live_server: LiveServer, j: Jurisdiction) -> None:
    stream = await live_server.stream(j.officer)
    live_server.app.state.live.end_streams()
    bye = await stream.next_of("bye")
    assert bye.data == {"reason": "shutdown"}
    await asyncio.wait_for(stream.closed.wait(), 5)


async def test_who_may_open_which_stream(live_server: LiveServer, j: Jurisdiction, j2: Jurisdiction) -> None:
    task = await make_task(j, assignees=[j.officer], lead_unit=j.dept)
    foreign = await make_task(j2, assignees=[j2.officer], lead_unit=j2.dept)
    async with httpx.AsyncClient(base_url=live_server.url, headers=API_HEADERS) as anonymous:
        response = await anonymous.get("/api/v1/live")
        assert response.status_code == 401
    officer = await live_server.client(j.officer)
    # Another commune's task, or one of this commune the officer is not on: not found, as the task itself.
    for task_id in (foreign["id"], (await make_task(j, assignees=[j.officer2]))["id"]):
        response = await officer.get("/api/v1/live", params={"task": task_id})
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "task_not_found"
    # The units' stream is for those who manage units.
    response = await officer.get("/api/v1/live", params={"units": "true"})
    assert response.status_code == 403
    stream = await live_server.stream(j.officer, task=task["id"])
    assert stream.ready.event == "ready"  # type: ignore[attr-defined]


async def test_a_unit_head_of_a_sub_unit_hears_nothing_of_the_department(live_server: LiveServer,
                                                                        j: Jurisdiction) -> None:
    sub_head = await make_person(j.dept_sub, "unit_head", "Trưởng Tổ")
    task = await make_task(j, assignees=[j.officer2], lead_unit=j.dept)
    board = await live_server.stream(sub_head, units=True)
    await report_progress(j.officer2, task["id"], note="Tiến độ", percent=50)
    await notify(sub_head.id, "comment", "Kiểm tra")
    assert (await board.next()).event == "inbox"


async def test_a_stream_is_renewed_after_its_lifetime(live_server: LiveServer, j: Jurisdiction) -> None:
    import dataclasses

    live = live_server.app.state.live
    live.config = dataclasses.replace(live.config, lifetime_seconds=0.8)
    stream = await live_server.stream(j.officer)
    bye = await stream.next_of("bye", wait=5)
    # The browser comes straight back; the person and their rights are read again on the new stream.
    assert bye.data == {"reason": "renew"}
    await asyncio.wait_for(stream.closed.wait(), 5)
