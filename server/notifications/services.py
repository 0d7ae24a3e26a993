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
from server.notifications.jobs import PermanentJobError
from server.notifications.reminders import Due, PersonInfo, TaskInfo
from server.notifications.tables import Notification, NotificationSetting, PushSubscription, ReminderRules
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
URGENCY = {
    "overdue": "high",
    "escalate_head": "high",
    "escalate_leader": "high",
    "due_today": "high",
    "digest": "low",
    "comment": "low",
    "report_overdue": "high",
    "chase": "high",
}
QUIET_START = (21, 0)
QUIET_END = (7, 0)
SCHEDULE_EVERY = dt.timedelta(minutes=5)
MAX_LINK = 500
MAX_BODY = 1000

# The default reminder thresholds (reminders.DEFAULT_RULES); each jurisdiction may set its own (ReminderRules).
REMINDER_RULES: dict[str, Any] = dict(reminders.DEFAULT_RULES)
JURISDICTION_KINDS = ("province", "district", "commune")
MAX_OFFSET_DAYS = 30
MAX_ESCALATION_DAYS = 60


def task_link(task_id: int) -> str:
    return f"/tasks/{task_id}"


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
    """Tell the person's open screens their new unread count (server/live), once the inbox item is committed."""
    from server.live.publisher import publish_inbox

    await publish_inbox(person_id, notification_id)


# ---------------------------------------------------------------- task events → inbox


async def _task_facts(task_id: int) -> dict[str, Any] | None:
    # Read-only look at the tasks domain's tables; tasks.services calls on_task_event with the id.
    from server.tasks.tables import Task, TaskAssignee

    row = await Task.select(
        Task.id, Task.title, Task.state, Task.deadline, Task.lead_unit, Task.lead_unit.path, Task.lead_unit.name,
        Task.parent, Task.parent.lead_unit.path, Task.source, Task.source_ref,
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
    "report_routed": "Phản ánh {code} được chuyển đến đơn vị: {title}",
    "report_due_soon": "Phản ánh {code} còn {days} ngày làm việc đến hạn trả lời",
    "report_due_today": "Phản ánh {code} đến hạn trả lời hôm nay",
    "report_overdue": "Phản ánh {code} quá hạn trả lời {days} ngày làm việc",
}
REPORT_SOURCES = frozenset({"citizen_report", "petition"})
REPORT_DEADLINE_LINE = "Hạn trả lời người dân: {deadline}"
DEADLINE_LINE = "Hạn xử lý: {deadline}"
RETURN_REASON_LINE = "Lý do trả lại: {reason}"
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
    notices = [(person_id, kind) for person_id in recipients]
    # A citizen report (or voter petition) accepted for a unit: its head is told the report is theirs now.
    if kind == "assigned" and not info.get("person_ids") and task.get("source") in REPORT_SOURCES:
        heads = await _managers_of(task["lead_unit.path"], "unit_head")
        notices += [(head, "report_routed") for head in heads if head != actor_id and head not in recipients]
    people = await _people(sorted({person_id for person_id, _ in notices}))
    deadline = i18n.format_date(task["deadline"]) if task["deadline"] else ""
    mail_context = {
        "task_title": task["title"], "deadline": deadline, "note": note[:2000], "unit_name": task["lead_unit.name"],
        "approved": bool(info.get("approved")), "report_code": task.get("source_ref") or "",
    }
    created: list[int] = []
    for person_id, notice in notices:
        if person_id not in people:
            continue
        locale = people[person_id]["locale"]
        title = i18n.gettext_in(locale, EVENT_TITLES[notice], title=task["title"], code=task.get("source_ref") or "")
        lines = []
        if note and notice == "returned":  # what to mend, said as such in the push and the inbox
            lines.append(i18n.gettext_in(locale, RETURN_REASON_LINE, reason=note[:300]))
        elif note:
            lines.append(note[:300])
        if task["deadline"] and notice in {"assigned", "returned", "extension_approved", "report_routed"}:
            lines.append(i18n.gettext_in(locale, DEADLINE_LINE, deadline=deadline))
        notification_id = await notify(
            person_id, notice, title, "\n".join(lines), link=task_link(task_id), task_id=task_id,
            mail_context=mail_context,
        )
        if notification_id:
            created.append(notification_id)
    return created


