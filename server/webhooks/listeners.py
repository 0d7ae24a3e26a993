"""Which changes become webhook events: the webhooks domain's listeners of the tasks' events
(server/tasks/events.py) and of the reports' (server/reports/events.py), inside the change's transaction, so
the delivery and its job commit with the change (and the worker sends them after). An overdue task is noticed
by the worker's tick instead (jobs.py), as the reminders are.
"""

from __future__ import annotations

from server.reports.events import on_report_changed
from server.tasks.events import TaskChange, on_task_change
from server.webhooks import payloads
from server.webhooks.services import active_subscriptions, publish

# A task's transitions that are events; the rest (start, progress, comments, ...) are not sent.
TASK_EVENTS = {"assign": "task.assigned", "submit": "task.submitted", "approve": "task.done",
               "return": "task.returned"}
REPORT_EVENTS = {"accepted": "report.accepted", "resolved": "report.resolved"}


async def on_task_change_publish(change: TaskChange) -> None:
    event_type = TASK_EVENTS.get(change.action)
    if event_type is None:
        return
    subscriptions = await active_subscriptions(event_type)
    if not subscriptions:  # the usual case: one small read, nothing else
        return
    subject = await payloads.task_subject(change.task_id)
    if subject is not None:
        await publish(event_type, subject[0], subject[1], subscriptions=subscriptions)


async def on_report_change_publish(report_id: int, action: str, actor_id: int | None) -> None:
    event_type = REPORT_EVENTS.get(action)
    if event_type is None:
        return
    subscriptions = await active_subscriptions(event_type)
    if not subscriptions:
        return
    subject = await payloads.report_subject(report_id)
    if subject is not None:
        await publish(event_type, subject[0], subject[1], subscriptions=subscriptions)


def subscribe() -> None:
    """Listen to the tasks' and the reports' events (idempotent: a second subscription is ignored)."""
    on_task_change(on_task_change_publish, in_transaction=True)
    on_report_changed(on_report_change_publish)
