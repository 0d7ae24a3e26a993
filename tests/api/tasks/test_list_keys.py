"""The sort keys the lists read from task_assignees and task_coordinating_units (kept by the database's triggers,
migration tasks_2026_12_07t00_00_00) follow their task: a new link, a change of state, a new deadline.

Without a filter the assigned and coordinated branches read those keys; with a filter they read the tasks
themselves. A filter on every state lets the same list through both ways: the same tasks in the same order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.lib import clock
from server.tasks import queries
from server.tasks import services as tasks
from server.tasks.tables import Task, TaskState
from tests.api.tasks.test_list_sql import _province

EVERY_STATE = [state.value for state in TaskState]


async def _both_ways(actor: Any, view: str) -> list[int]:
    keyed = [item["id"] for item in (await queries.list_tasks(actor, view=view, limit=200))["items"]]
    probed = [item["id"] for item in
              (await queries.list_tasks(actor, view=view, limit=200, states=EVERY_STATE))["items"]]
    assert keyed == probed, (actor.id, view)
    for offset in range(0, len(keyed), 2):
        page = await queries.list_tasks(actor, view=view, limit=2, offset=offset)
        assert [item["id"] for item in page["items"]] == keyed[offset:offset + 2]
    return keyed


async def _links_follow_their_tasks() -> None:
    for link in ("task_assignees", "task_coordinating_units"):
        wrong = await Task.raw(
            f"SELECT l.task FROM {link} l JOIN tasks t ON t.id = l.task"
            " WHERE l.list_closed <> CASE WHEN t.state IN ('done', 'cancelled') THEN 1 ELSE 0 END"
            " OR l.list_nodl <> CASE WHEN t.deadline IS NULL THEN 1 ELSE 0 END"
            " OR COALESCE(l.list_deadline, '1900-01-01') <> COALESCE(t.deadline, '1900-01-01')"
        )
        assert wrong == [], link


async def test_the_links_keys_follow_their_task(j) -> None:  # type: ignore[no-untyped-def]
    made = await _province(j)
    today = clock.today_vn()
    await _links_follow_their_tasks()
    people = (j.officer, j.officer2, j.head, j.other_head, j.other_officer, j.leader)
    before = {actor.id: await _both_ways(actor, "mine") for actor in people}
    for actor in people:
        await _both_ways(actor, "scope")
    # A new deadline moves a task to the top of an officer's list; a cancelled task moves to the closed ones.
    await Task.update({Task.deadline: today - dt.timedelta(days=30)}).where(Task.id == made[7]["id"])
    await tasks.transition(j.leader, made[5]["id"], "cancel", reason="Không còn cần")
    await Task.update({Task.deadline: None}).where(Task.id == made[3]["id"])
    # A link added after the task: someone assigned later, a unit asked to coordinate later.
    extra = await tasks.create_task(j.leader, title="Việc giao sau", lead_unit_id=j.dept.id,
                                    assignee_ids=[j.officer2.id], coordinating_unit_ids=[j.other_dept.id],
                                    deadline=today + dt.timedelta(days=1))
    await _links_follow_their_tasks()
    after = await _both_ways(j.officer, "mine")
    assert after != before[j.officer.id] and after[0] == made[7]["id"]
    assert extra["id"] in await _both_ways(j.officer2, "mine")
    assert extra["id"] in await _both_ways(j.other_head, "scope")
    for actor in people:
        await _both_ways(actor, "mine")
        await _both_ways(actor, "scope")
