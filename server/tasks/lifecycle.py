"""The one state mutator, `transition()`, and what every write of a task shares: loading the task with the
rules' context, the versioned update, the history entry and the deadline record.

Every write runs in `write_transaction()` and appends to the audit log in the same transaction, so a change
and its audit entry exist together or not at all; its side effects leave through server/tasks/events.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.audit import services as audit
from server.holidays.services import load_calendar
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Conflict, Forbidden, Invalid, NotFound
from server.people.services import Actor
from server.tasks.access import visibility_sql
from server.tasks.events import task_changed
from server.tasks.parts import PARTS_DONE, STARTED, check_public_choice, parts_percent
from server.tasks.rules import CLOSED_STATES, MAX_TEXT, RULES, TaskContext, _allowed, _captured
from server.tasks.tables import (
    ExtensionRequest,
    ExtensionState,
    Task,
    TaskAssignee,
    TaskDeadline,
    TaskEvent,
    TaskState,
)


async def _visible(actor: Actor, task_id: int) -> bool:
    predicate, args = visibility_sql(actor)
    rows = await Task.raw(f"SELECT t.id FROM tasks t WHERE t.id = {{}} AND {predicate}", task_id, *args)
    return bool(rows)


async def _load(actor: Actor, task_id: int, *, check_visible: bool = True) -> TaskContext:
    if check_visible and not await _visible(actor, task_id):
        raise NotFound("task_not_found", "Không tìm thấy nhiệm vụ")
    row = await Task.select(Task.all_columns(), Task.lead_unit.path, Task.parent.lead_unit.path).where(
        Task.id == task_id
    ).first()
    if row is None:  # pragma: no cover - visibility just found it
        raise NotFound("task_not_found", "Không tìm thấy nhiệm vụ")
    assignees = await TaskAssignee.select(TaskAssignee.person).where(
        (TaskAssignee.task == task_id) & TaskAssignee.removed_at.is_null()
    )
    return TaskContext(
        row=row,
        lead_unit_path=row["lead_unit.path"],
        parent_lead_unit_path=row["parent.lead_unit.path"],
        assignee_ids={a["person"] for a in assignees},
    )


async def get_visible(actor: Actor, task_id: int) -> None:
    """Not found unless the actor may see the task (a check for the routes that serve what hangs off it)."""
    if not await _visible(actor, task_id):
        raise NotFound("task_not_found", "Không tìm thấy nhiệm vụ")


def _snapshot(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("state", "deadline", "version", "submitted_at", "completed_at", "cancelled_reason", "progress_percent")
    return {key: row.get(key) for key in keys}


async def _event(
    task_id: int,
    actor: Actor | None,
    kind: str,
    *,
    note: str = "",
    from_state: str | None = None,
    to_state: str | None = None,
    refused: bool = False,
    captured_at: dt.datetime | None = None,
    progress_report: int | None = None,
) -> None:
    await TaskEvent.insert(
        TaskEvent(
            task=task_id,
            kind=kind,
            from_state=from_state,
            to_state=to_state,
            actor=actor.id if actor else None,
            note=note,
            refused=refused,
            progress_report=progress_report,
            captured_at=captured_at,
            received_at=clock.now(),
        )
    )


async def transition(
    actor: Actor,
    task_id: int,
    action: str,
    *,
    note: str = "",
    reason: str = "",
    expected_version: int | None = None,
    captured_at: dt.datetime | None = None,
    via_part: int | None = None,
    public_photo_ids: list[int] | None = None,
) -> dict[str, Any]:
    """`via_part`: a parent starts because its part did (follow_parent), whoever reported on the part.
    `public_photo_ids`: on approval of a task from a citizen's report, the evidence photos to publish."""
    rule = RULES.get(action)
    if rule is None:
        raise Invalid("action_unknown", "Thao tác không hợp lệ")
    reason = (reason or "").strip()
    if rule.reason_required and not reason:
        raise Invalid("reason_required", "Cần nêu lý do")
    if len(note) > MAX_TEXT or len(reason) > MAX_TEXT:
        raise Invalid("text_too_long", "Nội dung quá dài")
    if via_part is not None and action != "start":
        raise Invalid("action_unknown", "Thao tác không hợp lệ")
    async with write_transaction():
        # A part's officer may not see its parent; the parent's start follows from the part's, not from them.
        ctx = await _load(actor, task_id, check_visible=via_part is None)
        if via_part is None and not _allowed(actor, ctx, rule.who):
            raise Forbidden("action_forbidden", "Bạn không có quyền thực hiện thao tác này")
        if public_photo_ids is not None and action == "approve":
            public_photo_ids = await check_public_choice(task_id, public_photo_ids)
        if expected_version is not None and expected_version != ctx.row["version"]:
            raise Conflict(
                "stale_version",
                "Nhiệm vụ đã được thay đổi trước đó; hãy xem trạng thái hiện tại",
                state=ctx.row["state"],
                version=ctx.row["version"],
            )
        if ctx.state not in rule.sources:
            raise Conflict(
                "transition_not_allowed",
                "Thao tác không còn hợp lệ với trạng thái hiện tại của nhiệm vụ",
                state=ctx.row["state"],
                version=ctx.row["version"],
            )
        now = clock.now()
        changes: dict[Any, Any] = {Task.state: rule.target.value, Task.updated_at: now}
        if action == "assign":
            changes[Task.assigned_at] = now
            if ctx.row["deadline"] is None and ctx.row["deadline_working_days"]:
                calendar = await load_calendar()
                deadline = calendar.add_working_days(clock.local_date(now), ctx.row["deadline_working_days"])
                changes[Task.deadline] = deadline
                await _record_deadline(task_id, actor, deadline, None, "Hạn tính theo ngày làm việc khi giao")
        elif action == "submit":
            changes[Task.submitted_at] = _captured(captured_at, now)
        elif action == "approve":
            changes[Task.completed_at] = ctx.row["submitted_at"]
            changes[Task.approved_at] = now
            changes[Task.approved_by] = actor.id
            changes[Task.progress_percent] = 100
        elif action == "return":
            changes[Task.completed_at] = None
        elif action == "cancel":
            changes[Task.cancelled_reason] = reason
        if rule.target in CLOSED_STATES:
            await ExtensionRequest.update(
                {ExtensionRequest.state: ExtensionState.rejected.value, ExtensionRequest.decided_by: actor.id,
                 ExtensionRequest.decided_at: now, ExtensionRequest.decision_note: "Nhiệm vụ đã kết thúc"}
            ).where((ExtensionRequest.task == task_id) & (ExtensionRequest.state == ExtensionState.pending.value))
        await _update_task(ctx, changes)
        if via_part is not None:
            part = await Task.select(Task.title).where(Task.id == via_part).first()
            note = f"Phần việc bắt đầu: {part['title'] if part else via_part}"
        await _event(
            task_id,
            actor,
            "transition",
            note="\n".join(part for part in (reason, note.strip()) if part),
            from_state=ctx.row["state"],
            to_state=rule.target.value,
            captured_at=clock.as_utc(captured_at) if captured_at else None,
        )
        # Who is told, the dashboard's counts, live pages, a citizen's public answer: the listeners' business.
        await task_changed(task_id, action, actor_id=actor.id, reason=reason, public_photo_ids=public_photo_ids)
        after = await Task.select().where(Task.id == task_id).first()
        await audit.record(
            actor_id=actor.id,
            actor_name=actor.full_name,
            action=f"task.{action}",
            entity="task",
            entity_id=task_id,
            before=_snapshot(ctx.row),
            after=_snapshot(after or {}),
        )
        if ctx.row["parent"] is not None:
            await follow_parent(actor, task_id)
    return {"id": task_id, "state": rule.target.value, "version": ctx.row["version"] + 1}


