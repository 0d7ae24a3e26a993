"""The task core. `transition()` is the only code that changes a task's state.

Every write here runs in `write_transaction()` and appends to the audit log in the same transaction,
so a change and its audit entry exist together or not at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from server.audit import services as audit
from server.holidays.services import load_calendar
from server.lib import clock
from server.lib.db import after_commit, write_transaction
from server.lib.errors import Conflict, Forbidden, Invalid, NotFound
from server.lib.i18n import gettext_in
from server.lib.vn_text import fold, like_pattern
from server.notifications.services import on_task_event
from server.people.services import Actor
from server.people.tables import Person
from server.tasks.access import in_scope, visibility_sql
from server.tasks.events import task_changed
from server.tasks.tables import (
    ExtensionRequest,
    ExtensionState,
    Priority,
    ProgressReport,
    Task,
    TaskAssignee,
    TaskCoordinatingUnit,
    TaskDeadline,
    TaskEvent,
    TaskSource,
    TaskState,
)
from server.units.tables import Unit

OPEN_STATES = frozenset(
    {TaskState.draft, TaskState.assigned, TaskState.in_progress, TaskState.submitted, TaskState.returned}
)
CLOSED_STATES = frozenset({TaskState.done, TaskState.cancelled})
MAX_TITLE = 500
MAX_TEXT = 20_000
MAX_WORKING_DAYS = 365
# A phone's clock may be wrong; a captured-at time further back than this is not believed.
MAX_OFFLINE_AGE = dt.timedelta(days=30)


@dataclass(frozen=True)
class Rule:
    sources: frozenset[TaskState]
    target: TaskState
    who: str  # "manager", "worker" (assignee or manager) or "approver"
    reason_required: bool = False


# What the people concerned are told about each transition (server/notifications).
NOTICE_OF_ACTION = {
    "assign": "assigned",
    "submit": "submitted",
    "return": "returned",
    "approve": "approved",
    "cancel": "cancelled",
}

RULES: dict[str, Rule] = {
    "assign": Rule(frozenset({TaskState.draft}), TaskState.assigned, "manager"),
    "start": Rule(frozenset({TaskState.assigned, TaskState.returned}), TaskState.in_progress, "worker"),
    "submit": Rule(
        frozenset({TaskState.assigned, TaskState.in_progress, TaskState.returned}), TaskState.submitted, "worker"
    ),
    "approve": Rule(frozenset({TaskState.submitted}), TaskState.done, "approver"),
    "return": Rule(frozenset({TaskState.submitted}), TaskState.returned, "approver", reason_required=True),
    "cancel": Rule(OPEN_STATES, TaskState.cancelled, "approver", reason_required=True),
}


@dataclass
class TaskContext:
    """What the rules need to know about one task, loaded once per write."""

    row: dict[str, Any]
    lead_unit_path: str
    parent_lead_unit_path: str | None
    assignee_ids: set[int]

    @property
    def state(self) -> TaskState:
        return TaskState(self.row["state"])


# ---------------------------------------------------------------- loading and permissions


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


def _is_manager(actor: Actor, ctx: TaskContext) -> bool:
    return in_scope(actor, ctx.lead_unit_path)


def _is_approver(actor: Actor, ctx: TaskContext) -> bool:
    """A top-level task is approved by a leader; a split part by whoever manages the parent's unit."""
    if ctx.parent_lead_unit_path is None:
        return actor.is_leader and in_scope(actor, ctx.lead_unit_path)
    return in_scope(actor, ctx.parent_lead_unit_path)


def _allowed(actor: Actor, ctx: TaskContext, who: str) -> bool:
    if who == "manager":
        return _is_manager(actor, ctx)
    if who == "worker":
        return actor.id in ctx.assignee_ids or _is_manager(actor, ctx)
    return _is_approver(actor, ctx)


def allowed_actions(actor: Actor, ctx: TaskContext) -> list[str]:
    return [
        name
        for name, rule in RULES.items()
        if ctx.state in rule.sources and _allowed(actor, ctx, rule.who) and name != "start"
    ]


