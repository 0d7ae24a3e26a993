"""The schedule rules over working days and holidays, as pure functions (no database, no real clock)."""

from __future__ import annotations

import datetime as dt

from server.holidays.services import WorkCalendar
from server.lib.clock import VN_TZ
from server.notifications import reminders
from server.notifications.reminders import PersonInfo, TaskInfo

TET_2026 = frozenset(dt.date(2026, 2, d) for d in range(16, 21))
CALENDAR = WorkCalendar(off_days=TET_2026)
OFFICER, HEAD, LEADER, OTHER_HEAD = 11, 12, 13, 14
PEOPLE = [
    PersonInfo(HEAD, "unit_head", 2, "/1/2/"),
    PersonInfo(LEADER, "leader", 1, "/1/"),
    PersonInfo(OTHER_HEAD, "unit_head", 5, "/1/5/"),
]


def at(day: dt.date, hour: int = 8, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN_TZ).astimezone(dt.UTC)


def task(deadline: dt.date, state: str = "in_progress", unit_path: str = "/1/2/3/") -> TaskInfo:
    return TaskInfo(1, "Nạo vét kênh", state, deadline, 3, unit_path, (OFFICER,))


def rules_on(day: dt.date, t: TaskInfo, hour: int = 8) -> set[tuple[str, int]]:
    return {(d.rule, d.person_id) for d in reminders.due_reminders([t], PEOPLE, CALENDAR, at(day, hour))}


def test_before_the_deadline_counts_working_days_across_tet() -> None:
    deadline = dt.date(2026, 2, 23)  # Monday after the Tết break
    fired = {
        day: rules_on(day, task(deadline))
        for day in (dt.date(2026, 2, 9) + dt.timedelta(days=n) for n in range(15))
    }
    # 3 working days before Monday 23/2 is Wednesday 11/2 (16–20/2 are Tết); 1 working day is Friday 13/2.
    assert fired[dt.date(2026, 2, 11)] == {("due_before", OFFICER)}
    assert fired[dt.date(2026, 2, 13)] == {("due_before", OFFICER)}
    assert fired[dt.date(2026, 2, 23)] == {("due_today", OFFICER)}
    quiet = {d for d, r in fired.items() if not r}
    assert quiet == set(fired) - {dt.date(2026, 2, 11), dt.date(2026, 2, 13), dt.date(2026, 2, 23)}
    days = [d.info["days"] for d in reminders.due_reminders([task(deadline)], PEOPLE, CALENDAR,
                                                            at(dt.date(2026, 2, 11)))]
    assert days == [3]


def test_nothing_before_seven_or_on_days_off() -> None:
    deadline = dt.date(2026, 3, 4)
    assert rules_on(deadline, task(deadline), hour=6) == set()
    assert rules_on(dt.date(2026, 2, 17), task(dt.date(2026, 2, 17))) == set()  # a Tết day


def test_deadline_on_a_day_off_is_announced_on_the_last_working_day() -> None:
    sunday = dt.date(2026, 3, 8)
    assert rules_on(dt.date(2026, 3, 6), task(sunday)) == {("due_before", OFFICER)}  # Friday: 1 day left
    assert rules_on(dt.date(2026, 3, 4), task(sunday)) == {("due_before", OFFICER)}  # Wednesday: 3 days


def test_overdue_escalates_to_the_unit_head_then_the_leader() -> None:
    deadline = dt.date(2026, 2, 12)  # Thursday before Tết
    assert rules_on(dt.date(2026, 2, 13), task(deadline)) == {("overdue", OFFICER), ("escalate_head", HEAD)}
    # Tết days do not count: Monday 23/2 is the 2nd working day overdue, Tuesday 24/2 the 3rd.
    assert rules_on(dt.date(2026, 2, 23), task(deadline)) == {("overdue", OFFICER), ("escalate_head", HEAD)}
    assert rules_on(dt.date(2026, 2, 24), task(deadline)) == {
        ("overdue", OFFICER), ("escalate_head", HEAD), ("escalate_leader", LEADER)
    }


