"""Who wants to know that a task changed: other domains subscribe here instead of tasks importing them.

- `in_transaction` listeners run inside the write transaction that changed the task, so whatever they
  write (pre-aggregated figures, say) commits or rolls back with the change itself.
- `after_commit` listeners run once the change is committed (live updates, anything slow or external).

Every write to a task row goes through `tasks.services`, which calls `task_changed` after the write.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from server.lib.db import after_commit

# (task_id, action) → None; action is a transition name, or "create", "assignees", "progress", "deadline",
# "comment", "extension_requested", "extension_rejected" (the last three leave the task row itself unchanged).
TaskListener = Callable[[int, str], Awaitable[None]]

_in_transaction: list[TaskListener] = []
_after_commit: list[TaskListener] = []


def on_task_changed(listener: TaskListener, *, in_transaction: bool = False) -> None:
    """Subscribe once (at start-up); subscribing the same listener twice is a no-op."""
    target = _in_transaction if in_transaction else _after_commit
    if listener not in target:
        target.append(listener)


async def task_changed(task_id: int, action: str) -> None:
    for listener in list(_in_transaction):
        await listener(task_id, action)
    for listener in list(_after_commit):
        await after_commit(lambda listener=listener: listener(task_id, action))
