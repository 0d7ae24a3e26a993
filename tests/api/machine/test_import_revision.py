"""A corrected resend of an imported directive: a task nobody has started takes its new lead unit, coordinating
units and priority (not only its title and deadline), its history says so in the reader's language, and the
kept counts follow it; a started or split task keeps all of it."""

from __future__ import annotations

from typing import Any

from server.kpi import counts
from server.lib import clock
from server.tasks import services as tasks
from server.tasks.tables import Task, TaskAssignee, TaskCoordinatingUnit, TaskDeadline, TaskEvent
from tests.api.machine.helpers import import_files, make_key, metadata, system
from tests.factories import Jurisdiction, unique

NOTE_VI = "Văn bản được đính chính (lần 1), thay đổi: Đơn vị chủ trì, Đơn vị phối hợp, Mức độ ưu tiên, Người thực hiện"
NOTE_EN = "The directive was corrected (correction 1); changed: Lead unit, Coordinating units, Priority, Assignee"


async def _imported(j: Jurisdiction, client_for: Any) -> tuple[Any, dict[str, Any], int, dict[str, int]]:
    sender = await system(client_for, (await make_key(client_for, j, ["directives:write", "tasks:read"]))["key"])
    meta = metadata(j, unique("22/CT-"))
    first = await sender.post("/api/v1/import/directives", files=import_files(meta))
    assert first.status_code == 201, first.text
    return sender, meta, first.json()["directive_id"], {t["ref"]: t["task_id"] for t in first.json()["tasks"]}


def _corrected(meta: dict[str, Any], j: Jurisdiction) -> dict[str, Any]:
    """Task 1 goes to the other department (its former lead unit coordinates) and is urgent; task 2 gets a
    coordinating unit and a high priority; task 3 is sent as it was."""
    tasks_sent = [dict(t) for t in meta["tasks"]]
    tasks_sent[0].update(lead_unit=j.other_dept.code, coordinating_units=[j.dept.code], priority="urgent")
    tasks_sent[1].update(coordinating_units=[j.other_dept.code], priority="high")
    return {**meta, "tasks": tasks_sent}


async def test_an_unstarted_task_takes_its_new_lead_unit_coordinating_units_and_priority(j, client_for) -> None:
    await counts.rebuild()  # the kept counts are "built": from here on only the task writes keep them
    sender, meta, directive_id, ids = await _imported(j, client_for)
    # The department's head chose an officer for task 1 before the correction came: the officer stays behind.
    await tasks.set_assignees(j.head, ids["1"], [j.officer2.id])
    corrected = _corrected(meta, j)
    answer = await sender.post("/api/v1/import/directives", files=import_files(corrected))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "revised" and body["revision"] == 1
    by_ref = {t["ref"]: t for t in body["tasks"]}
    assert by_ref["1"]["action"] == "updated" and by_ref["1"]["changes"] == {
        "lead_unit": {"before": j.dept.code, "after": j.other_dept.code},
        "coordinating_units": {"before": [j.other_dept.code], "after": [j.dept.code]},
        "priority": {"before": "normal", "after": "urgent"},
        "assignees": {"before": 1, "after": 0},  # the officer of the former unit is taken off: the sender is told
    }
    assert by_ref["2"]["action"] == "updated" and by_ref["2"]["changes"] == {
        "coordinating_units": {"before": [], "after": [j.other_dept.code]},
        "priority": {"before": "normal", "after": "high"},
    }
    assert by_ref["3"]["action"] == "unchanged"

    rows = {r["id"]: r for r in await Task.select(Task.id, Task.lead_unit, Task.priority).where(
        Task.id.is_in(list(ids.values())))}
    assert (rows[ids["1"]]["lead_unit"], rows[ids["1"]]["priority"]) == (j.other_dept.id, "urgent")
    assert (rows[ids["2"]]["lead_unit"], rows[ids["2"]]["priority"]) == (j.dept_sub.id, "high")
    coordinating = await TaskCoordinatingUnit.select(TaskCoordinatingUnit.task, TaskCoordinatingUnit.unit).where(
        TaskCoordinatingUnit.task.is_in([ids["1"], ids["2"]]))
    assert sorted((c["task"], c["unit"]) for c in coordinating) == sorted(
        [(ids["1"], j.dept.id), (ids["2"], j.other_dept.id)])
    assignees = await TaskAssignee.select(TaskAssignee.removed_at).where(
        (TaskAssignee.task == ids["1"]) & (TaskAssignee.person == j.officer2.id))
    assert len(assignees) == 1 and assignees[0]["removed_at"] is not None
    # The kept counts count task 1 under its new lead unit, and agree with the tasks.
    facts = await Task.raw("SELECT unit FROM kpi_task_facts WHERE task = {}", ids["1"])
    assert [f["unit"] for f in facts] == [j.other_dept.id]
    assert await counts.differences() == 0

    again = await sender.post("/api/v1/import/directives", files=import_files(corrected))
    assert again.json() == {"status": "unchanged", "directive_id": directive_id, "revision": 1}

    # The new unit's head sees the task and reads in its history what the correction changed, in either language.
    head = await client_for(j.other_head)
    history = (await head.get(f"/api/v1/tasks/{ids['1']}")).json()["history"]
    assert [e["note"] for e in history if e["kind"] == "revised"] == [NOTE_VI]
    english = (await head.get(f"/api/v1/tasks/{ids['1']}?lang=en")).json()["history"]
    assert [e["note"] for e in english if e["kind"] == "revised"] == [NOTE_EN]
    desk = await client_for(j.other_head, headers={})
    page = (await desk.get(f"/tasks/{ids['1']}?lang=en")).text
    assert "Corrected with the directive" in page and NOTE_EN in page
    assert "revised" not in page.replace("ev-revised", "")  # the history's label, not the entry's kind

    # The leader's page of the directive says which fields of the unstarted tasks the correction changed.
    leader = await client_for(j.leader, headers={})
    page = (await leader.get(f"/directives/{directive_id}")).text
    assert "Cập nhật 2 nhiệm vụ chưa bắt đầu: Đơn vị chủ trì, Đơn vị phối hợp, Mức độ ưu tiên" in page
    page = (await leader.get(f"/directives/{directive_id}?lang=en")).text
    assert "2 task(s) not yet started updated: Lead unit, Coordinating units, Priority" in page


