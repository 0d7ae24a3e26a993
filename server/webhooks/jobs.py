"""The webhooks' background work, registered by the worker (server/worker.py DOMAIN_JOB_MODULES):

- `webhooks.deliver`: send one delivery (delivery.py); the queue retries it with its backoff.
- `webhooks.overdue`: at every tick of the worker's schedule, the tasks that became overdue are events
  (`task.overdue`) for the subscriptions that want them, once per task and deadline. A task becomes overdue by
  the calendar, not by a write, so no task event says it; the tick notices it, as the reminders' schedule does
  (server/notifications/schedule.py), and looks back a few days only, so that its cost does not grow with
  history (a task long overdue before the subscription was made is not announced).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from server.lib import clock
from server.tasks.tables import Task
from server.webhooks import delivery, payloads
from server.webhooks.services import Event, active_subscriptions, publish_many
from server.webhooks.tables import WebhookDelivery

DELIVER = "webhooks.deliver"
OVERDUE = "webhooks.overdue"
# A deadline missed this many days ago at most is still announced (a worker down over a long weekend).
OVERDUE_LOOKBACK_DAYS = 7
OVERDUE_STATES = ("assigned", "in_progress", "submitted", "returned")


async def handle_deliver(payload: dict[str, Any]) -> None:
    await delivery.deliver(int(payload["delivery"]))


async def publish_overdue(today: dt.date | None = None) -> int:
    """Queue a `task.overdue` delivery for each task whose deadline passed in the last days; returns how many.

    Set-based, whatever the number of tasks: the subscriptions, the tasks with their lead units, what earlier
    ticks queued, then the deliveries and their jobs in one INSERT each (services.publish_many). Once per task
    and deadline: the event key (subscription, task, deadline) is unique, and an INSERT that meets it skips."""
    subscriptions = await active_subscriptions("task.overdue")
    if not subscriptions:
        return 0
    today = today or clock.today_vn()
    since = today - dt.timedelta(days=OVERDUE_LOOKBACK_DAYS)
    subjects = await payloads.task_subjects(
        Task.state.is_in(list(OVERDUE_STATES)) & (Task.deadline < today) & (Task.deadline >= since))
    if not subjects:
        return 0
    # What earlier ticks already queued: one read, so that a quiet tick writes nothing.
    done = {r["event_key"] for r in await WebhookDelivery.select(WebhookDelivery.event_key).where(
        (WebhookDelivery.event_type == "task.overdue")
        & (WebhookDelivery.created_at >= clock.now() - dt.timedelta(days=OVERDUE_LOOKBACK_DAYS + 2)))}
    events = []
    for unit_path, data in subjects:
        deadline = data["task"]["deadline"]
        key = f"overdue:{data['task']['id']}:{deadline.isoformat()}"
        # Overdue from the day after the deadline: a subscription made later does not hear of it.
        became = deadline + dt.timedelta(days=1)
        wanting = [s for s in subscriptions
                   if f"{s['id']}:{key}" not in done and clock.local_date(s["created_at"]) <= became]
        if wanting:
            events.append(Event(unit_path, data, key=key, subscriptions=wanting))
    if not events:
        return 0
    return len(await publish_many("task.overdue", events, subscriptions))


async def handle_overdue(payload: dict[str, Any]) -> None:
    await publish_overdue()


def register_jobs(register: Callable[..., None]) -> None:
    register(DELIVER, handle_deliver)
    register(OVERDUE, handle_overdue, every_tick=True)
