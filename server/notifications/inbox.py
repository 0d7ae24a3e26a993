"""The inbox, and `notify()`: the one way to tell someone something.

`notify()` writes the inbox item and, in the same transaction, the jobs that deliver it by push (and e-mail), so an
item never exists without its delivery queued, nor a delivery without its item. With a `dedupe_key` it happens
at most once, ever: the reminder schedule relies on that to run every few minutes on any number of workers.
The words of each kind of notice (EVENT_TITLES) and who manages a unit are here too: listeners and the schedule
share them.
"""

from __future__ import annotations

from typing import Any

from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import NotFound
from server.notifications import jobs
from server.notifications.events import inbox_changed
from server.notifications.preferences import get_person_settings, push_time
from server.notifications.tables import Notification, PushSubscription
from server.people.tables import Person
from server.settings import get_settings

MAX_LINK = 500


MAX_BODY = 1000


def task_link(task_id: int) -> str:
    return f"/tasks/{task_id}"


async def notify(
    person_id: int,
    kind: str,
    title: str,
    body: str = "",
    *,
    link: str = "",
    task_id: int | None = None,
    dedupe_key: str | None = None,
    mail_context: dict[str, Any] | None = None,
    push_as: str | None = None,
) -> int | None:
    """Create an inbox item and queue its delivery; None when `dedupe_key` was already used.

    The person's settings choose the channels: push for the kinds they chose (after quiet hours), and
    e-mail when they turned it on and have an address, through the event's template (`mail_context` holds
    the facts it shows: task_title, deadline, days, note, …). `push_as`: the settings' kind that decides the
    channels of a kind that has no setting of its own.
    """
    now = clock.now()
    async with write_transaction():
        rows = await Notification.raw(
            "INSERT INTO notifications (person, kind, title, body, link, task_id, created_at, dedupe_key)"
            " VALUES ({}, {}, {}, {}, {}, {}, {}, {}) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            person_id, kind, title[:500], body[:MAX_BODY], link[:MAX_LINK], task_id, now, dedupe_key,
        )
        if not rows:
            return None
        notification_id = rows[0]["id"]
        settings = await get_person_settings(person_id)
        channel_kind = push_as or kind
        if channel_kind in settings["push_kinds"]:
            subscriptions = await PushSubscription.select(PushSubscription.id).where(
                PushSubscription.person == person_id
            )
            run_at = push_time(now, settings["quiet_hours"])
            for subscription in subscriptions:
                await jobs.enqueue(
                    "push",
                    {"notification": notification_id, "subscription": subscription["id"]},
                    run_at=run_at,
                    dedupe_key=f"push:{notification_id}:{subscription['id']}",
                )
        if settings["email"] and channel_kind in settings["push_kinds"]:
            await _queue_email(
                person_id, notification_id, channel_kind,
                {"title": title, "body": body, "link": _absolute(link) if link else "", **(mail_context or {})},
            )
    await _publish_live(person_id, notification_id)
    return notification_id


async def _publish_live(person_id: int, notification_id: int) -> None:
    """Tell whoever listens (server/live: the person's open screens) that this inbox changed."""
    await inbox_changed(person_id, notification_id)


EVENT_TITLES = {
    "assigned": "Bạn được giao nhiệm vụ: {title}",
    "submitted": "Nhiệm vụ chờ duyệt: {title}",
    "returned": "Nhiệm vụ bị trả lại: {title}",
    "approved": "Nhiệm vụ được duyệt hoàn thành: {title}",
    "cancelled": "Nhiệm vụ đã hủy: {title}",
    "extension_requested": "Đề nghị gia hạn: {title}",
    "extension_approved": "Đề nghị gia hạn được chấp thuận: {title}",
    "extension_rejected": "Đề nghị gia hạn không được chấp thuận: {title}",
    "comment": "Ý kiến mới về nhiệm vụ: {title}",
    "due_before": "Còn {days} ngày làm việc đến hạn: {title}",
    "due_today": "Hôm nay là hạn xử lý: {title}",
    "overdue": "Quá hạn {days} ngày làm việc: {title}",
    "escalate_head": "Nhiệm vụ của đơn vị quá hạn {days} ngày làm việc: {title}",
    "escalate_leader": "Nhiệm vụ quá hạn {days} ngày làm việc: {title}",
    "digest": "Tóm tắt công việc hôm nay",
    "report_routed": "Phản ánh {code} được chuyển đến đơn vị: {title}",
    "report_due_soon": "Phản ánh {code} còn {days} ngày làm việc đến hạn trả lời",
    "report_due_today": "Phản ánh {code} đến hạn trả lời hôm nay",
    "report_overdue": "Phản ánh {code} quá hạn trả lời {days} ngày làm việc",
}