# ---------------------------------------------------------------- each jurisdiction's reminder rules


def _parse_hhmm(value: str) -> tuple[int, int]:
    hour, _, minute = (value or "").partition(":")
    return int(hour), int(minute)


def _rules_of_row(row: dict[str, Any]) -> dict[str, Any]:
    offsets = [int(part) for part in row["before_days"].split(",") if part.strip()]
    return {
        "before_days": tuple(sorted({d for d in offsets if d > 0}, reverse=True)),
        "on_the_day": 0 in offsets,
        "head_after": row["head_after"],
        "leader_after": row["leader_after"],
        "digest_at": _parse_hhmm(row["digest_at"]),
    }


def _public_rules(unit: dict[str, Any], rules: dict[str, Any], *, own: bool) -> dict[str, Any]:
    offsets = [*rules["before_days"], *([0] if rules["on_the_day"] else [])]
    hour, minute = rules["digest_at"]
    return {
        "unit_id": unit["id"],
        "unit_name": unit["name"],
        "before_days": offsets,
        "head_after": rules["head_after"],
        "leader_after": rules["leader_after"],
        "digest_at": f"{hour:02d}:{minute:02d}",
        # False: the unit has no rules of its own and follows the nearest unit above it, or the defaults.
        "own": own,
    }


async def rules_by_path() -> dict[str, dict[str, Any]]:
    """Every jurisdiction's rules, by the path of its unit."""
    rows = await ReminderRules.select(ReminderRules.all_columns(), ReminderRules.unit.path)
    return {row["unit.path"]: _rules_of_row(row) for row in rows}


def rules_lookup(by_path: dict[str, dict[str, Any]]) -> reminders.RulesFor:
    """unit path → the rules of the nearest unit at or above it that has some, else the defaults."""
    paths = sorted(by_path, key=len, reverse=True)
    # A tick asks for every open task's unit: a province has a few hundred units and a few jurisdictions with
    # rules, so each unit's answer is worked out once. The answers are shared: callers only read them.
    known: dict[str, dict[str, Any]] = {}

    def rules_for(unit_path: str) -> dict[str, Any]:
        rules = known.get(unit_path)
        if rules is None:
            nearest = next((path for path in paths if unit_path.startswith(path)), None)
            rules = reminders.rules_with({**REMINDER_RULES, **(by_path[nearest] if nearest else {})})
            known[unit_path] = rules
        return rules

    return rules_for


async def _jurisdiction_unit(actor: Any, unit_id: int | None) -> dict[str, Any]:
    """The unit whose rules the admin reads or sets: theirs by default; one in their scope, else 404."""
    from server.units.tables import Unit

    unit_id = unit_id or actor.unit_id
    row = await Unit.select(Unit.id, Unit.name, Unit.path, Unit.kind).where(Unit.id == unit_id).first()
    if row is None or not row["path"].startswith(actor.unit_path):
        raise NotFound("unit_not_found", "Không tìm thấy đơn vị")
    return row


async def jurisdiction_units(actor: Any) -> list[dict[str, Any]]:
    """The units in the admin's scope that may have reminder rules of their own (province, district, commune)."""
    from server.units.tables import Unit

    return list(await Unit.select(Unit.id, Unit.name, Unit.path).where(
        Unit.kind.is_in(list(JURISDICTION_KINDS)) & Unit.path.like(f"{actor.unit_path}%") & Unit.active.eq(True)
    ).order_by(Unit.path))


async def email_address_of(person_id: int) -> str:
    row = await Person.select(Person.email).where(Person.id == person_id).first()
    return row["email"] if row else ""


