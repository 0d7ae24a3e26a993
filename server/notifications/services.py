"""Notifications, by responsibility; this module re-exports them so that callers keep
`from server.notifications import services`.

- inbox.py        `notify()` (the one way to tell someone something), the inbox, the notices' words
- preferences.py  each person's channels and quiet hours
- rules.py        each jurisdiction's reminder and escalation thresholds
- schedule.py     the reminder schedule (the worker's "schedule" job)
- push.py         Web Push: VAPID keys, sending, the "push" job, subscriptions
- listeners.py    who is told what when a task changes (the tasks' events)
- reminders.py    the pure rules of which reminders are due

The "email" job of before server/mail (`handle_email`) stays here until it moves to server/mail.
"""

from __future__ import annotations

from typing import Any

from server.lib.db import write_transaction
from server.notifications.inbox import (  # noqa: F401
    DEADLINE_LINE,
    DIGEST_LINE,
    DIGEST_UNIT_LINE,
    EVENT_TITLES,
    MAX_BODY,
    MAX_LINK,
    REPORT_DEADLINE_LINE,
    RETURN_REASON_LINE,
    _absolute,
    _item,
    _managers_of,
    _people,
    _publish_live,
    _queue_email,
    inbox,
    mark_all_read,
    mark_read,
    notify,
    task_link,
)
from server.notifications.listeners import (  # noqa: F401
    REPORT_SOURCES,
    _approvers,
    _task_facts,
    on_task_event,
)
from server.notifications.preferences import (  # noqa: F401
    DEFAULT_SETTINGS,
    EVENT_KINDS,
    QUIET_END,
    QUIET_START,
    email_address_of,
    get_person_settings,
    push_time,
    set_person_settings,
)
from server.notifications.push import (  # noqa: F401
    URGENCY,
    _b64_length,
    handle_push,
    subscribe,
    unsubscribe,
)
from server.notifications.rules import (  # noqa: F401
    JURISDICTION_KINDS,
    MAX_ESCALATION_DAYS,
    MAX_OFFSET_DAYS,
    REMINDER_RULES,
    _jurisdiction_unit,
    _parse_hhmm,
    _public_rules,
    _rules_of_row,
    get_reminder_rules,
    jurisdiction_units,
    rules_by_path,
    rules_lookup,
    set_reminder_rules,
)
from server.notifications.schedule import (  # noqa: F401
    SCHEDULE_EVERY,
    _dedupe_keys_used,
    _deliver_due,
    _person_paths,
    _schedule_inputs,
    _under,
    ensure_scheduled,
    handle_schedule,
    run_schedule,
    schedule_slot,
)
from server.notifications.tables import Notification


async def handle_email(payload: dict[str, Any]) -> str:
    """Jobs of kind "email" queued before server/mail existed: queue the item's e-mail now (once)."""
    notification_id = payload.get("notification")
    if not isinstance(notification_id, int):
        return "skipped"
    row = await Notification.select().where(Notification.id == notification_id).first()
    if row is None:
        return "skipped"
    async with write_transaction():
        queued = await _queue_email(row["person"], row["id"], row["kind"], {
            "title": row["title"], "body": row["body"], "link": _absolute(row["link"]) if row["link"] else ""})
    return "queued" if queued else "skipped"