async def test_a_started_or_split_task_keeps_its_units_and_priority(j, client_for) -> None:
    sender, meta, _directive_id, ids = await _imported(j, client_for)
    await Task.update({Task.state: "in_progress"}).where(Task.id == ids["1"])
    # Task 2 is still waiting, but its unit's head has split it among a part: the work is divided already.
    part = await tasks.create_task(j.head, title="Kiểm kê kho vật tư", lead_unit_id=j.dept_sub.id,
                                   parent_id=ids["2"])
    answer = await sender.post("/api/v1/import/directives", files=import_files(_corrected(meta, j)))
    assert answer.status_code == 200, answer.text
    by_ref = {t["ref"]: t for t in answer.json()["tasks"]}
    assert (by_ref["1"]["action"], by_ref["1"]["state"]) == ("kept_started", "in_progress")
    assert (by_ref["2"]["action"], by_ref["2"]["state"]) == ("kept_started", "assigned")
    rows = {r["id"]: r for r in await Task.select(Task.id, Task.lead_unit, Task.priority).where(
        Task.id.is_in([ids["1"], ids["2"], part["id"]]))}
    assert (rows[ids["1"]]["lead_unit"], rows[ids["1"]]["priority"]) == (j.dept.id, "normal")
    assert (rows[ids["2"]]["lead_unit"], rows[ids["2"]]["priority"]) == (j.dept_sub.id, "normal")
    assert not await TaskEvent.exists().where(
        TaskEvent.task.is_in([ids["1"], ids["2"]]) & (TaskEvent.kind == "revised"))


async def test_a_bad_priority_in_a_correction_leaves_everything_as_it_was(j, client_for) -> None:
    sender, meta, _directive_id, ids = await _imported(j, client_for)
    corrected = _corrected(meta, j)
    corrected["tasks"][1]["priority"] = "very-high"
    answer = await sender.post("/api/v1/import/directives", files=import_files(corrected))
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "priority_invalid", answer.text
    row = await Task.select(Task.lead_unit, Task.priority).where(Task.id == ids["1"]).first()
    assert row == {"lead_unit": j.dept.id, "priority": "normal"}


async def test_a_correction_written_before_the_code_reads_in_the_readers_language(j, client_for) -> None:
    """Entries written with the Vietnamese text itself (before the code) read as the coded ones do."""
    _sender, _meta, _directive_id, ids = await _imported(j, client_for)
    written = "Văn bản được đính chính (lần 2)"
    await TaskEvent.insert(TaskEvent(task=ids["3"], kind="revised", note=written, received_at=clock.now()))
    deadline = (await Task.select(Task.deadline).where(Task.id == ids["3"]).first())["deadline"]
    await TaskDeadline.insert(TaskDeadline(task=ids["3"], deadline=deadline, previous=deadline, reason=written,
                                           set_at=clock.now()))
    head = await client_for(j.other_head)
    for lang, text in (("vi", written), ("en", "The directive was corrected (correction 2)")):
        task = (await head.get(f"/api/v1/tasks/{ids['3']}?lang={lang}")).json()
        assert [e["note"] for e in task["history"] if e["kind"] == "revised"] == [text]
        assert task["deadlines"][-1]["reason"] == text
