"""Chasing a late officer (nhắc việc): recorded in the task's history; the notifications domain tells them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.audit import services as audit
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Conflict, Forbidden, Invalid
from server.people.services import Actor
from server.people.tables import Person
from server.tasks.events import task_changed
from server.tasks.lifecycle import _event, _load
from server.tasks.rules import _is_manager
from server.tasks.tables import (
    Task,
    TaskEvent,
    TaskState,
)

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
        # The notifications domain tells each of them (in this transaction) and says how many it reached.
        change = await task_changed(
            task_id, CHASE_KIND, actor_id=actor.id, note=note, recipients=[p["id"] for p in people],
            event_id=event["id"] if event else now.isoformat(),
        )
        notified = int(change.outcome.get("notified", 0))
        await audit.record(
            actor_id=actor.id, actor_name=actor.full_name, action="task.chase", entity="task", entity_id=task_id,
            after={"recipients": recipients, "note": note},
        )
    return {**answer, "chased_at": now, "chased_by": actor.full_name, "notified": notified, "repeated": False}
