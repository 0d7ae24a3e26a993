"""Extension requests (xin gia hạn): asked by whoever works on the task, decided by its approver; the approved
deadline is the one that counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.audit import services as audit
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Conflict, Forbidden, Invalid, NotFound
from server.people.services import Actor
from server.tasks.events import task_changed
from server.tasks.lifecycle import _event, _load, _record_deadline, _update_task
from server.tasks.rules import CLOSED_STATES, _allowed, _is_approver
from server.tasks.tables import (
    ExtensionRequest,
    ExtensionState,
    Task,
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
        await task_changed(task_id, "extension_requested", actor_id=actor.id, note=reason)
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
        await _event(
            task_id, actor, "extension_approved" if approve else "extension_rejected",
            note=f"{request['requested_deadline']:%d/%m/%Y}" + (f": {note}" if note else ""),
        )
        await task_changed(
            task_id, "deadline" if approve else "extension_rejected", actor_id=actor.id, extension=extension_id,
            approved=approve, requested_by=request["requested_by"], note=note,
        )
        await audit.record(
            actor_id=actor.id, actor_name=actor.full_name, action=f"task.extension_{state.value}", entity="task",
            entity_id=task_id, before={"deadline": ctx.row["deadline"]},
            after={"deadline": request["requested_deadline"] if approve else ctx.row["deadline"]},
        )
    return {"id": extension_id, "state": state.value}
