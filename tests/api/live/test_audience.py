"""The streams decide in memory who may see a task; that decision must be the tasks domain's own
(server/tasks/access.py, as task_ids_visible applies it in SQL) for every role and every kind of task."""

from __future__ import annotations

from server.live.services import Audience, task_audience, units_on_path
from server.tasks.services import create_task, set_assignees, task_ids_visible
from tests.factories import make_jurisdiction, make_person, make_task


async def test_the_streams_filter_agrees_with_task_visibility() -> None:
    j, j2 = await make_jurisdiction(), await make_jurisdiction()
    sub_head = await make_person(j.dept_sub, "unit_head", "Trưởng Tổ")
    tasks = [
        await make_task(j, assignees=[j.officer], lead_unit=j.dept),
        await make_task(j, assignees=[j.officer], lead_unit=j.dept_sub),
        await make_task(j, assignees=[j.other_officer], lead_unit=j.other_dept),
        await create_task(j.leader, title="Phối hợp", lead_unit_id=j.other_dept.id,
                          coordinating_unit_ids=[j.dept.id], assignee_ids=[j.other_officer.id]),
        await make_task(j2, assignees=[j2.officer], lead_unit=j2.dept),
    ]
    taken_off = await make_task(j, assignees=[j.officer], lead_unit=j.dept)
    await set_assignees(j.head, taken_off["id"], [j.officer2.id])
    tasks.append(taken_off)
    ids = [t["id"] for t in tasks]
    audiences = {task_id: await task_audience(task_id) for task_id in ids}
    people = [j.leader, j.head, sub_head, j.officer, j.officer2, j.other_head, j.other_officer, j.admin,
              j.receptionist, j2.leader, j2.head, j2.officer]
    checked = 0
    for person in people:
        in_sql = await task_ids_visible(person, ids)
        in_memory = {task_id for task_id, audience in audiences.items() if audience and audience.visible_to(person)}
        assert in_memory == in_sql, (person.username, person.role, sorted(in_memory), sorted(in_sql))
        checked += len(in_sql)
    assert checked >= 15, "the cases must include many visible tasks, not only hidden ones"


async def test_a_task_is_published_to_its_units_and_their_ancestors() -> None:
    audience = Audience(task_id=7, lead_path="/1/4/9/", coordinating_paths=("/1/5/",), assignee_ids=frozenset({3}))
    assert audience.channels() == ["task.7", "unit.1", "unit.4", "unit.5", "unit.9"]
    assert units_on_path("/12/") == [12]
    # What crosses Redis carries the audience; what the browser receives does not (see for_stream).
    assert Audience.from_message(audience.message("progress")) == audience
