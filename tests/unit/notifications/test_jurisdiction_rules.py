"""Each jurisdiction's reminder thresholds, set by its admin and used by the scheduler; citizen reports nearing
or past their target; all over working days and Tết with a controllable clock, each reminder once."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

import pytest

from server.holidays.services import ensure_holidays_seeded, invalidate_calendar_cache
from server.lib import clock
from server.lib.clock import VN_TZ
from server.lib.errors import Invalid, NotFound
from server.mail.tables import MailMessage
from server.notifications import services
from server.notifications.tables import Notification
from server.people.tables import Person
from tests.factories import make_jurisdiction, make_task


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN_TZ).astimezone(dt.UTC)


async def run_at(moment: dt.datetime, times: int = 3, *, within: tuple[str, ...]) -> None:
    """Run the schedule `times` times at once, with the clock frozen at `moment` (so items are dated then),
    over the test's own jurisdictions."""
    clock.freeze(moment)
    try:
        await asyncio.gather(*(services.run_schedule(moment, within=within) for _ in range(times)))
    finally:
        clock.freeze(None)


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


async def fired(task_id: int) -> Counter:
    """(person, kind, day of the reminder) for the reminders of a task, from their dedupe keys."""
    rows = await Notification.select(Notification.person, Notification.kind, Notification.created_at).where(
        (Notification.task_id == task_id) & Notification.dedupe_key.like("reminder:%"))
    return Counter((r["person"], r["kind"], clock.local_date(r["created_at"]).isoformat()) for r in rows)


async def test_each_jurisdiction_follows_its_own_thresholds_over_tet() -> None:
    await ensure_holidays_seeded()
    invalidate_calendar_cache()
    a, b = await make_jurisdiction(), await make_jurisdiction()
    rules = await services.set_reminder_rules(a.admin, a.root.id, before_days=[5, 0], head_after=2, leader_after=4,
                                              digest_at="08:15")
    assert rules == {"unit_id": a.root.id, "unit_name": a.root.name, "before_days": [5, 0], "head_after": 2,
                     "leader_after": 4, "digest_at": "08:15", "own": True}
    # A unit below the jurisdiction follows it; the other jurisdiction keeps the defaults.
    assert (await services.get_reminder_rules(a.admin, a.dept_sub.id))["head_after"] == 2
    assert (await services.get_reminder_rules(b.admin))["before_days"] == [3, 1, 0]
    deadline = dt.date(2026, 2, 12)  # Thursday before the Tết break (16–20/2)
    clock.freeze(at(dt.date(2026, 2, 2)))
    try:
        task_a = await make_task(a, assignees=[a.officer], deadline=deadline)
        task_b = await make_task(b, assignees=[b.officer], deadline=deadline)
    finally:
        clock.freeze(None)
    both = (a.root.path, b.root.path)
    for day in days(dt.date(2026, 2, 2), dt.date(2026, 2, 26)):
        await run_at(at(day), within=both)
    feb = "2026-02-{:02d}".format
    assert await fired(task_a["id"]) == Counter({
        (a.officer.id, "due_before", feb(5)): 1,  # 5 working days before
        (a.officer.id, "due_today", feb(12)): 1,
        **{(a.officer.id, "overdue", feb(d)): 1 for d in (13, 23, 24, 25, 26)},
        (a.head.id, "escalate_head", feb(23)): 1,  # 2 working days late: Tết does not count
        (a.leader.id, "escalate_leader", feb(25)): 1,  # 4 working days late
    })
    assert await fired(task_b["id"]) == Counter({
        (b.officer.id, "due_before", feb(9)): 1,
        (b.officer.id, "due_before", feb(11)): 1,
        (b.officer.id, "due_today", feb(12)): 1,
        **{(b.officer.id, "overdue", feb(d)): 1 for d in (13, 23, 24, 25, 26)},
        (b.head.id, "escalate_head", feb(13)): 1,
        (b.leader.id, "escalate_leader", feb(24)): 1,
    })

    async def digest_of(person_id: int, day: str) -> int:
        return await Notification.count().where(
            (Notification.person == person_id) & (Notification.kind == "digest")
            & Notification.dedupe_key.like(f"%:{day}"))

    monday = dt.date(2026, 3, 2)
    await run_at(at(monday, 8, 0), 1, within=both)
    assert await digest_of(b.officer.id, "2026-03-02") == 1  # default 07:30
    assert await digest_of(a.officer.id, "2026-03-02") == 0  # a's digest is at 08:15
    await run_at(at(monday, 8, 15), 1, within=both)
    assert await digest_of(a.officer.id, "2026-03-02") == 1