async def get_reminder_rules(actor: Any, unit_id: int | None = None) -> dict[str, Any]:
    unit = await _jurisdiction_unit(actor, unit_id)
    own = await ReminderRules.exists().where(ReminderRules.unit == unit["id"])
    return _public_rules(unit, rules_lookup(await rules_by_path())(unit["path"]), own=own)


async def set_reminder_rules(
    actor: Any,
    unit_id: int | None,
    *,
    before_days: list[int],
    head_after: int,
    leader_after: int,
    digest_at: str,
) -> dict[str, Any]:
    """Set a jurisdiction's thresholds (its admin): reminder offsets in working days (0 = on the day),
    escalation to the unit head after `head_after` and to the leaders after `leader_after` working days
    overdue, the digest's time. The scheduler uses them from its next tick."""
    unit = await _jurisdiction_unit(actor, unit_id)
    if unit["kind"] not in JURISDICTION_KINDS:
        raise Invalid("reminder_rules_unit", "Chỉ đặt ngưỡng nhắc việc cho UBND tỉnh, huyện hoặc xã")
    offsets = sorted(set(before_days), reverse=True)
    if not offsets or len(offsets) > 5 or any(not 0 <= d <= MAX_OFFSET_DAYS for d in offsets):
        raise Invalid("reminder_offsets_invalid", "Số ngày nhắc trước hạn phải từ 0 đến 30 (tối đa 5 mốc)")
    if not 1 <= head_after <= MAX_ESCALATION_DAYS or not 1 <= leader_after <= MAX_ESCALATION_DAYS:
        raise Invalid("escalation_days_invalid", "Số ngày quá hạn để báo cáo cấp trên phải từ 1 đến 60")
    if leader_after < head_after:
        raise Invalid("escalation_order_invalid", "Báo lãnh đạo không được sớm hơn báo trưởng đơn vị")
    try:
        hour, minute = _parse_hhmm(digest_at.strip())
        valid_time = 0 <= hour <= 23 and 0 <= minute <= 59 and len(digest_at.strip()) <= 5
    except ValueError:
        valid_time = False
    if not valid_time:
        raise Invalid("digest_time_invalid", "Giờ gửi tóm tắt không hợp lệ (giờ:phút)")
    values = {
        ReminderRules.before_days: ",".join(str(d) for d in offsets),
        ReminderRules.head_after: head_after,
        ReminderRules.leader_after: leader_after,
        ReminderRules.digest_at: f"{hour:02d}:{minute:02d}",
        ReminderRules.updated_at: clock.now(),
        ReminderRules.updated_by: actor.id,
    }
    async with write_transaction():
        changed = await ReminderRules.update(values).where(ReminderRules.unit == unit["id"]).returning(
            ReminderRules.id)
        if not changed:
            await ReminderRules.insert(ReminderRules(unit=unit["id"], **{c._meta.name: v for c, v in values.items()}))
        from server.audit import services as audit

        await audit.record(actor_id=actor.id, actor_name=actor.full_name, action="reminder_rules.set",
                           entity="unit", entity_id=unit["id"],
                           after={c._meta.name: v for c, v in values.items() if c is not ReminderRules.updated_at})
    return await get_reminder_rules(actor, unit["id"])


# ---------------------------------------------------------------- the reminder schedule


def _under(column: Any, within: tuple[str, ...] | None) -> Any:
    """`column` (a unit path) inside one of the trees `within`; None: everywhere."""
    if within is None:
        return None
    condition = column.like(f"{within[0]}%")
    for path in within[1:]:
        condition = condition | column.like(f"{path}%")
    return condition


