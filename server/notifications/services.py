"""Notifications: the inbox, who is told about what, the reminder schedule, and the jobs that deliver.

`notify()` is the one way to tell someone something. It writes the inbox item and, in the same
transaction, the jobs that deliver it by push (and e-mail), so an item never exists without its delivery
queued, nor a delivery without its item. With a `dedupe_key` it happens at most once, ever: the reminder
schedule relies on that to run every few minutes on any number of workers.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections import defaultdict
from typing import Any
from urllib.parse import urlparse

from server.holidays.services import invalidate_calendar_cache, load_calendar
from server.lib import clock, i18n
from server.lib.db import write_transaction
from server.lib.errors import Invalid, NotFound
from server.notifications import jobs, push, reminders
from server.notifications.reminders import Due, PersonInfo, TaskInfo
from server.notifications.tables import Notification, NotificationSetting, PushSubscription
from server.people.tables import Person
from server.settings import get_settings

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
    "due_before",
    "due_today",
    "overdue",
    "escalate_head",
    "escalate_leader",
    "digest",
)
URGENCY = {
    "overdue": "high",
    "escalate_head": "high",
    "escalate_leader": "high",
    "due_today": "high",
    "digest": "low",
    "comment": "low",
}
QUIET_START = (21, 0)
QUIET_END = (7, 0)
SCHEDULE_EVERY = dt.timedelta(minutes=5)
MAX_LINK = 500
MAX_BODY = 1000

# The reminder thresholds; one set for now (see reminders.DEFAULT_RULES), per jurisdiction later.
REMINDER_RULES: dict[str, Any] = dict(reminders.DEFAULT_RULES)


def task_link(task_id: int) -> str:
    return f"/tasks/{task_id}"


def _translate(locale: str, message: str, **values: object) -> str:
    token = i18n.current_locale.set(locale if locale in i18n.LOCALES else i18n.DEFAULT_LOCALE)
    try:
        return i18n.gettext(message, **values)
    finally:
        i18n.current_locale.reset(token)


# ---------------------------------------------------------------- settings


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


# ---------------------------------------------------------------- notify: the one way to tell someone


async def notify(
    person_id: int,
    kind: str,
    title: str,
    body: str = "",
    *,
    link: str = "",
    task_id: int | None = None,
    dedupe_key: str | None = None,
) -> int | None:
    """Create an inbox item and queue its delivery; None when `dedupe_key` was already used."""
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
        if kind in settings["push_kinds"]:
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
        if settings["email"]:
            await jobs.enqueue("email", {"notification": notification_id}, dedupe_key=f"email:{notification_id}")
    await _publish_live(person_id, notification_id)
    return notification_id


async def _publish_live(person_id: int, notification_id: int) -> None:
    """Hook for live updates (Litestar channels); a no-op until the channels plugin is wired in."""
    return None


# ---------------------------------------------------------------- task events → inbox


async def _task_facts(task_id: int) -> dict[str, Any] | None:
    # Read-only look at the tasks domain's tables; tasks.services calls on_task_event with the id.
    from server.tasks.tables import Task, TaskAssignee

    row = await Task.select(
        Task.id, Task.title, Task.state, Task.deadline, Task.lead_unit, Task.lead_unit.path,
        Task.parent, Task.parent.lead_unit.path,
    ).where(Task.id == task_id).first()
    if row is None:
        return None
    assignees = await TaskAssignee.select(TaskAssignee.person).where(
        (TaskAssignee.task == task_id) & TaskAssignee.removed_at.is_null()
    )
    row["assignee_ids"] = sorted({a["person"] for a in assignees})
    return row


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


async def _approvers(task: dict[str, Any]) -> list[int]:
    """A top-level task is approved by the jurisdiction's leaders; a split part by the parent unit's head."""
    parent_path = task.get("parent.lead_unit.path")
    if task.get("parent") is None or not parent_path:
        return await _managers_of(task["lead_unit.path"], "leader")
    return await _managers_of(parent_path, "unit_head") or await _managers_of(parent_path, "leader")


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
}
DEADLINE_LINE = "Hạn xử lý: {deadline}"
DIGEST_LINE = "{open} nhiệm vụ đang thực hiện; {overdue} quá hạn; {due_today} đến hạn hôm nay; {due_soon} sắp đến hạn"
DIGEST_UNIT_LINE = "Đơn vị có {unit_overdue} nhiệm vụ quá hạn"


async def on_task_event(kind: str, task_id: int, actor_id: int | None, **info: Any) -> list[int]:
    """Tell the people concerned that something happened to a task. Called by tasks.services, inside its
    write transaction, after the change: the inbox item exists exactly when the change does.

    kind: assigned (info person_ids: the newly assigned, default all current assignees), submitted, returned
    (info reason), approved, cancelled (info reason), extension_requested, extension_decided (info approved:
    bool, requested_by: person id), comment (info note). The actor is never told about their own act.
    """
    task = await _task_facts(task_id)
    if task is None:
        return []
    assignees: list[int] = task["assignee_ids"]
    note = str(info.get("reason") or info.get("note") or "")
    if kind == "assigned":
        recipients = list(info.get("person_ids") or assignees)
    elif kind in {"submitted", "extension_requested"}:
        recipients = await _approvers(task)
    elif kind in {"returned", "approved", "cancelled"}:
        recipients = assignees or await _managers_of(task["lead_unit.path"], "unit_head")
    elif kind == "extension_decided":
        kind = "extension_approved" if info.get("approved") else "extension_rejected"
        requester = info.get("requested_by")
        recipients = [int(requester)] if requester else assignees
    elif kind == "comment":
        recipients = sorted(set(assignees) | set(await _managers_of(task["lead_unit.path"], "unit_head")))
    else:
        raise ValueError(f"unknown task event {kind!r}")
    recipients = sorted({int(p) for p in recipients} - {actor_id} if actor_id else {int(p) for p in recipients})
    people = await _people(recipients)
    created: list[int] = []
    for person_id in recipients:
        if person_id not in people:
            continue
        locale = people[person_id]["locale"]
        title = _translate(locale, EVENT_TITLES[kind], title=task["title"])
        lines = []
        if note:
            lines.append(note[:300])
        if task["deadline"] and kind in {"assigned", "returned", "extension_approved"}:
            lines.append(_translate(locale, DEADLINE_LINE, deadline=i18n.format_date(task["deadline"])))
        notification_id = await notify(
            person_id, kind, title, "\n".join(lines), link=task_link(task_id), task_id=task_id
        )
        if notification_id:
            created.append(notification_id)
    return created


# ---------------------------------------------------------------- the reminder schedule


async def _schedule_inputs() -> tuple[list[TaskInfo], list[PersonInfo]]:
    from server.tasks.tables import Task, TaskAssignee

    open_states = sorted(reminders.OPEN_STATES)
    rows = await Task.select(
        Task.id, Task.title, Task.state, Task.deadline, Task.lead_unit, Task.lead_unit.path
    ).where(Task.state.is_in(open_states))
    ids = [row["id"] for row in rows]
    assigned: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for a in await TaskAssignee.select(TaskAssignee.task, TaskAssignee.person).where(
            TaskAssignee.task.is_in(chunk) & TaskAssignee.removed_at.is_null()
        ):
            assigned[a["task"]].append(a["person"])
    tasks = [
        TaskInfo(
            id=row["id"], title=row["title"], state=row["state"], deadline=row["deadline"],
            lead_unit_id=row["lead_unit"], lead_unit_path=row["lead_unit.path"],
            assignee_ids=tuple(sorted(assigned.get(row["id"], []))),
        )
        for row in rows
    ]
    people_rows = await Person.select(Person.id, Person.role, Person.unit, Person.unit.path).where(
        Person.active.eq(True) & Person.role.is_in(["unit_head", "leader"])
    )
    people = [PersonInfo(r["id"], r["role"], r["unit"], r["unit.path"]) for r in people_rows]
    return tasks, people


async def _deliver_due(due: Due, locale: str) -> int | None:
    if due.rule == "digest":
        counts = due.info
        lines = [_translate(locale, DIGEST_LINE, **counts)]
        if counts.get("unit_overdue"):
            lines.append(_translate(locale, DIGEST_UNIT_LINE, unit_overdue=counts["unit_overdue"]))
        return await notify(
            due.person_id, "digest", _translate(locale, EVENT_TITLES["digest"]), "\n".join(lines),
            link="/tasks", dedupe_key=f"reminder:{due.key}",
        )
    assert due.task is not None
    title = _translate(locale, EVENT_TITLES[due.rule], title=due.task.title, days=due.info.get("days", 0))
    body = _translate(locale, DEADLINE_LINE, deadline=i18n.format_date(due.task.deadline))
    return await notify(
        due.person_id, due.rule, title, body, link=task_link(due.task.id), task_id=due.task.id,
        dedupe_key=f"reminder:{due.key}",
    )


async def run_schedule(now: dt.datetime | None = None, rules: dict[str, Any] | None = None) -> int:
    """Create every reminder and digest due now that does not exist yet; returns how many were created.

    Safe to run any number of times, on any number of workers at once: each reminder's dedupe key is
    UNIQUE in the inbox, and the push jobs are written in the same transaction as the inbox item.
    """
    now = now or clock.now()
    rules = rules or REMINDER_RULES
    calendar = await load_calendar()
    tasks, managers = await _schedule_inputs()
    due = reminders.due_reminders(tasks, managers, calendar, now, rules)
    due += reminders.due_digests(tasks, managers, calendar, now, rules)
    if not due:
        return 0
    people = await _people(sorted({d.person_id for d in due}))
    created = 0
    for item in due:
        person = people.get(item.person_id)
        if person is None:
            continue
        if await _deliver_due(item, person["locale"]) is not None:
            created += 1
    return created


def schedule_slot(now: dt.datetime) -> dt.datetime:
    seconds = int(SCHEDULE_EVERY.total_seconds())
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


async def ensure_scheduled(now: dt.datetime | None = None) -> None:
    """Make sure a schedule tick is queued for the current slot (every worker calls this at start)."""
    slot = schedule_slot(now or clock.now())
    await jobs.enqueue("schedule", {}, run_at=slot, dedupe_key=f"schedule:{slot.isoformat()}")


async def handle_schedule(payload: dict[str, Any]) -> None:
    """Run the schedule (as of payload["at"], an ISO time, when given: a replay after an outage), then
    queue the next tick; every worker that finishes a tick queues the same next one, which dedupes."""
    at = payload.get("at")
    # The calendar is cached per process; the admin may have changed holidays since the last tick.
    invalidate_calendar_cache()
    await run_schedule(dt.datetime.fromisoformat(at) if at else None)
    next_slot = schedule_slot(clock.now()) + SCHEDULE_EVERY
    await jobs.enqueue("schedule", {}, run_at=next_slot, dedupe_key=f"schedule:{next_slot.isoformat()}")
    await jobs.purge_finished()


# ---------------------------------------------------------------- push delivery (a job)


class PermanentJobError(Exception):
    """A failure that another attempt cannot fix: the job fails at once."""


async def handle_push(payload: dict[str, Any]) -> str:
    notification = await Notification.select().where(Notification.id == payload["notification"]).first()
    subscription = await PushSubscription.select().where(PushSubscription.id == payload["subscription"]).first()
    if notification is None or subscription is None:
        return "skipped"
    message = {
        "title": notification["title"],
        "body": notification["body"],
        "url": _absolute(notification["link"] or "/"),
        "kind": notification["kind"],
        "id": notification["id"],
        "tag": f"task-{notification['task_id']}" if notification["task_id"] else notification["kind"],
    }
    result = await push.send(
        subscription,
        message,
        ttl=push.DEFAULT_TTL_SECONDS,
        urgency=URGENCY.get(notification["kind"], "normal"),
        topic=push.topic_for(f"n{notification['id']}"),
    )
    if result.gone:
        await PushSubscription.delete().where(PushSubscription.id == subscription["id"])
        return "gone"
    if not result.ok:
        if result.status is not None and 400 <= result.status < 500 and result.status not in {408, 429}:
            raise PermanentJobError(result.error)
        raise RuntimeError(result.error or "push failed")
    return "sent"


def _absolute(link: str) -> str:
    if link.startswith(("http://", "https://")):
        return link
    return get_settings().base_url + link


# ---------------------------------------------------------------- subscriptions


def _b64_length(value: str) -> int:
    try:
        return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (binascii.Error, ValueError):
        return -1


async def subscribe(person_id: int, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> dict[str, Any]:
    parsed = urlparse(endpoint or "")
    allowed = {"https"} if get_settings().production else {"https", "http"}
    if parsed.scheme not in allowed or not parsed.netloc or len(endpoint) > 1000:
        raise Invalid("push_endpoint_invalid", "Địa chỉ nhận thông báo không hợp lệ")
    if _b64_length(p256dh) != 65 or _b64_length(auth) != 16:
        raise Invalid("push_keys_invalid", "Khóa nhận thông báo không hợp lệ")
    async with write_transaction():
        existing = await PushSubscription.select(PushSubscription.id).where(
            PushSubscription.endpoint == endpoint
        ).first()
        # The same browser signed in as someone else now belongs to them.
        if existing:
            await PushSubscription.update(
                {PushSubscription.person: person_id, PushSubscription.p256dh: p256dh, PushSubscription.auth: auth,
                 PushSubscription.user_agent: user_agent[:500]}
            ).where(PushSubscription.id == existing["id"])
            subscription_id = existing["id"]
        else:
            rows = await PushSubscription.insert(
                PushSubscription(person=person_id, endpoint=endpoint, p256dh=p256dh, auth=auth,
                                 user_agent=user_agent[:500], created_at=clock.now())
            ).returning(PushSubscription.id)
            subscription_id = rows[0]["id"]
    return {"id": subscription_id, "endpoint": endpoint}


async def unsubscribe(person_id: int, endpoint: str) -> bool:
    rows = await PushSubscription.delete().where(
        (PushSubscription.person == person_id) & (PushSubscription.endpoint == endpoint)
    ).returning(PushSubscription.id)
    return bool(rows)


# ---------------------------------------------------------------- inbox


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
    return _item(row)


async def mark_all_read(person_id: int) -> int:
    rows = await Notification.update({Notification.read_at: clock.now()}).where(
        (Notification.person == person_id) & Notification.read_at.is_null()
    ).returning(Notification.id)
    return len(rows)


# ---------------------------------------------------------------- e-mail delivery (a job)


async def handle_email(payload: dict[str, Any]) -> str:
    """Write the message to the local mail sink (DATA_DIR/mail/<id>.eml); idempotent by file name.

    SMTP for production is the next step (see the issue); the sink is what development and tests read.
    """
    from email.message import EmailMessage

    notification = await Notification.select(
        Notification.all_columns(), Notification.person.email, Notification.person.full_name
    ).where(Notification.id == payload["notification"]).first()
    if notification is None or not notification["person.email"]:
        return "skipped"
    message = EmailMessage()
    message["To"] = f'{notification["person.full_name"]} <{notification["person.email"]}>'
    message["From"] = "dieuhanh <no-reply@dieuhanh.invalid>"
    message["Subject"] = notification["title"]
    message.set_content(f"{notification['body']}\n\n{_absolute(notification['link'] or '/')}\n")
    sink = get_settings().data_dir / "mail"
    sink.mkdir(parents=True, exist_ok=True)
    path = sink / f"{notification['id']}.eml"
    partial = path.with_suffix(".tmp")
    partial.write_bytes(bytes(message))
    partial.replace(path)
    return "written"
