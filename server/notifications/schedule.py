"""The reminder schedule: every few minutes (any number of workers), each reminder, escalation and digest that is
due and not yet in an inbox is created; reports' answer deadlines too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from server.forecast import digest as at_risk_digest
from server.holidays.services import invalidate_calendar_cache, load_calendar
from server.lib import clock, i18n
from server.notifications import jobs, reminders, report_source
from server.notifications.inbox import (
    DEADLINE_LINE,
    DIGEST_LINE,
    DIGEST_UNIT_LINE,
    EVENT_TITLES,
    REPORT_DEADLINE_LINE,
    _people,
    notify,
    task_link,
)
from server.notifications.reminders import Due, PersonInfo, TaskInfo
from server.notifications.rules import REMINDER_RULES, rules_by_path, rules_lookup
from server.notifications.tables import Notification
from server.people.tables import Person

SCHEDULE_EVERY = dt.timedelta(minutes=5)


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


async def _deliver_due(due: Due, locale: str, at_risk: dict[str, Any] | None = None) -> int | None:
    if due.rule == "digest":
        counts = due.info
        lines = [i18n.gettext_in(locale, DIGEST_LINE, **counts)]
        if counts.get("unit_overdue"):
            lines.append(i18n.gettext_in(locale, DIGEST_UNIT_LINE, unit_overdue=counts["unit_overdue"]))
        # A unit head's: the unit's tasks likely to miss their deadline, with the reasons (issue 15).
        risky = at_risk_digest.lines(locale, at_risk) if at_risk else []
        return await notify(
            due.person_id, "digest", i18n.gettext_in(locale, EVENT_TITLES["digest"]), "\n".join(lines + risky),
            link="/dashboard" if risky else "/tasks", dedupe_key=f"reminder:{due.key}",
            mail_context={"counts": counts, "day": i18n.format_date(due.day), "at_risk": risky},
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
    heads = [(p.id, p.unit_path) for p in managers if p.role == "unit_head"]
    at_risk = await at_risk_digest.at_risk_by_head(heads, clock.local_date(now)) if heads else {}
    due += reminders.due_digests(tasks, managers, calendar, now, rules, rules_for=rules_for,
                                 person_paths=person_paths, also=set(at_risk))
    reports = await report_source.open_reports(calendar)
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
        risky = at_risk.get(item.person_id) if item.rule == "digest" else None
        if await _deliver_due(item, person["locale"], risky) is not None:
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
