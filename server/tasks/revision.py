"""Correcting a task nobody has started, as its source was corrected: its title, description, deadline, lead unit,
coordinating units and priority.

A directive corrected by the document system that sent it (server/machine/importing.py) changes the tasks it
brought, but only those still waiting (draft, or assigned and not started, and not divided among parts): once an
officer works on a task, or its unit head has split it, what they were asked stays as it was, and the answer to
the sender says so. A task given to another lead unit leaves the people of the former unit it was assigned to;
the kept counts (server/kpi/counts.py) and the open pages follow it through the task's event.

What a correction writes in the task's history and its deadline record is a code, the correction's number and
the fields it changed (`directive_revision:3:lead_unit,priority`), said in the reader's language when read
(`shown_note`); entries written before the code hold the Vietnamese text itself and are read the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from server.audit import services as audit
from server.holidays import services as holidays
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Conflict, Forbidden, Invalid
from server.lib.i18n import gettext as _
from server.lib.vn_text import fold
from server.people.services import Actor
from server.people.tables import Person
from server.tasks import access
from server.tasks.events import task_changed
from server.tasks.lifecycle import _event, _load, _record_deadline, _update_task
from server.tasks.rules import TaskContext, _is_manager, check_fields
from server.tasks.tables import Task, TaskAssignee, TaskCoordinatingUnit, TaskState
from server.units.services import open_unit_path
from server.units.tables import Unit

UNSTARTED = frozenset({TaskState.draft.value, TaskState.assigned.value})
REVISED = "revised"  # the history entry's kind
NOTE_TEXT = "Văn bản được đính chính (lần {n})"
NOTE_WITH_FIELDS = "Văn bản được đính chính (lần {n}), thay đổi: {fields}"
_CODED = re.compile(r"directive_revision:(\d+)(?::([a-z_,]*))?")
_WRITTEN = re.compile(r"Văn bản được đính chính \(lần (\d+)\)")  # before the code: the text itself
# What a correction may change, as people read it (the history, and the desk's account of a directive's
# corrections); the messages are the desk's own (Vietnamese ids, English in the catalogs).
FIELD_NAMES = {
    "title": "Tên nhiệm vụ", "description": "Nội dung", "deadline": "Hạn xử lý", "deadline_working_days": "Hạn xử lý",
    "lead_unit": "Đơn vị chủ trì", "coordinating_units": "Đơn vị phối hợp", "priority": "Mức độ ưu tiên",
    "assignees": "Người thực hiện",
}


def is_unstarted(state: str) -> bool:
    return state in UNSTARTED


def note_code(revision: int, fields: list[str] | None = None) -> str:
    """What is stored: the correction's number and, in the history, the fields it changed."""
    return f"directive_revision:{revision}" + (f":{','.join(fields)}" if fields else "")


def field_names(fields: Iterable[str]) -> list[str]:
    """The fields in the reader's language, each once, in FIELD_NAMES' order."""
    wanted = set(fields)
    return list(dict.fromkeys(_(label) for name, label in FIELD_NAMES.items() if name in wanted))


def shown_note(note: str) -> str:
    """A history note or a deadline's reason as the reader reads it: a correction's in their language, any
    other as it was written."""
    found = _CODED.fullmatch(note or "") or _WRITTEN.fullmatch(note or "")
    if found is None:
        return note
    number = int(found.group(1))
    names = field_names((found.group(2) or "").split(",")) if found.re is _CODED else []
    return _(NOTE_WITH_FIELDS, n=number, fields=", ".join(names)) if names else _(NOTE_TEXT, n=number)


async def unstarted(states: dict[int, str]) -> set[int]:
    """Which of the tasks (id -> state, as the caller read them) a correction may still change: not started, and
    not split among parts."""
    waiting = {task_id for task_id, state in states.items() if is_unstarted(state)}
    split = await Task.select(Task.parent).where(Task.parent.is_in(sorted(waiting) or [0])
                                                  & (Task.state != TaskState.cancelled.value))
    return waiting - {row["parent"] for row in split}


async def _lead_path(actor: Actor, ctx: TaskContext, unit_id: int) -> str:
    """The new lead unit's path: an open unit the actor manages, within the parent's unit for a part."""
    path = await open_unit_path(unit_id)
    if not access.in_scope(actor, path):
        raise Invalid("lead_unit_outside_scope", "Đơn vị chủ trì nằm ngoài phạm vi của bạn")
    if ctx.parent_lead_unit_path is not None and not path.startswith(ctx.parent_lead_unit_path):
        raise Invalid("subtask_unit_outside_parent", "Phần việc phải do đơn vị chủ trì hoặc cấp dưới làm")
    return path


async def _coordinating(task_id: int) -> list[int]:
    rows = await TaskCoordinatingUnit.select(TaskCoordinatingUnit.unit).where(TaskCoordinatingUnit.task == task_id)
    return sorted({row["unit"] for row in rows})


async def _set_coordinating(task_id: int, before: list[int], after: list[int]) -> None:
    gone = sorted(set(before) - set(after))
    if gone:
        await TaskCoordinatingUnit.delete().where(
            (TaskCoordinatingUnit.task == task_id) & TaskCoordinatingUnit.unit.is_in(gone))
    added = sorted(set(after) - set(before))
    found = await Unit.select(Unit.id).where(Unit.id.is_in(added or [0]) & Unit.active.eq(True))
    if len(found) != len(added):
        raise Invalid("unit_not_found", "Không tìm thấy đơn vị")
    for unit_id in added:
        await TaskCoordinatingUnit.insert(TaskCoordinatingUnit(task=task_id, unit=unit_id))


