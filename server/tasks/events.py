"""The one road by which a task's side effects leave the tasks domain: tasks publish, other domains listen.

Every write to a task goes through the tasks services, which call `task_changed` once the write (and its
history entry) is done. `tasks` imports none of its listeners; each domain registers its own at import of
its package (server/notifications, server/reports, server/live, server/dashboard), so the app, the worker,
the CLI and the tests all get them (every process that touches the database imports the domains' packages
through piccolo_conf's APP_REGISTRY; live is imported by the app and the worker, the two that can publish).

- `in_transaction` listeners run inside the write transaction that changed the task, so whatever they
  write (pre-aggregated figures, inbox items) commits or rolls back with the change itself.
- `after_commit` listeners run once the change is committed (live updates, a citizen's public answer,
  anything slow or external).

Two shapes of listener: a plain one gets `(task_id, action)`; a detailed one gets the whole `TaskChange`
(who acted, and what the action carries: a reason, the people newly assigned, the chosen photos...).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from server.lib.db import after_commit

# action: a transition name ("assign", "start", "submit", "approve", "return", "cancel"), or "create",
# "assignees", "progress", "deadline", "comment", "extension_requested", "extension_rejected", "parts_done",
# "chase" (the last few leave the task row itself unchanged).


@dataclass(frozen=True)
class TaskChange:
    task_id: int
    action: str
    actor_id: int | None = None
    # What the action carries, by action: reason (transitions), public_photo_ids (approve), added (assignees),
    # note (comment, extension_requested, chase), extension/approved/requested_by/note (an extension decided),
    # event_id/recipients (chase).
    info: dict[str, Any] = field(default_factory=dict)
    # What in-transaction listeners tell the writer back (a chase answers with how many people were told).
    outcome: dict[str, Any] = field(default_factory=dict)


TaskListener = Callable[[int, str], Awaitable[None]]
ChangeListener = Callable[[TaskChange], Awaitable[None]]

# (listener, detailed): detailed listeners get the TaskChange, plain ones (task_id, action).
_in_transaction: list[tuple[Callable[..., Awaitable[None]], bool]] = []
_after_commit: list[tuple[Callable[..., Awaitable[None]], bool]] = []


def _subscribe(listener: Callable[..., Awaitable[None]], *, in_transaction: bool, detailed: bool) -> None:
    target = _in_transaction if in_transaction else _after_commit
    if all(known is not listener for known, _ in target):
        target.append((listener, detailed))


def on_task_changed(listener: TaskListener, *, in_transaction: bool = False) -> None:
    """Subscribe a plain listener once (at start-up); subscribing the same listener twice is a no-op."""
    _subscribe(listener, in_transaction=in_transaction, detailed=False)


def on_task_change(listener: ChangeListener, *, in_transaction: bool = False) -> None:
    """Subscribe a detailed listener once (at start-up); subscribing the same listener twice is a no-op."""
    _subscribe(listener, in_transaction=in_transaction, detailed=True)


def _call(listener: Callable[..., Awaitable[None]], detailed: bool, change: TaskChange) -> Awaitable[None]:
    return listener(change) if detailed else listener(change.task_id, change.action)


async def task_changed(task_id: int, action: str, *, actor_id: int | None = None, **info: Any) -> TaskChange:
    change = TaskChange(task_id=task_id, action=action, actor_id=actor_id, info=info)
    # The after-commit listeners are queued first: a page hears that the task changed before it hears of the
    # inbox items an in-transaction listener wrote about it (their own after-commit work comes later).
    for listener, detailed in list(_after_commit):
        await after_commit(lambda listener=listener, detailed=detailed: _call(listener, detailed, change))
    for listener, detailed in list(_in_transaction):
        await _call(listener, detailed, change)
    return change