async def _schedule_inputs(within: tuple[str, ...] | None = None) -> tuple[list[TaskInfo], list[PersonInfo]]:
    from server.tasks.tables import Task, TaskAssignee

    open_states = sorted(reminders.OPEN_STATES)
    task_filter = Task.state.is_in(open_states)
    if within is not None:
        task_filter &= _under(Task.lead_unit.path, within)
    rows = await Task.select(
        Task.id, Task.title, Task.state, Task.deadline, Task.lead_unit, Task.lead_unit.path
    ).where(task_filter)
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
    people_filter = Person.active.eq(True) & Person.role.is_in(["unit_head", "leader", "receptionist"])
    if within is not None:
        people_filter &= _under(Person.unit.path, within)
    people_rows = await Person.select(Person.id, Person.role, Person.unit, Person.unit.path).where(people_filter)
    people = [PersonInfo(r["id"], r["role"], r["unit"], r["unit.path"]) for r in people_rows]
    return tasks, people


async def _person_paths(ids: set[int]) -> dict[int, str]:
    paths: dict[int, str] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        rows = await Person.select(Person.id, Person.unit.path).where(Person.id.is_in(ordered[start:start + 500]))
        paths.update({row["id"]: row["unit.path"] for row in rows})
    return paths


async def _open_reports(calendar: Any) -> list[reminders.ReportInfo]:
    """Citizen reports not yet answered for good. A read-only look at the reports domain's tables, as the
    schedule does for tasks; the target day is counted as the reports domain counts it (received + target
    working days)."""
    from server.reports.tables import Report
    from server.units.tables import Unit

    rows = await Report.select(
        Report.id, Report.code, Report.status, Report.received_at, Report.target_days, Report.task_id,
        Report.unit.path, Report.unit.name, Report.category.default_unit,
    ).where(Report.status.is_in(sorted(reminders.OPEN_REPORT_STATES)))
    default_units = {r["category.default_unit"] for r in rows if r["category.default_unit"]}
    unit_paths = {
        u["id"]: u["path"]
        for u in (await Unit.select(Unit.id, Unit.path).where(Unit.id.is_in(sorted(default_units)))
                  if default_units else [])
    }
    result = []
    for row in rows:
        target = calendar.add_working_days(clock.local_date(row["received_at"]), row["target_days"] or 0)
        routed = row["unit.path"] or None
        result.append(reminders.ReportInfo(
            id=row["id"], code=row["code"], status=row["status"], target=target, unit_path=routed,
            scope_path=routed or unit_paths.get(row["category.default_unit"]), task_id=row["task_id"],
            unit_name=row["unit.name"] or "",
        ))
    return result


async def _deliver_due(due: Due, locale: str) -> int | None:
    if due.rule == "digest":
        counts = due.info
        lines = [i18n.gettext_in(locale, DIGEST_LINE, **counts)]
        if counts.get("unit_overdue"):
            lines.append(i18n.gettext_in(locale, DIGEST_UNIT_LINE, unit_overdue=counts["unit_overdue"]))
        return await notify(
            due.person_id, "digest", i18n.gettext_in(locale, EVENT_TITLES["digest"]), "\n".join(lines),
            link="/tasks", dedupe_key=f"reminder:{due.key}",
            mail_context={"counts": counts, "day": i18n.format_date(due.day)},
        )
    if due.report is not None:
        report = due.report
        title = i18n.gettext_in(locale, EVENT_TITLES[due.rule], code=report.code, days=due.info.get("days", 0))
        deadline = i18n.format_date(report.target)
        link = task_link(report.task_id) if report.task_id else f"/reports/triage/{report.id}"
        return await notify(
            due.person_id, due.rule, title, i18n.gettext_in(locale, REPORT_DEADLINE_LINE, deadline=deadline),
            link=link, task_id=report.task_id, dedupe_key=f"reminder:{due.key}",
            mail_context={"report_code": report.code, "days": due.info.get("days", 0), "deadline": deadline,
                          "overdue": due.rule == "report_overdue", "unit_name": report.unit_name},
        )
    assert due.task is not None
    title = i18n.gettext_in(locale, EVENT_TITLES[due.rule], title=due.task.title, days=due.info.get("days", 0))
    deadline = i18n.format_date(due.task.deadline)
    body = i18n.gettext_in(locale, DEADLINE_LINE, deadline=deadline)
    return await notify(
        due.person_id, due.rule, title, body, link=task_link(due.task.id), task_id=due.task.id,
        dedupe_key=f"reminder:{due.key}",
        mail_context={"task_title": due.task.title, "deadline": deadline,
                      "days": 0 if due.rule == "due_today" else due.info.get("days", 0)},
    )