async def _update_task(ctx: TaskContext, changes: dict[Any, Any]) -> None:
    """Write a change of the task only if nobody changed it since it was read (its version is unchanged).

    On PostgreSQL two concurrent writers both read version n; the second's UPDATE waits for the first to
    commit, then finds version n+1 and matches nothing: it is refused instead of silently overwriting.
    """
    rows = await Task.update({**changes, Task.version: ctx.row["version"] + 1}).where(
        (Task.id == ctx.row["id"]) & (Task.version == ctx.row["version"])
    ).returning(Task.id)
    if not rows:
        current = await Task.select(Task.state, Task.version).where(Task.id == ctx.row["id"]).first() or {}
        raise Conflict(
            "stale_version",
            "Nhiệm vụ đã được thay đổi trước đó; hãy xem trạng thái hiện tại",
            state=current.get("state"),
            version=current.get("version"),
        )


async def _record_deadline(
    task_id: int, actor: Actor | None, deadline: dt.date, previous: dt.date | None, reason: str
) -> None:
    await TaskDeadline.insert(
        TaskDeadline(
            task=task_id,
            deadline=deadline,
            previous=previous,
            reason=reason,
            set_by=actor.id if actor else None,
            set_at=clock.now(),
        )
    )


async def follow_parent(actor: Actor, task_id: int) -> None:
    """After a change of a part (inside its write transaction): the parent's progress, its state (through
    transition, the one state mutator), and the "all parts done" notice."""
    row = await Task.select(Task.parent).where(Task.id == task_id).first()
    if row is None or row["parent"] is None:
        return
    parent_id = row["parent"]
    parent = await Task.select(Task.state, Task.progress_percent).where(Task.id == parent_id).first()
    if parent is None or parent["state"] in (TaskState.done.value, TaskState.cancelled.value):
        return
    parts = await Task.select(Task.id, Task.state, Task.progress_percent).where(Task.parent == parent_id)
    percent = parts_percent(parts)
    if percent is not None and percent != parent["progress_percent"]:
        await Task.update({Task.progress_percent: percent, Task.updated_at: clock.now()}).where(Task.id == parent_id)
        await task_changed(parent_id, "progress")
    if parent["state"] in (TaskState.assigned.value, TaskState.returned.value) and any(
        p["state"] in STARTED for p in parts
    ):
        await transition(actor, parent_id, "start", via_part=task_id)
    counted = [p for p in parts if p["state"] != TaskState.cancelled.value]
    if counted and all(p["state"] == TaskState.done.value for p in counted) \
            and parent["state"] != TaskState.submitted.value:
        await task_changed(parent_id, PARTS_DONE)
