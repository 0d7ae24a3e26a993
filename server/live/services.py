"""What is published, to which channels, and who may receive it.

Channels (each prefixed per deployment, see hub.LiveConfig):
  person.{id}   that person's inbox: a notification arrived, or items were read (the unread count);
  task.{id}     one task changed (a task page watches it);
  unit.{id}     a task led or coordinated by this unit or one of its sub-units changed (a dashboard
                watches its scope's unit).

A task message carries the task's audience (lead unit path, coordinating unit paths, current assignees)
so that each stream decides in memory, with the rule of server/tasks/access.py, whether its person may see
the task: an idle stream costs no query when an event passes. The audience never leaves the server: the
browser receives the task id and the kind of change only, never a title or a note.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from server.lib.db import after_commit
from server.people.services import Actor
from server.tasks.access import in_scope

log = logging.getLogger("dieuhanh.live")


def person_channel(person_id: int) -> str:
    return f"person.{person_id}"


def task_channel(task_id: int) -> str:
    return f"task.{task_id}"


def unit_channel(unit_id: int) -> str:
    return f"unit.{unit_id}"


def units_on_path(path: str) -> list[int]:
    """The unit and its ancestors, read from the materialised path ("/1/4/9/" → [1, 4, 9])."""
    return [int(part) for part in path.strip("/").split("/") if part.isdigit()]


@dataclass(frozen=True)
class Audience:
    """Who may see one task, as server/tasks/access.visibility_sql decides it."""

    task_id: int
    lead_path: str
    coordinating_paths: tuple[str, ...]
    assignee_ids: frozenset[int]

    def visible_to(self, actor: Actor) -> bool:
        # The in-memory twin of access.visibility_sql: a leader sees what their jurisdiction's units lead; a
        # unit head what their subtree leads or coordinates; anyone what is assigned to them.
        # tests/api/live/test_audience.py checks that both agree for every role and kind of task.
        if actor.id in self.assignee_ids:
            return True
        if actor.is_leader:
            return in_scope(actor, self.lead_path)
        if actor.is_unit_head:
            return in_scope(actor, self.lead_path) or any(in_scope(actor, p) for p in self.coordinating_paths)
        return False

    def channels(self) -> list[str]:
        units = set(units_on_path(self.lead_path))
        for path in self.coordinating_paths:
            units.update(units_on_path(path))
        return [task_channel(self.task_id), *(unit_channel(unit) for unit in sorted(units))]

    def message(self, action: str) -> dict[str, Any]:
        return {
            "kind": "task", "id": self.task_id, "action": action, "lead": self.lead_path,
            "coord": list(self.coordinating_paths), "assignees": sorted(self.assignee_ids),
        }

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> Audience:
        return cls(
            task_id=int(message["id"]), lead_path=str(message["lead"]),
            coordinating_paths=tuple(message.get("coord") or ()),
            assignee_ids=frozenset(message.get("assignees") or ()),
        )


async def task_audience(task_id: int) -> Audience | None:
    # A read-only look at the tasks domain's tables (as notifications does): three indexed lookups by task id.
    from server.tasks.tables import Task, TaskAssignee, TaskCoordinatingUnit

    row = await Task.select(Task.id, Task.lead_unit.path).where(Task.id == task_id).first()
    if row is None:
        return None
    coordinating = await TaskCoordinatingUnit.select(TaskCoordinatingUnit.unit.path).where(
        TaskCoordinatingUnit.task == task_id
    )
    assignees = await TaskAssignee.select(TaskAssignee.person).where(
        (TaskAssignee.task == task_id) & TaskAssignee.removed_at.is_null()
    )
    return Audience(
        task_id=task_id,
        lead_path=row["lead_unit.path"] or "",
        coordinating_paths=tuple(sorted({c["unit.path"] for c in coordinating if c["unit.path"]})),
        assignee_ids=frozenset(a["person"] for a in assignees),
    )


# ---------------------------------------------------------------- publishing


async def publish_task_changed(task_id: int, action: str) -> None:
    """The after-commit listener of server.tasks.events: one audience lookup per change, then one publish."""
    from server.live import hub

    if not hub.can_publish():
        return  # nobody can listen in this process, nor through Redis: not even the lookup
    try:
        audience = await task_audience(task_id)
        if audience is not None:
            await hub.publish(audience.message(action), audience.channels())
    except Exception:  # live updates are a courtesy: never fail the change that was just committed
        log.warning("live: could not publish the change of task %s", task_id, exc_info=True)


async def unread_count(person_id: int) -> int:
    from server.notifications.tables import Notification

    return await Notification.count().where((Notification.person == person_id) & Notification.read_at.is_null())


async def publish_inbox(person_id: int, notification_id: int | None = None) -> None:
    """Tell the person's open screens their new unread count, once the inbox change is committed."""
    from server.live import hub

    if not hub.can_publish():
        return

    async def send() -> None:
        try:
            message = {"kind": "inbox", "person": person_id, "unread": await unread_count(person_id),
                       "id": notification_id or None}
            await hub.publish(message, [person_channel(person_id)])
        except Exception:
            log.warning("live: could not publish the inbox of person %s", person_id, exc_info=True)

    await after_commit(send)


def for_stream(actor: Actor, message: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The (event, data) a stream of `actor` sends for a published message, or None when it is not theirs."""
    kind = message.get("kind")
    if kind == "task":
        if not Audience.from_message(message).visible_to(actor):
            return None
        return "task", {"id": message["id"], "action": message.get("action", "")}
    if kind == "inbox":
        if message.get("person") != actor.id:
            return None
        return "inbox", {"unread": message.get("unread", 0), "id": message.get("id")}
    return None


def register_listeners() -> None:
    """Subscribe to the tasks domain's changes (idempotent: on_task_changed ignores a second subscription)."""
    from server.tasks.events import on_task_changed

    on_task_changed(publish_task_changed)