def _captured(captured_at: dt.datetime | None, received_at: dt.datetime) -> dt.datetime:
    """The phone's time, bounded by the server's: never in the future, never implausibly old."""
    if captured_at is None:
        return received_at
    captured_at = clock.as_utc(captured_at)
    return max(min(captured_at, received_at), received_at - MAX_OFFLINE_AGE)


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


# ---------------------------------------------------------------- the one state mutator


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
    """`via_part`: a parent starts because its part did (parts.follow_parent), whoever reported on the part.
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
            from server.tasks.parts import check_public_choice

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
        await task_changed(task_id, action)
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
        notice = NOTICE_OF_ACTION.get(action)
        if notice:
            await on_task_event(notice, task_id, actor.id, reason=reason)
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
        # Once committed, a task that answers a citizen's report publishes its answer on approval.
        from server.reports.services import on_task_transition

        await after_commit(
            lambda: on_task_transition(task_id, action, actor_id=actor.id, public_photo_ids=public_photo_ids)
        )
        if ctx.row["parent"] is not None:
            from server.tasks.parts import follow_parent

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


# ---------------------------------------------------------------- creating and assigning


async def _check_people_in_unit(person_ids: list[int], unit_path: str) -> None:
    if not person_ids:
        return
    rows = await Person.select(Person.id, Person.unit.path, Person.active).where(Person.id.is_in(person_ids))
    found = {row["id"]: row for row in rows}
    for person_id in person_ids:
        row = found.get(person_id)
        if row is None or not row["active"] or not row["unit.path"].startswith(unit_path):
            raise Invalid("assignee_outside_unit", "Người thực hiện phải thuộc đơn vị chủ trì")


async def _unit_path(unit_id: int) -> str:
    row = await Unit.select(Unit.path).where((Unit.id == unit_id) & Unit.active.eq(True)).first()
    if row is None:
        raise Invalid("unit_not_found", "Không tìm thấy đơn vị")
    return row["path"]


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
    if not title:
        raise Invalid("title_required", "Cần nhập tên nhiệm vụ")
    if len(title) > MAX_TITLE or len(description or "") > MAX_TEXT:
        raise Invalid("text_too_long", "Nội dung quá dài")
    if source not in {s.value for s in TaskSource}:
        raise Invalid("source_invalid", "Nguồn nhiệm vụ không hợp lệ")
    if priority not in {p.value for p in Priority}:
        raise Invalid("priority_invalid", "Mức độ ưu tiên không hợp lệ")
    if deadline is not None and deadline_working_days is not None:
        raise Invalid("deadline_ambiguous", "Chỉ chọn một cách đặt hạn: ngày cụ thể hoặc số ngày làm việc")
    if deadline_working_days is not None and not 1 <= deadline_working_days <= MAX_WORKING_DAYS:
        raise Invalid("deadline_days_invalid", "Số ngày làm việc phải từ 1 đến 365")
    if deadline is not None and deadline < clock.today_vn():
        raise Invalid("deadline_in_past", "Hạn xử lý không được ở quá khứ")
    if not actor.manages_units:
        raise Forbidden("create_forbidden", "Bạn không có quyền giao nhiệm vụ")
    assignee_ids = sorted(set(assignee_ids or []))
    coordinating_unit_ids = sorted(set(coordinating_unit_ids or []) - {lead_unit_id})
    async with write_transaction():
        lead_path = await _unit_path(lead_unit_id)
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
            await _unit_path(unit_id)
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
        await task_changed(task_id, "create")
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
        await task_changed(task_id, "assignees")
        await _event(task_id, actor, "assignees", note=", ".join(await _names(person_ids)))
        if added and ctx.state != TaskState.draft:
            await on_task_event("assigned", task_id, actor.id, person_ids=added)
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


# ---------------------------------------------------------------- progress, comments, extensions


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
            from server.tasks.parts import follow_parent

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
        await task_changed(task_id, "comment")
        await on_task_event("comment", task_id, actor.id, note=note)
        await audit.record(
            actor_id=actor.id, actor_name=actor.full_name, action="task.comment", entity="task",
            entity_id=task_id, after={"note": note},
        )


async def request_extension(actor: Actor, task_id: int, requested_deadline: dt.date, reason: str) -> dict[str, Any]:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("reason_required", "Cần nêu lý do")
    async with write_transaction():
        ctx = await _load(actor, task_id)
        if not _allowed(actor, ctx, "worker"):
            raise Forbidden("extension_forbidden", "Bạn không có quyền xin gia hạn nhiệm vụ này")
        if ctx.state in CLOSED_STATES:
            raise Conflict("task_closed", "Nhiệm vụ đã kết thúc", state=ctx.row["state"])
        current = ctx.row["deadline"]
        if current is None or requested_deadline <= current:
            raise Invalid("extension_not_later", "Hạn mới phải sau hạn xử lý hiện tại")
        if await ExtensionRequest.exists().where(
            (ExtensionRequest.task == task_id) & (ExtensionRequest.state == ExtensionState.pending.value)
        ):
            raise Conflict("extension_pending", "Nhiệm vụ đang có một đề nghị gia hạn chờ quyết định")
        rows = await ExtensionRequest.insert(
            ExtensionRequest(
                task=task_id,
                requested_by=actor.id,
                requested_deadline=requested_deadline,
                reason=reason,
                created_at=clock.now(),
            )
        ).returning(ExtensionRequest.id)
        await _event(task_id, actor, "extension_requested", note=f"{requested_deadline:%d/%m/%Y}: {reason}")
        await task_changed(task_id, "extension_requested")
        await on_task_event("extension_requested", task_id, actor.id, note=reason)
        await audit.record(
            actor_id=actor.id, actor_name=actor.full_name, action="task.extension_request", entity="task",
            entity_id=task_id, after={"extension": rows[0]["id"], "requested_deadline": requested_deadline},
        )
    return {"id": rows[0]["id"], "state": ExtensionState.pending.value}


async def decide_extension(actor: Actor, extension_id: int, *, approve: bool, note: str = "") -> dict[str, Any]:
    note = (note or "").strip()
    if not approve and not note:
        raise Invalid("reason_required", "Cần nêu lý do")
    async with write_transaction():
        request = await ExtensionRequest.select().where(ExtensionRequest.id == extension_id).first()
        if request is None:
            raise NotFound("extension_not_found", "Không tìm thấy đề nghị gia hạn")
        ctx = await _load(actor, request["task"])
        if not _is_approver(actor, ctx):
            raise Forbidden("extension_decide_forbidden", "Bạn không có quyền quyết định gia hạn")
        if request["state"] != ExtensionState.pending.value:
            raise Conflict("extension_decided", "Đề nghị gia hạn đã được quyết định", state=request["state"])
        if approve and ctx.state in CLOSED_STATES:
            # A finished task's deadline is history: moving it would rewrite whether it was on time.
            raise Conflict("task_closed", "Nhiệm vụ đã kết thúc", state=ctx.row["state"])
        now = clock.now()
        state = ExtensionState.approved if approve else ExtensionState.rejected
        await ExtensionRequest.update(
            {
                ExtensionRequest.state: state.value,
                ExtensionRequest.decided_by: actor.id,
                ExtensionRequest.decided_at: now,
                ExtensionRequest.decision_note: note,
            }
        ).where(ExtensionRequest.id == extension_id)
        task_id = request["task"]
        if approve:
            await _record_deadline(task_id, actor, request["requested_deadline"], ctx.row["deadline"], note)
            await _update_task(ctx, {Task.deadline: request["requested_deadline"], Task.updated_at: now})
            await task_changed(ctx.row["id"], "deadline")
        else:
            await task_changed(task_id, "extension_rejected")
        await _event(
            task_id, actor, "extension_approved" if approve else "extension_rejected",
            note=f"{request['requested_deadline']:%d/%m/%Y}" + (f": {note}" if note else ""),
        )
        await on_task_event(
            "extension_decided", task_id, actor.id, approved=approve, requested_by=request["requested_by"], note=note
        )
        await audit.record(
            actor_id=actor.id, actor_name=actor.full_name, action=f"task.extension_{state.value}", entity="task",
            entity_id=task_id, before={"deadline": ctx.row["deadline"]},
            after={"deadline": request["requested_deadline"] if approve else ctx.row["deadline"]},
        )
    return {"id": extension_id, "state": state.value}


# ---------------------------------------------------------------- reading


def urgency(state: str, deadline: dt.date | None, today: dt.date) -> str:
    """overdue / due_today / due_soon (3 days) / later / closed: the order of an officer's list."""
    if state in {TaskState.done.value, TaskState.cancelled.value}:
        return "closed"
    if deadline is None:
        return "later"
    if deadline < today:
        return "overdue"
    if deadline == today:
        return "due_today"
    if deadline <= today + dt.timedelta(days=3):
        return "due_soon"
    return "later"


