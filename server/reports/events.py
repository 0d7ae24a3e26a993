"""A report's own event: it was accepted (a task was made from it for a unit) or resolved (its answer is public).

Reports publish; other domains listen (server/webhooks), so reports import none of them. A listener is called
where the change is made, inside its write transaction: what it writes (a webhook's delivery and its job)
commits or rolls back with the change itself, and anything slow waits for the job queue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

# (report_id, action: "accepted" | "resolved", actor_id) → None
ReportListener = Callable[[int, str, int | None], Awaitable[None]]

_listeners: list[ReportListener] = []


def on_report_changed(listener: ReportListener) -> None:
    """Subscribe once (at start-up); subscribing the same listener twice is a no-op."""
    if listener not in _listeners:
        _listeners.append(listener)


async def report_changed(report_id: int, action: str, *, actor_id: int | None = None) -> None:
    for listener in list(_listeners):
        await listener(report_id, action, actor_id)
