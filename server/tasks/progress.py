"""Progress reports and comments: the officers' side of a task. A report that can no longer change the task
(cancelled, done, reassigned meanwhile) is kept and refused, never lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from server.audit import services as audit
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Forbidden, Invalid, NotFound
from server.people.services import Actor
from server.tasks.events import task_changed
from server.tasks.lifecycle import _event, _load, _visible, follow_parent, transition
from server.tasks.rules import MAX_TEXT, _allowed, _captured
from server.tasks.tables import (
    ProgressReport,
    Task,
    TaskAssignee,
    TaskState,
)


@dataclass
class ProgressOutcome:
    report_id: int
    state: str
    version: int
    refused_reason: str | None = None


async def report_progress(
    actor: Actor,
    task_id: int,
    *,
    note: str = "",
    percent: int | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    accuracy_m: float | None = None,
    captured_at: dt.datetime | None = None,
    client_id: str | None = None,
) -> ProgressOutcome:
    """Record a progress report. A report for a task that can no longer take one is kept and refused."""
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise Invalid("text_too_long", "Nội dung quá dài")
    if percent is not None and not 0 <= percent <= 100:
        raise Invalid("percent_invalid", "Tiến độ phải từ 0 đến 100%")
    if (latitude is None) != (longitude is None):
        raise Invalid("gps_incomplete", "Toạ độ cần cả vĩ độ và kinh độ")
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # type: ignore[operator]
        raise Invalid("gps_invalid", "Toạ độ không hợp lệ")
    if accuracy_m is not None and accuracy_m < 0:
        raise Invalid("gps_invalid", "Độ chính xác của toạ độ không hợp lệ")
    if not note and percent is None:
        raise Invalid("progress_empty", "Cần nhập nội dung hoặc tiến độ")
    async with write_transaction():
        if client_id:
            existing = await ProgressReport.select().where(ProgressReport.client_id == client_id).first()
            if existing is not None:
                task = await Task.select(Task.state, Task.version).where(Task.id == existing["task"]).first()
                return ProgressOutcome(existing["id"], task["state"], task["version"], existing["refused_reason"])
        refused_reason = await _refusal_reason(actor, task_id)
        if refused_reason == "not_found":
            raise NotFound("task_not_found", "Không tìm thấy nhiệm vụ")
        now = clock.now()
        rows = await ProgressReport.insert(
            ProgressReport(
                task=task_id,
                author=actor.id,
                note=note,
                percent=percent,
                latitude=latitude,
                longitude=longitude,
                accuracy_m=accuracy_m,
                captured_at=_captured(captured_at, now),
                received_at=now,
                client_id=client_id,
                refused_reason=refused_reason,
            )
        ).returning(ProgressReport.id)
        report_id = rows[0]["id"]
        task = await Task.select(Task.state, Task.version).where(Task.id == task_id).first()
        state, version = task["state"], task["version"]
        if refused_reason is None:
            if state in {TaskState.assigned.value, TaskState.returned.value}:
                result = await transition(actor, task_id, "start", captured_at=captured_at)
                state, version = result["state"], result["version"]
            changes: dict[Any, Any] = {Task.updated_at: now}
            if percent is not None:
                changes[Task.progress_percent] = percent
            await Task.update(changes).where(Task.id == task_id)
            await task_changed(task_id, "progress")
            await follow_parent(actor, task_id)
        await _event(
            task_id,
            actor,
            "progress",
            note=note,
            refused=refused_reason is not None,
            captured_at=clock.as_utc(captured_at) if captured_at else None,
            progress_report=report_id,
        )
        await audit.record(
            actor_id=actor.id,
            actor_name=actor.full_name,
            action="task.progress",
            entity="task",
            entity_id=task_id,
            after={"report": report_id, "percent": percent, "refused": refused_reason},
        )
    return ProgressOutcome(report_id, state, version, refused_reason)


async def _refusal_reason(actor: Actor, task_id: int) -> str | None:
    """Why this actor's report can no longer change the task; "not_found" if they never could see it."""
    if await _visible(actor, task_id):
        ctx = await _load(actor, task_id)
        if not _allowed(actor, ctx, "worker"):
            raise Forbidden("progress_forbidden", "Chỉ người thực hiện hoặc lãnh đạo đơn vị được báo cáo tiến độ")
        task = ctx.row
        if task["state"] == TaskState.cancelled.value:
            return "task_cancelled"
        if task["state"] == TaskState.done.value:
            return "task_done"
        if task["state"] == TaskState.draft.value:
            return "task_not_assigned"
        return None
    was_assignee = await TaskAssignee.exists().where(
        (TaskAssignee.task == task_id) & (TaskAssignee.person == actor.id)
    )
    return "task_reassigned" if was_assignee else "not_found"


async def add_comment(actor: Actor, task_id: int, note: str) -> None:
    note = (note or "").strip()
    if not note:
        raise Invalid("comment_empty", "Cần nhập nội dung")
    if len(note) > MAX_TEXT:
        raise Invalid("text_too_long", "Nội dung quá dài")
    async with write_transaction():
        await _load(actor, task_id)
        await _event(task_id, actor, "comment", note=note)
        await task_changed(task_id, "comment", actor_id=actor.id, note=note)
        await audit.record(
            actor_id=actor.id, actor_name=actor.full_name, action="task.comment", entity="task",
            entity_id=task_id, after={"note": note},
        )