REPORT_DEADLINE_LINE = "Hạn trả lời người dân: {deadline}"


DEADLINE_LINE = "Hạn xử lý: {deadline}"


RETURN_REASON_LINE = "Lý do trả lại: {reason}"


DIGEST_LINE = "{open} nhiệm vụ đang thực hiện; {overdue} quá hạn; {due_today} đến hạn hôm nay; {due_soon} sắp đến hạn"


DIGEST_UNIT_LINE = "Đơn vị có {unit_overdue} nhiệm vụ quá hạn"


async def _people(ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = await Person.select(Person.id, Person.locale).where(Person.id.is_in(ids) & Person.active.eq(True))
    return {row["id"]: row for row in rows}


async def _managers_of(unit_path: str, role: str) -> list[int]:
    """People of `role` whose unit contains `unit_path`; for unit heads only the nearest ones."""
    rows = await Person.select(Person.id, Person.unit.path).where(
        (Person.role == role) & Person.active.eq(True)
    )
    matching = [r for r in rows if unit_path.startswith(r["unit.path"])]
    if role == "unit_head" and matching:
        nearest = max(len(r["unit.path"]) for r in matching)
        matching = [r for r in matching if len(r["unit.path"]) == nearest]
    return sorted(r["id"] for r in matching)


def _item(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "title": row["title"],
        "body": row["body"],
        "link": row["link"],
        "task_id": row["task_id"],
        "created_at": row["created_at"],
        "read_at": row["read_at"],
    }


async def inbox(person_id: int, *, unread_only: bool = False, limit: int = 50, before_id: int | None = None
                ) -> dict[str, Any]:
    unread = await Notification.count().where((Notification.person == person_id) & Notification.read_at.is_null())
    query = Notification.select().where(Notification.person == person_id)
    if unread_only:
        query = query.where(Notification.read_at.is_null())
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    rows = await query.order_by(Notification.id, ascending=False).limit(limit)
    return {"unread": unread, "items": [_item(row) for row in rows]}


async def mark_read(person_id: int, notification_id: int) -> dict[str, Any]:
    row = await Notification.select().where(
        (Notification.id == notification_id) & (Notification.person == person_id)
    ).first()
    if row is None:
        raise NotFound("notification_not_found", "Không tìm thấy thông báo")
    if row["read_at"] is None:
        row["read_at"] = clock.now()
        await Notification.update({Notification.read_at: row["read_at"]}).where(Notification.id == notification_id)
        await _publish_live(person_id, notification_id)  # the other tabs' unread badges
    return _item(row)


async def mark_all_read(person_id: int) -> int:
    rows = await Notification.update({Notification.read_at: clock.now()}).where(
        (Notification.person == person_id) & Notification.read_at.is_null()
    ).returning(Notification.id)
    if rows:
        await _publish_live(person_id, 0)
    return len(rows)


async def _queue_email(person_id: int, notification_id: int, kind: str, context: dict[str, Any]) -> int | None:
    """Queue the e-mail of an inbox item, in its transaction; once per item (dedupe key)."""
    from server.mail import render as mail_templates
    from server.mail import services as mail

    person = await Person.select(Person.email, Person.full_name, Person.locale).where(Person.id == person_id).first()
    if person is None or not mail.valid_address(person["email"]):
        return None
    return await mail.queue_template(
        mail_templates.template_for(kind), to_address=person["email"], to_name=person["full_name"],
        locale=person["locale"], person_id=person_id, context=context,
        dedupe_key=f"notification:{notification_id}",
    )


def _absolute(link: str) -> str:
    if link.startswith(("http://", "https://")):
        return link
    return get_settings().base_url + link
