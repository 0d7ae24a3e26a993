"""The schedule rules, as pure functions of (tasks, people, calendar, now) → the reminders due now.

Nothing here reads the database or the clock, so the rules are tested over working days and holidays
with plain values. `services.run_schedule()` loads the inputs and turns each `Due` into an inbox item
whose dedupe key is `Due.key`: the database's UNIQUE constraint is what makes every reminder happen once
per (task, rule, person, day), whichever worker gets there first and however often it runs.

Rules (all counted in working days of the admin's calendar):
- `due_before`: the assignee, `before_days` working days before the deadline (default 3 and 1), and
  `due_today` on the day itself;
- `overdue`: the assignee, every working day while the task is overdue;
- `escalate_head`: the lead unit's unit head, once the task is `head_after` working days overdue (1);
- `escalate_leader`: the jurisdiction's leaders, once `leader_after` working days overdue (3);
  the two escalations happen once per deadline in force (an approved extension starts them afresh);
- `digest`: every person with open work, at 07:30 Asia/Ho_Chi_Minh on a working day;
- citizen reports (`due_report_reminders`): the receptionists, and the head of the unit a report is routed to,
  `report_due_soon` one working day before the report's target, `report_due_today` on it, and
  `report_overdue` every working day after it, until the report is resolved (or rejected, or merged).
Reminders are only created on working days, from `start_hour` (07:00) Vietnamese time.

The thresholds (`before_days`, `on_the_day`, `head_after`, `leader_after`, `digest_at`) are per jurisdiction:
the callers pass `rules_for(unit_path)`, which gives the complete rules (defaults filled in) of the
jurisdiction a unit belongs to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from server.holidays.services import WorkCalendar
from server.lib.clock import VN_TZ

OPEN_STATES = frozenset({"assigned", "in_progress", "submitted", "returned"})
# Submitted work waits for the approver, not the assignee: the assignee is not chased for it.
CHASED_STATES = frozenset({"assigned", "in_progress", "returned"})

DEFAULT_RULES: dict[str, Any] = {
    "before_days": (3, 1),
    "on_the_day": True,
    "overdue_daily": True,
    "head_after": 1,
    "leader_after": 3,
    "start_hour": (7, 0),
    "digest_at": (7, 30),
}
# Citizen reports: reminded this many working days before their target, on the day, and daily after it.
REPORT_BEFORE_DAYS = (1,)
OPEN_REPORT_STATES = frozenset({"new", "accepted"})

RulesFor = Callable[[str], dict[str, Any]]


@dataclass(frozen=True)
class TaskInfo:
    id: int
    title: str
    state: str
    deadline: dt.date | None
    lead_unit_id: int
    lead_unit_path: str
    assignee_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class PersonInfo:
    id: int
    role: str
    unit_id: int
    unit_path: str


@dataclass(frozen=True)
class ReportInfo:
    """An open citizen report: `target` is the day its answer is due (received + target working days);
    `unit_path` is the unit it is routed to (None while it waits for triage), `scope_path` the unit whose
    receptionists answer for it (the routed unit, else the category's default unit; None: every receptionist)."""

    id: int
    code: str
    status: str
    target: dt.date
    unit_path: str | None = None
    scope_path: str | None = None
    task_id: int | None = None
    unit_name: str = ""


@dataclass(frozen=True)
class Due:
    rule: str
    person_id: int
    day: dt.date
    task: TaskInfo | None = None
    # For rules keyed by something other than the day (escalations: the deadline in force).
    key_day: dt.date | None = None
    info: dict[str, Any] = field(default_factory=dict, compare=False)
    report: ReportInfo | None = None

    @property
    def key(self) -> str:
        day = (self.key_day or self.day).isoformat()
        subject = f"r{self.report.id}" if self.report else self.task.id if self.task else "-"
        return f"{subject}:{self.rule}:{self.person_id}:{day}"


def rules_with(overrides: dict[str, Any] | None) -> dict[str, Any]:
    return {**DEFAULT_RULES, **(overrides or {})}


def _unit_heads(task: TaskInfo | str, people: list[PersonInfo]) -> list[PersonInfo]:
    """The unit head of the lead unit; if it has none, of the nearest unit above that has one (not the root)."""
    path = task if isinstance(task, str) else task.lead_unit_path
    heads = [p for p in people if p.role == "unit_head" and path.startswith(p.unit_path)]
    if not heads:
        return []
    nearest = max(len(p.unit_path) for p in heads)
    return [p for p in heads if len(p.unit_path) == nearest]


def _leaders(task: TaskInfo, people: list[PersonInfo]) -> list[PersonInfo]:
    return [p for p in people if p.role == "leader" and task.lead_unit_path.startswith(p.unit_path)]


def due_reminders(
    tasks: list[TaskInfo],
    people: list[PersonInfo],
    calendar: WorkCalendar,
    now: dt.datetime,
    rules: dict[str, Any] | None = None,
    rules_for: RulesFor | None = None,
) -> list[Due]:
    """Every reminder due at `now` (each with its dedupe key); the caller creates each one once.

    `rules` apply to every task, unless `rules_for` gives the rules of each task's jurisdiction (by the path of
    its lead unit).
    """
    base_rules = rules_with(rules)
    local = now.astimezone(VN_TZ)
    today = local.date()
    if not calendar.is_working_day(today) or (local.hour, local.minute) < tuple(base_rules["start_hour"]):
        return []
    result: list[Due] = []
    for task in tasks:
        if task.state not in OPEN_STATES or task.deadline is None:
            continue
        rules = rules_for(task.lead_unit_path) if rules_for else base_rules
        deadline = task.deadline
        chased = task.state in CHASED_STATES
        if deadline > today:
            if not chased:
                continue
            ahead = calendar.working_days_between(today, deadline)
            # A deadline on a day off: the last working day before it is "1 day before".
            if not calendar.is_working_day(deadline):
                ahead += 1
            if ahead in tuple(rules["before_days"]):
                for person_id in task.assignee_ids:
                    result.append(Due("due_before", person_id, today, task, info={"days": ahead}))
        elif deadline == today:
            if chased and rules["on_the_day"]:
                for person_id in task.assignee_ids:
                    result.append(Due("due_today", person_id, today, task))
        else:
            late = calendar.working_days_between(deadline, today)
            if chased and rules["overdue_daily"] and late >= 1:
                for person_id in task.assignee_ids:
                    result.append(Due("overdue", person_id, today, task, info={"days": late}))
            if rules["head_after"] is not None and late >= rules["head_after"]:
                for head in _unit_heads(task, people):
                    if head.id not in task.assignee_ids:
                        result.append(Due("escalate_head", head.id, today, task, key_day=deadline,
                                          info={"days": late}))
            if rules["leader_after"] is not None and late >= rules["leader_after"]:
                for leader in _leaders(task, people):
                    result.append(Due("escalate_leader", leader.id, today, task, key_day=deadline,
                                      info={"days": late}))
    return result


def due_digests(
    tasks: list[TaskInfo],
    people: list[PersonInfo],
    calendar: WorkCalendar,
    now: dt.datetime,
    rules: dict[str, Any] | None = None,
    rules_for: RulesFor | None = None,
    person_paths: dict[int, str] | None = None,
    also: Collection[int] = (),
) -> list[Due]:
    """One digest per person with open work, once a working day from 07:30 Vietnamese time (or the digest
    time of the person's jurisdiction, with `rules_for` and the unit paths of the people in `person_paths`).

    An assignee's digest counts their own open tasks; a unit head's and a leader's also count the overdue
    tasks of the units they manage. The people in `also` (unit heads whose units have tasks at risk of being
    late, server.forecast.digest) get one even with nothing to count.
    """
    rules = rules_with(rules)
    local = now.astimezone(VN_TZ)
    today = local.date()
    moment = (local.hour, local.minute)
    if not calendar.is_working_day(today):
        return []
    if rules_for is None and moment < tuple(rules["digest_at"]):
        return []
    paths = dict(person_paths or {})
    paths.update({p.id: p.unit_path for p in people})

    def digest_time_reached(person_id: int) -> bool:
        if rules_for is None or person_id not in paths:
            return moment >= tuple(rules["digest_at"])
        return moment >= tuple(rules_for(paths[person_id])["digest_at"])

    counts: dict[int, dict[str, int]] = {}

    def bump(person_id: int, bucket: str) -> None:
        counts.setdefault(person_id, {"open": 0, "overdue": 0, "due_today": 0, "due_soon": 0, "unit_overdue": 0})
        counts[person_id][bucket] += 1

    for person_id in also:
        counts.setdefault(person_id, {"open": 0, "overdue": 0, "due_today": 0, "due_soon": 0, "unit_overdue": 0})
    managers = [p for p in people if p.role in {"unit_head", "leader"}]
    for task in tasks:
        if task.state not in OPEN_STATES:
            continue
        overdue = task.deadline is not None and task.deadline < today
        for person_id in task.assignee_ids:
            bump(person_id, "open")
            if task.deadline is None:
                continue
            if overdue:
                bump(person_id, "overdue")
            elif task.deadline == today:
                bump(person_id, "due_today")
            elif calendar.working_days_between(today, task.deadline) <= 3:
                bump(person_id, "due_soon")
        if overdue:
            for manager in managers:
                if task.lead_unit_path.startswith(manager.unit_path):
                    bump(manager.id, "unit_overdue")
    return [
        Due("digest", person_id, today, None, info=bucket_counts)
        for person_id, bucket_counts in sorted(counts.items())
        if digest_time_reached(person_id)
    ]


def due_report_reminders(
    reports: list[ReportInfo],
    people: list[PersonInfo],
    calendar: WorkCalendar,
    now: dt.datetime,
    rules: dict[str, Any] | None = None,
) -> list[Due]:
    """Reminders about citizen reports nearing or past their target, to the receptionists who answer for the
    report and the head of the unit it is routed to; once per (report, rule, person, day)."""
    rules = rules_with(rules)
    local = now.astimezone(VN_TZ)
    today = local.date()
    if not calendar.is_working_day(today) or (local.hour, local.minute) < tuple(rules["start_hour"]):
        return []
    receptionists = [p for p in people if p.role == "receptionist"]
    result: list[Due] = []
    for report in reports:
        if report.status not in OPEN_REPORT_STATES:
            continue
        if report.target > today:
            ahead = calendar.working_days_between(today, report.target)
            if not calendar.is_working_day(report.target):
                ahead += 1
            if ahead not in REPORT_BEFORE_DAYS:
                continue
            rule, days = "report_due_soon", ahead
        elif report.target == today:
            rule, days = "report_due_today", 0
        else:
            rule, days = "report_overdue", calendar.working_days_between(report.target, today)
            if days < 1:
                continue
        scope = report.scope_path
        # A receptionist sits in the one-stop desk, not at the root: she answers for her whole jurisdiction.
        recipients = {p.id for p in receptionists
                      if scope is None or scope.startswith("/" + p.unit_path.strip("/").split("/")[0] + "/")}
        if report.unit_path:
            recipients |= {p.id for p in _unit_heads(report.unit_path, people)}
        for person_id in sorted(recipients):
            result.append(Due(rule, person_id, today, report=report, info={"days": days}))
    return result


def next_local_time(now: dt.datetime, hour: int, minute: int = 0) -> dt.datetime:
    """The next moment (after or at `now`) that is hour:minute in Vietnam, in UTC."""
    local = now.astimezone(VN_TZ)
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if candidate < local:
        candidate += dt.timedelta(days=1)
    return candidate.astimezone(dt.UTC)


def in_quiet_hours(now: dt.datetime, start: tuple[int, int] = (21, 0), end: tuple[int, int] = (7, 0)) -> bool:
    local = now.astimezone(VN_TZ)
    moment = (local.hour, local.minute)
    return moment >= start or moment < end
