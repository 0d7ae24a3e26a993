"""Correcting a task nobody has started: its title, description and deadline, as its source was corrected.

A directive corrected by the document system that sent it (server/machine/importing.py) changes the tasks it
brought, but only those still waiting (draft, or assigned and not started): once an officer works on a task,
what they were asked stays as it was, and the answer to the sender says so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.audit import services as audit
from server.holidays import services as holidays
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Conflict, Forbidden, Invalid
from server.lib.vn_text import fold
from server.people.services import Actor
from server.tasks.events import task_changed
from server.tasks.lifecycle import _event, _load, _record_deadline, _update_task
from server.tasks.rules import MAX_TEXT, MAX_TITLE, MAX_WORKING_DAYS, _is_manager
from server.tasks.tables import Task, TaskState

UNSTARTED = frozenset({TaskState.draft.value, TaskState.assigned.value})


def is_unstarted(state: str) -> bool:
    return state in UNSTARTED


async def revise_unstarted(
    actor: Actor,
    task_id: int,
    *,
    title: str,
    description: str,
    deadline: dt.date | None,
    deadline_working_days: int | None,
    reason: str,
) -> dict[str, dict[str, Any]]:
    """Apply what differs; returns {field: {before, after}} (empty when nothing did). A deadline in working
    days counts from the day the task was assigned, as it did when it was given."""
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        raise Invalid("title_required", "Cần nhập tên nhiệm vụ")
    if len(title) > MAX_TITLE or len(description) > MAX_TEXT:
        raise Invalid("text_too_long", "Nội dung quá dài")
    if deadline is not None and deadline_working_days is not None:
        raise Invalid("deadline_ambiguous", "Chỉ chọn một cách đặt hạn: ngày cụ thể hoặc số ngày làm việc")
    if deadline_working_days is not None and not 1 <= deadline_working_days <= MAX_WORKING_DAYS:
        raise Invalid("deadline_days_invalid", "Số ngày làm việc phải từ 1 đến 365")
    async with write_transaction():
        ctx = await _load(actor, task_id)
        if not _is_manager(actor, ctx):
            raise Forbidden("action_forbidden", "Bạn không có quyền thực hiện thao tác này")
        row = ctx.row
        if not is_unstarted(row["state"]):
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
                                    ("deadline_working_days", Task.deadline_working_days, deadline_working_days)):
            if value != row[name]:
                changed[name] = {"before": row[name], "after": value}
                updates[column] = value
        if not changed:
            return {}
        if "title" in changed or "description" in changed:
            updates[Task.search_text] = fold(f"{title} {description}")
        if "deadline" in changed and deadline is not None:
            await _record_deadline(task_id, actor, deadline, row["deadline"], reason)
        await _update_task(ctx, {**updates, Task.updated_at: clock.now()})
        await _event(task_id, actor, "revised", note=reason)
        # "deadline": the kept counts and the open pages follow a task whose deadline moved.
        await task_changed(task_id, "deadline" if "deadline" in changed else "revised", actor_id=actor.id)
        await audit.record(actor_id=actor.id, actor_name=actor.full_name, action="task.revise", entity="task",
                           entity_id=task_id, before={k: v["before"] for k, v in changed.items()},
                           after={k: v["after"] for k, v in changed.items()})
    return changed