async def run_schedule(
    now: dt.datetime | None = None, rules: dict[str, Any] | None = None, *, within: tuple[str, ...] | None = None
) -> int:
    """Create every reminder and digest due now that does not exist yet; returns how many were created.

    Safe to run any number of times, on any number of workers at once: each reminder's dedupe key is
    UNIQUE in the inbox, and the push and e-mail jobs are written in the same transaction as the inbox item.
    With `rules`, those thresholds apply everywhere (tests); otherwise each jurisdiction's own. `within`
    (unit paths) limits the run to those trees: the worker's tick covers everything; a test looks at its own
    commune only, so that its cost does not grow with what other tests left in the database.
    """
    now = now or clock.now()
    rules_for = None if rules else rules_lookup(await rules_by_path())
    rules = rules or REMINDER_RULES
    calendar = await load_calendar()
    tasks, managers = await _schedule_inputs(within)
    due = reminders.due_reminders(tasks, managers, calendar, now, rules, rules_for=rules_for)
    assignees = {person_id for task in tasks for person_id in task.assignee_ids}
    person_paths = await _person_paths(assignees) if rules_for else None
    due += reminders.due_digests(tasks, managers, calendar, now, rules, rules_for=rules_for,
                                 person_paths=person_paths)
    reports = await _open_reports(calendar)
    if within is not None:
        reports = [r for r in reports if r.scope_path and r.scope_path.startswith(within)]
    due += reminders.due_report_reminders(reports, managers, calendar, now, rules)
    if not due:
        return 0
    # A tick every few minutes finds the day's reminders due again: skip those already in an inbox with one
    # read, instead of one INSERT attempt each. The UNIQUE dedupe key still decides between racing workers.
    sent = await _dedupe_keys_used([f"reminder:{d.key}" for d in due])
    people = await _people(sorted({d.person_id for d in due if f"reminder:{d.key}" not in sent}))
    created = 0
    for item in due:
        person = people.get(item.person_id)
        if person is None or f"reminder:{item.key}" in sent:
            continue
        if await _deliver_due(item, person["locale"]) is not None:
            created += 1
    return created


async def _dedupe_keys_used(keys: list[str]) -> set[str]:
    used: set[str] = set()
    for start in range(0, len(keys), 500):
        rows = await Notification.select(Notification.dedupe_key).where(
            Notification.dedupe_key.is_in(keys[start:start + 500])
        )
        used.update(row["dedupe_key"] for row in rows)
    return used


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
    this_slot = schedule_slot(clock.now())
    for kind in jobs.PERIODIC:  # each its own job: one failing does not hold back the reminders
        await jobs.enqueue(kind, {}, dedupe_key=f"{kind}:{this_slot.isoformat()}")
    next_slot = this_slot + SCHEDULE_EVERY
    await jobs.enqueue("schedule", {}, run_at=next_slot, dedupe_key=f"schedule:{next_slot.isoformat()}")
    await jobs.purge_finished()


# ---------------------------------------------------------------- push delivery (a job)


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
        await _publish_live(person_id, notification_id)  # the other tabs' unread badges
    return _item(row)


async def mark_all_read(person_id: int) -> int:
    rows = await Notification.update({Notification.read_at: clock.now()}).where(
        (Notification.person == person_id) & Notification.read_at.is_null()
    ).returning(Notification.id)
    if rows:
        await _publish_live(person_id, 0)
    return len(rows)


# ---------------------------------------------------------------- e-mail (server/mail sends it)


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