def _summary(row: dict[str, Any], today: dt.date) -> dict[str, Any]:
    return {
        "id": row["id"],
        "title": row["title"],
        "state": row["state"],
        "priority": row["priority"],
        "deadline": row["deadline"],
        "lead_unit_id": row["lead_unit"],
        "lead_unit_name": row.get("lead_unit.name", ""),
        "parent_id": row["parent"],
        "directive_id": row["directive"],
        "source": row["source"],
        "progress_percent": row["progress_percent"],
        "version": row["version"],
        "updated_at": row["updated_at"],
        "urgency": urgency(row["state"], row["deadline"], today),
        "days_overdue": (today - row["deadline"]).days
        if row["deadline"] and row["deadline"] < today and row["state"] not in ("done", "cancelled")
        else 0,
    }


SUMMARY_COLUMNS = (
    Task.id, Task.title, Task.state, Task.priority, Task.deadline, Task.lead_unit, Task.parent, Task.directive,
    Task.source, Task.progress_percent, Task.version, Task.updated_at, Task.lead_unit.name,
)


async def list_tasks(
    actor: Actor,
    *,
    view: str = "mine",
    states: list[str] | None = None,
    q: str = "",
    overdue: bool = False,
    directive_id: int | None = None,
    unit_id: int | None = None,
    parent_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """A page of tasks the actor can see, most urgent first: overdue, due today, due soon, later, closed."""
    limit = max(1, min(limit, 200))
    offset = max(0, offset)
    today = clock.today_vn()
    if view == "mine":
        where = ["t.id IN (SELECT ta.task FROM task_assignees ta WHERE ta.person = {} AND ta.removed_at IS NULL)"]
        args: list[object] = [actor.id]
    else:
        predicate, args = visibility_sql(actor)
        where = [predicate]
    if states:
        valid = [s for s in states if s in {state.value for state in TaskState}]
        if not valid:
            raise Invalid("state_invalid", "Trạng thái không hợp lệ")
        where.append("t.state IN (" + ", ".join("{}" for _ in valid) + ")")
        args.extend(valid)
    if q.strip():
        where.append("t.search_text LIKE {}")
        args.append(like_pattern(q))
    if overdue:
        where.append("t.deadline < {} AND t.state NOT IN ('done', 'cancelled', 'draft')")
        args.append(today)
    if directive_id is not None:
        where.append("t.directive = {}")
        args.append(directive_id)
    if parent_id is not None:
        where.append("t.parent = {}")
        args.append(parent_id)
    if unit_id is not None:
        where.append("t.lead_unit IN (SELECT u.id FROM units u WHERE u.path LIKE "
                     "(SELECT p.path || '%' FROM units p WHERE p.id = {}))")
        args.append(unit_id)
    sql = (
        "SELECT t.id FROM tasks t WHERE " + " AND ".join(where) +
        " ORDER BY CASE WHEN t.state IN ('done', 'cancelled') THEN 1 ELSE 0 END,"
        " CASE WHEN t.deadline IS NULL THEN 1 ELSE 0 END, t.deadline, t.id DESC"
        f" LIMIT {limit + 1} OFFSET {offset}"
    )
    ids = [row["id"] for row in await Task.raw(sql, *args)]
    has_more = len(ids) > limit
    ids = ids[:limit]
    rows = await Task.select(*SUMMARY_COLUMNS).where(Task.id.is_in(ids)) if ids else []
    by_id = {row["id"]: row for row in rows}
    return {
        "items": [_summary(by_id[i], today) for i in ids if i in by_id],
        "has_more": has_more,
        "offset": offset,
        "limit": limit,
    }


async def get_task(actor: Actor, task_id: int) -> dict[str, Any]:
    ctx = await _load(actor, task_id)
    today = clock.today_vn()
    row = ctx.row
    assignees = await TaskAssignee.select(
        TaskAssignee.person, TaskAssignee.is_main, TaskAssignee.person.full_name, TaskAssignee.person.title
    ).where((TaskAssignee.task == task_id) & TaskAssignee.removed_at.is_null())
    coordinating = await TaskCoordinatingUnit.select(TaskCoordinatingUnit.unit, TaskCoordinatingUnit.unit.name).where(
        TaskCoordinatingUnit.task == task_id
    )
    history = (await _histories([task_id])).get(task_id, [])
    deadlines = await TaskDeadline.select(
        TaskDeadline.deadline, TaskDeadline.previous, TaskDeadline.reason, TaskDeadline.set_at,
        TaskDeadline.set_by.full_name,
    ).where(TaskDeadline.task == task_id).order_by(TaskDeadline.id)
    extensions = await ExtensionRequest.select(
        ExtensionRequest.id, ExtensionRequest.requested_deadline, ExtensionRequest.reason, ExtensionRequest.state,
        ExtensionRequest.decision_note, ExtensionRequest.created_at, ExtensionRequest.requested_by.full_name,
    ).where(ExtensionRequest.task == task_id).order_by(ExtensionRequest.id)
    reports = await ProgressReport.select(
        ProgressReport.id, ProgressReport.note, ProgressReport.percent, ProgressReport.latitude,
        ProgressReport.longitude, ProgressReport.accuracy_m, ProgressReport.captured_at, ProgressReport.received_at,
        ProgressReport.refused_reason, ProgressReport.author.full_name,
    ).where(ProgressReport.task == task_id).order_by(ProgressReport.id)
    from server.media.services import list_attachments

    photos: dict[int, list[dict[str, Any]]] = {}
    for attachment in await list_attachments("progress_report", [p["id"] for p in reports]):
        photos.setdefault(attachment["owner_id"], []).append(attachment)
    subtasks = await list_tasks(actor, view="scope", parent_id=task_id, limit=200)
    parent = None
    if row["parent"] is not None and await _visible(actor, row["parent"]):
        parent_row = await Task.select(Task.id, Task.title).where(Task.id == row["parent"]).first()
        parent = parent_row
    directive = None
    if row["directive"] is not None:
        from server.directives.services import directive_brief

        directive = await directive_brief(row["directive"])
    summary = _summary({**row, "lead_unit.name": await _unit_name(row["lead_unit"])}, today)
    from server.tasks import parts as task_parts

    part_names = await task_parts.assignee_names([sub["id"] for sub in subtasks["items"]])
    parts_evidence = (await task_parts.parts_evidence([task_id])).get(task_id, []) if subtasks["items"] else []
    latest_of_part = {part["id"]: part["latest_report"] for part in parts_evidence}
    return {
        **summary,
        "description": row["description"],
        "source_ref": row["source_ref"],
        "deadline_working_days": row["deadline_working_days"],
        "assigned_at": row["assigned_at"],
        "created_at": row["created_at"],
        "submitted_at": row["submitted_at"],
        "completed_at": row["completed_at"],
        "approved_at": row["approved_at"],
        "cancelled_reason": row["cancelled_reason"],
        "assignees": [
            {"id": a["person"], "full_name": a["person.full_name"], "title": a["person.title"], "is_main": a["is_main"]}
            for a in assignees
        ],
        "coordinating_units": [{"id": c["unit"], "name": c["unit.name"]} for c in coordinating],
        "history": history,
        "deadlines": [
            {"deadline": d["deadline"], "previous": d["previous"], "reason": d["reason"], "set_at": d["set_at"],
             "set_by": d["set_by.full_name"]}
            for d in deadlines
        ],
        "extensions": [
            {"id": x["id"], "requested_deadline": x["requested_deadline"], "reason": x["reason"], "state": x["state"],
             "decision_note": x["decision_note"], "created_at": x["created_at"],
             "requested_by": x["requested_by.full_name"]}
            for x in extensions
        ],
        "progress_reports": [
            {"id": p["id"], "note": p["note"], "percent": p["percent"], "latitude": p["latitude"],
             "longitude": p["longitude"], "accuracy_m": p["accuracy_m"], "captured_at": p["captured_at"],
             "received_at": p["received_at"], "refused_reason": p["refused_reason"], "author": p["author.full_name"],
             "attachments": photos.get(p["id"], [])}
            for p in reports
        ],
        "subtasks": [{**sub, "assignees": part_names.get(sub["id"], []),
                      "latest_report": latest_of_part.get(sub["id"])} for sub in subtasks["items"]],
        # Each part's latest report and photos: what the unit head submits the parent with.
        "parts_evidence": parts_evidence,
        "parent": parent,
        # Read-only, for whoever works on a part: what the parent says about the place and the problem.
        "parent_context": await task_parts.parent_context(row),
        "citizen_report": await task_parts.report_context(task_id, row),
        "directive": directive,
        "allowed_actions": allowed_actions(actor, ctx),
        "can_split": _is_manager(actor, ctx) and ctx.state not in CLOSED_STATES,
        "can_report": actor.id in ctx.assignee_ids or _is_manager(actor, ctx),
    }


async def _unit_name(unit_id: int) -> str:
    row = await Unit.select(Unit.name).where(Unit.id == unit_id).first()
    return row["name"] if row else ""


async def _histories(task_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The history of several tasks in one query, each oldest first."""
    if not task_ids:
        return {}
    rows = await TaskEvent.select(
        TaskEvent.id, TaskEvent.task, TaskEvent.kind, TaskEvent.from_state, TaskEvent.to_state, TaskEvent.note,
        TaskEvent.refused, TaskEvent.captured_at, TaskEvent.received_at, TaskEvent.actor.full_name,
        TaskEvent.progress_report,
    ).where(TaskEvent.task.is_in(task_ids)).order_by(TaskEvent.id)
    grouped: dict[int, list[dict[str, Any]]] = {}
    for e in rows:
        grouped.setdefault(e["task"], []).append(
            {
                "kind": e["kind"],
                "from_state": e["from_state"],
                "to_state": e["to_state"],
                "note": e["note"],
                "refused": e["refused"],
                "actor": e["actor.full_name"],
                "captured_at": e["captured_at"],
                "received_at": e["received_at"],
                "progress_report_id": e["progress_report"],
            }
        )
    return grouped


async def histories(actor: Actor, task_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The histories of the tasks among `task_ids` that the actor can see (e.g. a task's parts)."""
    return await _histories(sorted(await task_ids_visible(actor, task_ids)))


async def _approval_context(ids: list[int], items: list[dict[str, Any]]) -> None:
    """What a leader judges a submission by, for the whole queue in four queries (not one detail per item):
    the note sent with the result, the latest accepted progress report with its photos and place, the photos of
    the first report that had any (the "before"), the parent."""
    from server.media.services import list_attachments

    submits = await TaskEvent.select(TaskEvent.task, TaskEvent.note, TaskEvent.actor.full_name).where(
        TaskEvent.task.is_in(ids) & (TaskEvent.kind == "transition") & (TaskEvent.to_state == "submitted")
    ).order_by(TaskEvent.id)
    last_submit = {row["task"]: row for row in submits}
    reports = await ProgressReport.select(
        ProgressReport.id, ProgressReport.task, ProgressReport.note, ProgressReport.percent,
        ProgressReport.latitude, ProgressReport.longitude, ProgressReport.accuracy_m, ProgressReport.captured_at,
        ProgressReport.author.full_name,
    ).where(ProgressReport.task.is_in(ids) & ProgressReport.refused_reason.is_null()).order_by(ProgressReport.id)
    last_report = {row["task"]: row for row in reports}
    photos: dict[int, list[dict[str, Any]]] = {}
    for attachment in await list_attachments("progress_report", [r["id"] for r in reports]):
        photos.setdefault(attachment["owner_id"], []).append(attachment)
    # "Before" photos: those of the first report that had any, when the latest report is another one.
    first_with_photos: dict[int, dict[str, Any]] = {}
    for report in reports:
        if photos.get(report["id"]):
            first_with_photos.setdefault(report["task"], report)
    from server.tasks.parts import REPORT_SOURCES, evidence_photos_of, parts_evidence

    parts = await parts_evidence(ids)
    candidates = await evidence_photos_of(
        [item["id"] for item in items if item["source"] in REPORT_SOURCES and item["parent_id"] is None]
    )
    parent_ids = sorted({item["parent_id"] for item in items if item["parent_id"]})
    parents = {row["id"]: row for row in await Task.select(Task.id, Task.title).where(Task.id.is_in(parent_ids))} \
        if parent_ids else {}
    for item in items:
        submit = last_submit.get(item["id"])
        item["submit_note"] = submit["note"] if submit else ""
        item["submitted_by"] = submit["actor.full_name"] if submit else ""
        report = last_report.get(item["id"])
        item["latest_report"] = None if report is None else {
            "id": report["id"], "note": report["note"], "percent": report["percent"],
            "latitude": report["latitude"], "longitude": report["longitude"], "accuracy_m": report["accuracy_m"],
            "captured_at": report["captured_at"], "author": report["author.full_name"],
            "attachments": photos.get(report["id"], []),
        }
        first = first_with_photos.get(item["id"])
        item["before_photos"] = photos[first["id"]] if first and report and first["id"] != report["id"] else []
        item["parent"] = parents.get(item["parent_id"])
        item["parts"] = parts.get(item["id"], [])
        # A citizen's answer: the approver picks its public "after" photos (by default the submission's).
        item["public_photo_candidates"] = candidates.get(item["id"], [])


async def approval_queue(actor: Actor, limit: int = 100) -> list[dict[str, Any]]:
    """Submitted tasks this actor may approve, oldest submission first."""
    if not actor.manages_units:
        return []
    pattern = f"{actor.unit_path}%"
    # Parts of a split task go to whoever manages the parent's unit; top-level tasks go to leaders.
    clauses = ["t.parent IN (SELECT p.id FROM tasks p JOIN units pu ON pu.id = p.lead_unit WHERE pu.path LIKE {})"]
    if actor.is_leader:
        clauses.append("(t.parent IS NULL AND t.lead_unit IN (SELECT u.id FROM units u WHERE u.path LIKE {}))")
    sql = (
        "SELECT t.id FROM tasks t WHERE t.state = 'submitted' AND (" + " OR ".join(clauses) + ")"
        f" ORDER BY t.submitted_at LIMIT {max(1, min(limit, 500))}"
    )
    ids = [row["id"] for row in await Task.raw(sql, *([pattern] * len(clauses)))]
    if not ids:
        return []
    today = clock.today_vn()
    rows = await Task.select(*SUMMARY_COLUMNS, Task.submitted_at).where(Task.id.is_in(ids))
    by_id = {row["id"]: row for row in rows}
    items = [{**_summary(by_id[i], today), "submitted_at": by_id[i]["submitted_at"]} for i in ids]
    await _approval_context(ids, items)
    return items


async def task_ids_visible(actor: Actor, task_ids: list[int]) -> set[int]:
    if not task_ids:
        return set()
    predicate, args = visibility_sql(actor)
    placeholders = ", ".join("{}" for _ in task_ids)
    rows = await Task.raw(f"SELECT t.id FROM tasks t WHERE t.id IN ({placeholders}) AND {predicate}", *task_ids, *args)
    return {row["id"] for row in rows}


async def progress_report_task(actor: Actor, report_id: int, *, for_upload: bool) -> int:
    """The task a progress report belongs to, if the actor may see it (or, to upload photos, wrote it)."""
    row = await ProgressReport.select(ProgressReport.task, ProgressReport.author).where(
        ProgressReport.id == report_id
    ).first()
    if row is None:
        raise NotFound("progress_not_found", "Không tìm thấy báo cáo tiến độ")
    if for_upload:
        # The author keeps adding the report's photos even when the report was refused (offline contract);
        # others who can see the report may look, not add.
        if row["author"] != actor.id:
            if await _visible(actor, row["task"]):
                raise Forbidden("progress_not_author", "Chỉ người viết báo cáo được thêm ảnh vào báo cáo")
            raise NotFound("progress_not_found", "Không tìm thấy báo cáo tiến độ")
        return row["task"]
    if row["author"] != actor.id and not await _visible(actor, row["task"]):
        raise NotFound("progress_not_found", "Không tìm thấy báo cáo tiến độ")
    return row["task"]


# ---------------------------------------------------------------- chasing a late officer (nhắc việc)

# Work waiting for its approver, not yet given out, or finished is nobody's to be chased for.
CHASE_STATES = frozenset({TaskState.assigned, TaskState.in_progress, TaskState.returned})
# A second "Nhắc việc" on the same task this soon after the first (a double tap, a retry, two heads at once)
# sends nothing more: the officer is told once, and the second caller is answered with the first chase.
CHASE_COOLDOWN = dt.timedelta(minutes=30)
CHASE_KIND = "chase"
MAX_CHASE_NOTE = 500


async def _lock_task_row(task_id: int) -> None:
    """Serialise writers of one task for the rest of the transaction (SQLite's IMMEDIATE already does)."""
    from piccolo.engine.postgres import PostgresEngine

    from server.lib.db import engine

    if isinstance(engine(), PostgresEngine):
        await Task.raw("SELECT id FROM tasks WHERE id = {} FOR UPDATE", task_id)


async def chase(actor: Actor, task_id: int, note: str = "") -> dict[str, Any]:
    """Remind the assignees of a late task (inbox and push), recorded in the task's history.

    Leaders and the heads over the task's lead unit may chase; a repeat within CHASE_COOLDOWN answers with
    the earlier chase and sends nothing, so a double tap on a phone notifies each officer once.
    """
    from server.lib.i18n import format_date
    from server.notifications.services import notify, task_link

    note = (note or "").strip()
    if len(note) > MAX_CHASE_NOTE:
        raise Invalid("text_too_long", "Nội dung quá dài")
    async with write_transaction():
        ctx = await _load(actor, task_id)
        if not _is_manager(actor, ctx):
            raise Forbidden("chase_forbidden", "Chỉ lãnh đạo và trưởng đơn vị chủ trì được nhắc việc")
        if ctx.state not in CHASE_STATES:
            raise Conflict("chase_not_open", "Nhiệm vụ không ở trạng thái cần nhắc việc", state=ctx.row["state"])
        recipients = sorted(ctx.assignee_ids - {actor.id})
        if not recipients:
            raise Conflict("chase_no_assignee", "Nhiệm vụ chưa có người thực hiện để nhắc")
        await _lock_task_row(task_id)
        now = clock.now()
        people = await Person.select(Person.id, Person.full_name, Person.locale).where(
            Person.id.is_in(recipients)
        ).order_by(Person.full_name)
        recent = await TaskEvent.select(TaskEvent.id, TaskEvent.received_at, TaskEvent.actor.full_name).where(
            (TaskEvent.task == task_id) & (TaskEvent.kind == CHASE_KIND)
            & (TaskEvent.received_at >= now - CHASE_COOLDOWN)
        ).order_by(TaskEvent.id, ascending=False).first()
        answer = {
            "task_id": task_id,
            "recipients": [{"id": p["id"], "full_name": p["full_name"]} for p in people],
        }
        if recent is not None:
            return {**answer, "chased_at": recent["received_at"], "chased_by": recent["actor.full_name"],
                    "notified": 0, "repeated": True}
        names = ", ".join(p["full_name"] for p in people)
        await _event(task_id, actor, CHASE_KIND, note=f"{names}: {note}" if note else names)
        event = await TaskEvent.select(TaskEvent.id).where(
            (TaskEvent.task == task_id) & (TaskEvent.kind == CHASE_KIND)
        ).order_by(TaskEvent.id, ascending=False).first()
        notified = 0
        for person in people:
            locale = person["locale"]
            title = gettext_in(locale, "Nhắc việc: {title}", title=ctx.row["title"])
            lines = [note] if note else []
            if ctx.row["deadline"] is not None:
                deadline = format_date(ctx.row["deadline"])
                lines.append(gettext_in(locale, "Hạn xử lý: {deadline}", deadline=deadline))
            sent = await notify(
                person["id"], CHASE_KIND, title, "\n".join(lines), link=task_link(task_id), task_id=task_id,
                dedupe_key=f"chase:{event['id'] if event else now.isoformat()}:{person['id']}",
            )
            notified += 1 if sent else 0
        await audit.record(
            actor_id=actor.id, actor_name=actor.full_name, action="task.chase", entity="task", entity_id=task_id,
            after={"recipients": recipients, "note": note},
        )
    return {**answer, "chased_at": now, "chased_by": actor.full_name, "notified": notified, "repeated": False}
