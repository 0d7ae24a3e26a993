"""Who may receive what is published, and on which channels: pure, no database, no hub.

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

from dataclasses import dataclass
from typing import Any

from server.people.services import Actor
from server.tasks.access import in_scope


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