async def _leave_former_unit(task_id: int, assignee_ids: set[int], lead_path: str) -> list[int]:
    """The people assigned who are not of the new lead unit stop being assigned; returns who they were."""
    if not assignee_ids:
        return []
    rows = await Person.select(Person.id, Person.unit.path).where(Person.id.is_in(sorted(assignee_ids)))
    gone = sorted(row["id"] for row in rows if not (row["unit.path"] or "").startswith(lead_path))
    if gone:
        await TaskAssignee.update({TaskAssignee.removed_at: clock.now()}).where(
            (TaskAssignee.task == task_id) & TaskAssignee.person.is_in(gone) & TaskAssignee.removed_at.is_null())
    return gone


async def revise_unstarted(
    actor: Actor,
    task_id: int,
    *,
    title: str,
    description: str,
    deadline: dt.date | None,
    deadline_working_days: int | None,
    lead_unit_id: int,
    coordinating_unit_ids: list[int],
    priority: str,
    revision: int,
) -> dict[str, dict[str, Any]]:
    """Apply what differs; returns {field: {before, after}} (empty when nothing did), the units by id. A deadline
    in working days counts from the day the task was assigned, as it did when it was given."""
    title, description = (title or "").strip(), (description or "").strip()
    check_fields(title, description, deadline, deadline_working_days, priority)
    coordinating = sorted(set(coordinating_unit_ids) - {lead_unit_id})
    async with write_transaction():
        ctx = await _load(actor, task_id)
        if not _is_manager(actor, ctx):
            raise Forbidden("action_forbidden", "Bạn không có quyền thực hiện thao tác này")
        row = ctx.row
        if task_id not in await unstarted({task_id: row["state"]}):
            raise Conflict("task_started", "Nhiệm vụ đã bắt đầu thực hiện; không sửa theo văn bản nữa",
                           state=row["state"])
        if deadline_working_days is not None and (row["assigned_at"] or row["state"] != TaskState.draft.value):
            start = clock.local_date(row["assigned_at"] or clock.now())
            deadline = (await holidays.load_calendar()).add_working_days(start, deadline_working_days)
        if deadline is not None and deadline < clock.today_vn() and deadline != row["deadline"]:
            raise Invalid("deadline_in_past", "Hạn xử lý không được ở quá khứ")
        changed: dict[str, dict[str, Any]] = {}
        updates: dict[Any, Any] = {}
        for name, column, value in (("title", Task.title, title), ("description", Task.description, description),
                                    ("deadline", Task.deadline, deadline),
                                    ("deadline_working_days", Task.deadline_working_days, deadline_working_days),
                                    ("priority", Task.priority, priority), ("lead_unit", Task.lead_unit, lead_unit_id)):
            if value != row[name]:
                changed[name] = {"before": row[name], "after": value}
                updates[column] = value
        if "title" in changed or "description" in changed:
            updates[Task.search_text] = fold(f"{title} {description}")
        before_coordinating = await _coordinating(task_id)
        if coordinating != before_coordinating:
            changed["coordinating_units"] = {"before": before_coordinating, "after": coordinating}
        if not changed:
            return {}
        left = await _apply(actor, ctx, changed, updates, revision)
    if left:  # how many, not who: the sender's system knows no person of ours
        changed["assignees"] = {"before": len(ctx.assignee_ids), "after": len(ctx.assignee_ids) - len(left)}
    return changed


async def _apply(
    actor: Actor, ctx: TaskContext, changed: dict[str, dict[str, Any]], updates: dict[Any, Any], revision: int
) -> list[int]:
    """Write the revision; returns the people no longer assigned (not of the new lead unit)."""
    task_id, row = ctx.row["id"], ctx.row
    left: list[int] = []
    if "lead_unit" in changed:
        left = await _leave_former_unit(task_id, ctx.assignee_ids,
                                        await _lead_path(actor, ctx, changed["lead_unit"]["after"]))
    if "coordinating_units" in changed:
        await _set_coordinating(task_id, changed["coordinating_units"]["before"],
                                changed["coordinating_units"]["after"])
    if "deadline" in changed and changed["deadline"]["after"] is not None:
        await _record_deadline(task_id, actor, changed["deadline"]["after"], row["deadline"], note_code(revision))
    await _update_task(ctx, {**updates, Task.updated_at: clock.now()})
    await _event(task_id, actor, REVISED, note=note_code(revision, [*changed, *(["assignees"] if left else [])]))
    # "deadline": the kept counts and the open pages follow a task whose deadline moved; any other action but
    # the few kpi leaves alone refreshes its count too, so a new lead unit counts the task from now on.
    await task_changed(task_id, "deadline" if "deadline" in changed else REVISED, actor_id=actor.id)
    before = {name: value["before"] for name, value in changed.items()}
    after = {name: value["after"] for name, value in changed.items()}
    if left:
        before["assignees"] = sorted(ctx.assignee_ids)
        after["assignees"] = sorted(ctx.assignee_ids - set(left))
    await audit.record(actor_id=actor.id, actor_name=actor.full_name, action="task.revise", entity="task",
                       entity_id=task_id, before=before, after=after)
    return left
