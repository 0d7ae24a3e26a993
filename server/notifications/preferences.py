"""Each person's choices: which kinds reach their phone (push) and e-mail, and quiet hours.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.lib.db import write_transaction
from server.lib.errors import Invalid
from server.notifications import reminders
from server.notifications.tables import NotificationSetting
from server.people.tables import Person

EVENT_KINDS = (
    "assigned",
    "submitted",
    "returned",
    "approved",
    "cancelled",
    "extension_requested",
    "extension_approved",
    "extension_rejected",
    "comment",
    "chase",
    "due_before",
    "due_today",
    "overdue",
    "escalate_head",
    "escalate_leader",
    "digest",
    "report_routed",
    "report_due_soon",
    "report_due_today",
    "report_overdue",
)


QUIET_START = (21, 0)


QUIET_END = (7, 0)


DEFAULT_SETTINGS: dict[str, Any] = {"push_kinds": list(EVENT_KINDS), "quiet_hours": True, "email": False}


async def get_person_settings(person_id: int) -> dict[str, Any]:
    row = await NotificationSetting.select().where(NotificationSetting.person == person_id).first()
    if row is None:
        return dict(DEFAULT_SETTINGS)
    kinds = list(EVENT_KINDS) if row["push_kinds"] == "*" else [k for k in row["push_kinds"].split(",") if k]
    return {"push_kinds": kinds, "quiet_hours": bool(row["quiet_hours"]), "email": bool(row["email"])}


async def set_person_settings(
    person_id: int, *, push_kinds: list[str] | None, quiet_hours: bool, email: bool = False
) -> dict[str, Any]:
    kinds = sorted(set(push_kinds)) if push_kinds is not None else None
    if kinds is not None and any(k not in EVENT_KINDS for k in kinds):
        raise Invalid("notification_kind_unknown", "Loại thông báo không hợp lệ")
    stored = "*" if kinds is None or set(kinds) == set(EVENT_KINDS) else ",".join(kinds)
    async with write_transaction():
        existing = await NotificationSetting.select(NotificationSetting.id).where(
            NotificationSetting.person == person_id
        ).first()
        values = {
            NotificationSetting.push_kinds: stored,
            NotificationSetting.quiet_hours: quiet_hours,
            NotificationSetting.email: email,
        }
        if existing:
            await NotificationSetting.update(values).where(NotificationSetting.id == existing["id"])
        else:
            await NotificationSetting.insert(
                NotificationSetting(person=person_id, push_kinds=stored, quiet_hours=quiet_hours, email=email)
            )
    return await get_person_settings(person_id)


def push_time(now: dt.datetime, quiet_hours: bool) -> dt.datetime:
    """When a push created now may go out: at once, or at 07:00 Vietnamese time after quiet hours."""
    if quiet_hours and reminders.in_quiet_hours(now, QUIET_START, QUIET_END):
        return reminders.next_local_time(now, *QUIET_END)
    return now


async def email_address_of(person_id: int) -> str:
    row = await Person.select(Person.email).where(Person.id == person_id).first()
    return row["email"] if row else ""