async def test_thresholds_are_checked_and_scoped() -> None:
    a, b = await make_jurisdiction(), await make_jurisdiction()
    with pytest.raises(NotFound):
        await services.set_reminder_rules(a.admin, b.root.id, before_days=[3], head_after=1, leader_after=3,
                                          digest_at="07:30")
    with pytest.raises(Invalid):  # a department is not a jurisdiction
        await services.set_reminder_rules(a.admin, a.dept.id, before_days=[3], head_after=1, leader_after=3,
                                          digest_at="07:30")
    for bad in ({"before_days": [31]}, {"before_days": []}, {"head_after": 4, "leader_after": 2},
                {"digest_at": "25:00"}, {"digest_at": "7h"}):
        values = {"before_days": [3, 1, 0], "head_after": 1, "leader_after": 3, "digest_at": "07:30", **bad}
        with pytest.raises(Invalid):
            await services.set_reminder_rules(a.admin, a.root.id, **values)
    assert (await services.get_reminder_rules(a.admin))["own"] is False


async def report_reminders(report_id: int) -> Counter:
    rows = await Notification.select(Notification.person, Notification.kind, Notification.created_at).where(
        Notification.dedupe_key.like(f"reminder:r{report_id}:%"))
    return Counter((r["person"], r["kind"], clock.local_date(r["created_at"]).isoformat()) for r in rows)


async def test_citizen_reports_nearing_and_past_their_target() -> None:
    from server.reports.services import accept
    from tests.unit.reports.helpers import make_category, make_report

    await ensure_holidays_seeded()
    invalidate_calendar_cache()
    c = await make_jurisdiction()
    category = await make_category(c, target_days=2, unit=c.dept)
    clock.freeze(at(dt.date(2026, 3, 2)))  # Monday: the target is Wednesday 4/3
    try:
        waiting = await make_report(category)
        routed = await make_report(category, lat=10.8, lon=106.7)
        accepted = await accept(c.receptionist, routed["id"])
    finally:
        clock.freeze(None)
    # The unit head was told at once that the report is now his unit's.
    routed_notice = await Notification.select().where(
        (Notification.task_id == accepted["task_id"]) & (Notification.kind == "report_routed")).first()
    assert routed_notice["person"] == c.head.id and routed["code"] in routed_notice["title"]

    # The unit head also wants e-mail.
    head_address = f"truong.{c.head.id}@ubnd.example.vn"
    await Person.update({Person.email: head_address}).where(Person.id == c.head.id)
    await services.set_person_settings(c.head.id, push_kinds=None, quiet_hours=True, email=True)
    for day in days(dt.date(2026, 3, 2), dt.date(2026, 3, 9)):
        for hour in (9, 15):
            await run_at(at(day, hour), within=(c.root.path,))
    mar = "2026-03-{:02d}".format
    receptionist, head = c.receptionist.id, c.head.id
    expected_waiting = Counter({
        (receptionist, "report_due_soon", mar(3)): 1,
        (receptionist, "report_due_today", mar(4)): 1,
        **{(receptionist, "report_overdue", mar(d)): 1 for d in (5, 6, 9)},  # not on the weekend
    })
    assert await report_reminders(waiting["id"]) == expected_waiting
    expected_routed = Counter({
        **{(person, kind, day): 1 for (_, kind, day) in expected_waiting for person in (receptionist, head)},
    })
    assert await report_reminders(routed["id"]) == expected_routed
    overdue = await Notification.select().where(
        Notification.dedupe_key == f"reminder:r{routed['id']}:report_overdue:{head}:2026-03-09").first()
    assert overdue["title"] == f"Phản ánh {routed['code']} quá hạn trả lời 3 ngày làm việc"
    assert overdue["link"] == f"/tasks/{accepted['task_id']}" and "04/03/2026" in overdue["body"]
    mails = await MailMessage.select().where(
        (MailMessage.to_address == head_address) & (MailMessage.template == "report_due")).order_by(MailMessage.id)
    assert len(mails) == 5  # one per reminder: 3/3, 4/3, 5/3, 6/3, 9/3
    assert mails[-1]["subject"] == f"Phản ánh {routed['code']} quá hạn 3 ngày làm việc"
    assert c.dept.name in mails[-1]["text_body"] and f"/tasks/{accepted['task_id']}" in mails[-1]["text_body"]
    first = await Notification.select().where(
        Notification.dedupe_key == f"reminder:r{waiting['id']}:report_due_soon:{receptionist}:2026-03-03").first()
    assert first["link"] == f"/reports/triage/{waiting['id']}"
