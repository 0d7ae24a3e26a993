"""Publishing: a task's change to the streams that may see it, a person's new unread count to theirs.

The tasks' events reach here through the listener `publish_task_changed` (after commit), the inboxes' through
`publish_inbox` (server/notifications/events.py); both are registered by server/live/__init__.py (the app and
the worker import the package: they are the processes that publish).
"""

from __future__ import annotations

import logging

from server.lib.db import after_commit
from server.live import hub
from server.live.audience import Audience, person_channel
from server.notifications.events import on_inbox_changed
from server.notifications.tables import Notification
from server.tasks.events import on_task_changed
from server.tasks.tables import Task, TaskAssignee, TaskCoordinatingUnit

log = logging.getLogger("dieuhanh.live")


async def task_audience(task_id: int) -> Audience | None:
    # A read-only look at the tasks domain's tables (as notifications does): three indexed lookups by task id.
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
    if not hub.can_publish():
        return  # nobody can listen in this process, nor through Redis: not even the lookup
    try:
        audience = await task_audience(task_id)
        if audience is not None:
            await hub.publish(audience.message(action), audience.channels())
    except Exception:  # live updates are a courtesy: never fail the change that was just committed
        log.warning("live: could not publish the change of task %s", task_id, exc_info=True)


async def unread_count(person_id: int) -> int:
    return await Notification.count().where((Notification.person == person_id) & Notification.read_at.is_null())


async def publish_inbox(person_id: int, notification_id: int | None = None) -> None:
    """Tell the person's open screens their new unread count, once the inbox change is committed."""
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


def register_listeners() -> None:
    """Subscribe to the tasks' changes (after commit) and the inboxes' (publish_inbox waits for the commit
    itself); idempotent: a second subscription is ignored."""
    on_task_changed(publish_task_changed)
    on_inbox_changed(publish_inbox)
