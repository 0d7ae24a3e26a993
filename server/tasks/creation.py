"""Creating a task (or a part of one) and choosing who carries it out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.audit import services as audit
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Conflict, Forbidden, Invalid
from server.lib.vn_text import fold
from server.people.services import Actor
from server.people.tables import Person
from server.tasks.access import in_scope
from server.tasks.events import task_changed
from server.tasks.lifecycle import _event, _load, _record_deadline, _update_task, transition
from server.tasks.queries import get_task
from server.tasks.rules import CLOSED_STATES, _is_manager, check_fields
from server.tasks.tables import (
    Priority,
    Task,
    TaskAssignee,
    TaskCoordinatingUnit,
    TaskSource,
    TaskState,
)
from server.units.services import open_unit_path


async def _check_people_in_unit(person_ids: list[int], unit_path: str) -> None:
    if not person_ids:
        return
    rows = await Person.select(Person.id, Person.unit.path, Person.active).where(Person.id.is_in(person_ids))
    found = {row["id"]: row for row in rows}
    for person_id in person_ids:
        row = found.get(person_id)
        if row is None or not row["active"] or not row["unit.path"].startswith(unit_path):
            raise Invalid("assignee_outside_unit", "Người thực hiện phải thuộc đơn vị chủ trì")


async def create_task(
    actor: Actor,
    *,
    title: str,
    lead_unit_id: int,
    description: str = "",
    source: str = TaskSource.ad_hoc.value,
    source_ref: str | None = None,
    directive_id: int | None = None,
    parent_id: int | None = None,
    coordinating_unit_ids: list[int] | None = None,
    assignee_ids: list[int] | None = None,
    deadline: dt.date | None = None,
    deadline_working_days: int | None = None,
    priority: str = Priority.normal.value,
    assign_now: bool = True,
) -> dict[str, Any]:
    title = (title or "").strip()
    check_fields(title, description, deadline, deadline_working_days, priority)
    if source not in {s.value for s in TaskSource}:
        raise Invalid("source_invalid", "Nguồn nhiệm vụ không hợp lệ")
    if deadline is not None and deadline < clock.today_vn():
        raise Invalid("deadline_in_past", "Hạn xử lý không được ở quá khứ")
    if not actor.manages_units:
        raise Forbidden("create_forbidden", "Bạn không có quyền giao nhiệm vụ")
    assignee_ids = sorted(set(assignee_ids or []))
    coordinating_unit_ids = sorted(set(coordinating_unit_ids or []) - {lead_unit_id})
    async with write_transaction():
        lead_path = await open_unit_path(lead_unit_id)
        if not in_scope(actor, lead_path):
            raise Invalid("lead_unit_outside_scope", "Đơn vị chủ trì nằm ngoài phạm vi của bạn")
        if parent_id is not None:
            parent = await _load(actor, parent_id)
            if parent.state in CLOSED_STATES:
                raise Conflict("parent_closed", "Nhiệm vụ gốc đã kết thúc", state=parent.row["state"])
            if not lead_path.startswith(parent.lead_unit_path):
                raise Invalid("subtask_unit_outside_parent", "Phần việc phải do đơn vị chủ trì hoặc cấp dưới làm")
            parent_deadline = parent.row["deadline"]
            if deadline is not None and parent_deadline is not None and deadline > parent_deadline:
                raise Invalid("subtask_deadline_after_parent", "Hạn của phần việc không được sau hạn của nhiệm vụ gốc")
            directive_id = directive_id or parent.row["directive"]
            source = parent.row["source"]
            source_ref = source_ref or parent.row["source_ref"]
            if deadline is None and deadline_working_days is None:
                deadline = parent_deadline
        if directive_id is not None:
            from server.directives.services import directive_exists_in_scope

            if not await directive_exists_in_scope(actor, directive_id):
                raise Invalid("directive_not_found", "Không tìm thấy văn bản chỉ đạo")
            if parent_id is None:
                source = TaskSource.directive.value
        for unit_id in coordinating_unit_ids:
            await open_unit_path(unit_id)
        await _check_people_in_unit(assignee_ids, lead_path)
        now = clock.now()
        rows = await Task.insert(
            Task(
                title=title,
                description=description.strip(),
                source=source,
                source_ref=source_ref,
                directive=directive_id,
                parent=parent_id,
                lead_unit=lead_unit_id,
                state=TaskState.draft.value,
                priority=priority,
                deadline=deadline,
                deadline_working_days=deadline_working_days,
                created_by=actor.id,
                created_at=now,
                updated_at=now,
                search_text=fold(f"{title} {description}"),
            )
        ).returning(Task.id)
        task_id = rows[0]["id"]
        for unit_id in coordinating_unit_ids:
            await TaskCoordinatingUnit.insert(TaskCoordinatingUnit(task=task_id, unit=unit_id))
        for index, person_id in enumerate(assignee_ids):
            await TaskAssignee.insert(
                TaskAssignee(task=task_id, person=person_id, is_main=index == 0, assigned_at=now)
            )
        if deadline is not None:
            await _record_deadline(task_id, actor, deadline, None, "Hạn khi giao")
        await _event(task_id, actor, "created", note=title)
        await task_changed(task_id, "create", actor_id=actor.id)
        await audit.record(
            actor_id=actor.id,
            actor_name=actor.full_name,
            action="task.create",
            entity="task",
            entity_id=task_id,
            after={
                "title": title,
                "lead_unit": lead_unit_id,
                "parent": parent_id,
                "directive": directive_id,
                "assignees": assignee_ids,
                "coordinating_units": coordinating_unit_ids,
                "deadline": deadline,
                "deadline_working_days": deadline_working_days,
            },
        )
        if assign_now:
            await transition(actor, task_id, "assign")
    return await get_task(actor, task_id)


async def set_assignees(actor: Actor, task_id: int, person_ids: list[int]) -> dict[str, Any]:
    person_ids = sorted(set(person_ids))
    async with write_transaction():
        ctx = await _load(actor, task_id)
        if not _is_manager(actor, ctx):
            raise Forbidden("assign_forbidden", "Bạn không có quyền giao việc cho nhiệm vụ này")
        if ctx.state in CLOSED_STATES:
            raise Conflict("task_closed", "Nhiệm vụ đã kết thúc", state=ctx.row["state"])
        await _check_people_in_unit(person_ids, ctx.lead_unit_path)
        now = clock.now()
        removed = ctx.assignee_ids - set(person_ids)
        added = [pid for pid in person_ids if pid not in ctx.assignee_ids]
        if removed:
            await TaskAssignee.update({TaskAssignee.removed_at: now}).where(
                (TaskAssignee.task == task_id)
                & TaskAssignee.person.is_in(sorted(removed))
                & TaskAssignee.removed_at.is_null()
            )
        for person_id in added:
            await TaskAssignee.insert(
                TaskAssignee(task=task_id, person=person_id, is_main=not ctx.assignee_ids and person_id == added[0],
                             assigned_at=now)
            )
        await _update_task(ctx, {Task.updated_at: now})
        await _event(task_id, actor, "assignees", note=", ".join(await _names(person_ids)))
        await task_changed(task_id, "assignees", actor_id=actor.id, added=added, state=ctx.row["state"])
        await audit.record(
            actor_id=actor.id,
            actor_name=actor.full_name,
            action="task.assignees",
            entity="task",
            entity_id=task_id,
            before=sorted(ctx.assignee_ids),
            after=person_ids,
        )
    return await get_task(actor, task_id)


async def _names(person_ids: list[int]) -> list[str]:
    if not person_ids:
        return []
    rows = await Person.select(Person.full_name).where(Person.id.is_in(person_ids)).order_by(Person.full_name)
    return [row["full_name"] for row in rows]