def test_thresholds_are_configurable() -> None:
    deadline = dt.date(2026, 3, 2)
    due = reminders.due_reminders([task(deadline)], PEOPLE, CALENDAR, at(dt.date(2026, 3, 3)),
                                  {"head_after": 2, "leader_after": 1, "before_days": (5,)})
    assert {(d.rule, d.person_id) for d in due} == {("overdue", OFFICER), ("escalate_leader", LEADER)}
    due = reminders.due_reminders([task(dt.date(2026, 3, 9))], PEOPLE, CALENDAR, at(dt.date(2026, 3, 2)),
                                  {"before_days": (5,)})
    assert [(d.rule, d.info["days"]) for d in due] == [("due_before", 5)]


def test_dedupe_keys_one_per_task_rule_person_day() -> None:
    deadline = dt.date(2026, 3, 2)
    monday = reminders.due_reminders([task(deadline)], PEOPLE, CALENDAR, at(dt.date(2026, 3, 3), 8))
    later = reminders.due_reminders([task(deadline)], PEOPLE, CALENDAR, at(dt.date(2026, 3, 3), 16))
    tomorrow = reminders.due_reminders([task(deadline)], PEOPLE, CALENDAR, at(dt.date(2026, 3, 4)))
    assert [d.key for d in monday] == [d.key for d in later]
    assert "1:overdue:11:2026-03-03" in {d.key for d in monday}
    # The assignee is chased daily; an escalation once per deadline in force.
    keys_tomorrow = {d.key for d in tomorrow}
    assert "1:overdue:11:2026-03-04" in keys_tomorrow
    assert "1:escalate_head:12:2026-03-02" in keys_tomorrow & {d.key for d in monday}


def test_closed_submitted_and_undated_tasks() -> None:
    deadline = dt.date(2026, 3, 2)
    day = dt.date(2026, 3, 6)
    assert rules_on(day, task(deadline, "done")) == set()
    assert rules_on(day, task(deadline, "cancelled")) == set()
    # Submitted: waiting for the approver, so the assignee is not chased, but the escalation stands.
    assert rules_on(day, task(deadline, "submitted")) == {("escalate_head", HEAD), ("escalate_leader", LEADER)}
    undated = TaskInfo(2, "x", "in_progress", None, 3, "/1/2/3/", (OFFICER,))
    assert reminders.due_reminders([undated], PEOPLE, CALENDAR, at(day)) == []


def test_daily_digest_at_half_past_seven_on_working_days() -> None:
    tasks = [task(dt.date(2026, 3, 2)), TaskInfo(2, "b", "assigned", dt.date(2026, 3, 4), 3, "/1/2/3/", (OFFICER,))]
    assert reminders.due_digests(tasks, PEOPLE, CALENDAR, at(dt.date(2026, 3, 4), 7, 29)) == []
    assert reminders.due_digests(tasks, PEOPLE, CALENDAR, at(dt.date(2026, 3, 7), 9)) == []  # Saturday
    digests = {d.person_id: d for d in reminders.due_digests(tasks, PEOPLE, CALENDAR, at(dt.date(2026, 3, 4), 7, 30))}
    assert digests[OFFICER].info == {"open": 2, "overdue": 1, "due_today": 1, "due_soon": 0, "unit_overdue": 0}
    assert digests[HEAD].info["unit_overdue"] == 1 and digests[LEADER].info["unit_overdue"] == 1
    assert OTHER_HEAD not in digests
    assert digests[OFFICER].key == "-:digest:11:2026-03-04"


def test_quiet_hours_and_next_seven_o_clock() -> None:
    assert reminders.in_quiet_hours(at(dt.date(2026, 3, 4), 21, 0))
    assert reminders.in_quiet_hours(at(dt.date(2026, 3, 4), 6, 59))
    assert not reminders.in_quiet_hours(at(dt.date(2026, 3, 4), 7, 0))
    assert reminders.next_local_time(at(dt.date(2026, 3, 4), 22), 7) == at(dt.date(2026, 3, 5), 7)
    assert reminders.next_local_time(at(dt.date(2026, 3, 5), 3), 7) == at(dt.date(2026, 3, 5), 7)


def test_the_settings_page_offers_every_kind_of_notification() -> None:
    """A kind missing from the page's groups would be switched off, unseen, whenever the person saves."""
    from server.desk.settings import KIND_GROUPS
    from server.notifications.services import EVENT_KINDS

    offered = [kind for _, kinds in KIND_GROUPS for kind in kinds]
    assert sorted(offered) == sorted(EVENT_KINDS)
