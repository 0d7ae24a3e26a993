"""The schedule against the database with a frozen clock (exactly once, however often and however
concurrently it runs), and the task events that fill the inbox."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from unittest.mock import patch

from server.holidays.services import ensure_holidays_seeded, invalidate_calendar_cache
from server.lib import clock
from server.lib.clock import VN_TZ
from server.notifications import services
from server.notifications.tables import Notification
from tests.factories import make_task


def at(day: dt.date, hour: int = 8, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN_TZ).astimezone(dt.UTC)


async def task_notes(task_id: int) -> Counter:
    rows = await Notification.select(Notification.person, Notification.kind).where(Notification.task_id == task_id)
    return Counter((r["person"], r["kind"]) for r in rows)


async def test_reminders_and_escalation_over_tet_exactly_once(nj) -> None:  # type: ignore[no-untyped-def]
    await ensure_holidays_seeded()
    invalidate_calendar_cache()
    j = nj
    clock.freeze(at(dt.date(2026, 2, 9)))
    try:
        task = await make_task(j, assignees=[j.officer], deadline=dt.date(2026, 2, 13))
    finally:
        clock.freeze(None)
    # Being assigned is itself a notice (from tasks.services.transition), before any reminder.
    expected: Counter = Counter({(j.officer.id, "assigned"): 1})
    timeline = [
        (dt.date(2026, 2, 9), []),
        (dt.date(2026, 2, 10), [(j.officer.id, "due_before")]),  # 3 working days before Friday 13/2
        (dt.date(2026, 2, 11), []),
        (dt.date(2026, 2, 12), [(j.officer.id, "due_before")]),
        (dt.date(2026, 2, 13), [(j.officer.id, "due_today")]),
        (dt.date(2026, 2, 16), []),  # Tết
        (dt.date(2026, 2, 23), [(j.officer.id, "overdue"), (j.head.id, "escalate_head")]),
        (dt.date(2026, 2, 24), [(j.officer.id, "overdue")]),
        (dt.date(2026, 2, 25), [(j.officer.id, "overdue"), (j.leader.id, "escalate_leader")]),
    ]
    for day, new in timeline:
        for hour in (8, 14):
            # Four concurrent runs, twice a day: what is due is created once.
            await asyncio.gather(*(services.run_schedule(at(day, hour), within=(j.root.path,)) for _ in range(4)))
        expected.update(new)
        assert await task_notes(task["id"]) == expected, day
        # The next tick of the same day finds them all sent: it tries no delivery at all.
        with patch.object(services, "notify", side_effect=AssertionError("a reminder delivered twice")):
            assert await services.run_schedule(at(day, 16), within=(j.root.path,)) == 0
    titles = await Notification.select(Notification.title).where(
        (Notification.task_id == task["id"]) & (Notification.kind == "due_before")
    ).order_by(Notification.id)
    assert titles[0]["title"].startswith("Còn 3 ngày làm việc đến hạn")
    digests = await Notification.select(Notification.dedupe_key).where(
        (Notification.person == j.officer.id) & (Notification.kind == "digest")
        & Notification.dedupe_key.like("%:2026-02-%")
    )
    # The schedule covers everyone: another test's run on other February days may add this officer's digest
    # for those days, so look at the timeline's days: one digest on each working day (8 runs a day), none at Tết.
    per_day = Counter(row["dedupe_key"].rsplit(":", 1)[1] for row in digests)
    timeline_days = {day.isoformat() for day, _ in timeline}
    assert {day: n for day, n in per_day.items() if day in timeline_days} == {
        day: 1 for day in timeline_days if day != "2026-02-16"
    }


async def test_task_events_fill_the_right_inboxes(nj) -> None:  # type: ignore[no-untyped-def]
    from server.tasks import services as tasks

    j = nj
    task = await make_task(j, assignees=[j.officer])
    tid = task["id"]  # creating it assigned it, which told the officer through tasks.services.transition
    await services.on_task_event("submitted", tid, j.officer.id)
    await services.on_task_event("returned", tid, j.leader.id, reason="Thiếu ảnh hiện trường")
    await services.on_task_event("approved", tid, j.leader.id)
    await services.on_task_event("extension_requested", tid, j.officer.id)
    await services.on_task_event("extension_decided", tid, j.leader.id, approved=True, requested_by=j.officer.id)
    await services.on_task_event("comment", tid, j.officer.id, note="Đã liên hệ tổ dân phố")
    assert await task_notes(tid) == Counter({
        (j.officer.id, "assigned"): 1,
        (j.leader.id, "submitted"): 1,
        (j.officer.id, "returned"): 1,
        (j.officer.id, "approved"): 1,
        (j.leader.id, "extension_requested"): 1,
        (j.officer.id, "extension_approved"): 1,
        (j.head.id, "comment"): 1,  # the officer wrote it, so only the unit head is told
    })
    returned = await Notification.select().where(
        (Notification.task_id == tid) & (Notification.kind == "returned")
    ).first()
    assert returned["title"].startswith("Nhiệm vụ bị trả lại") and "Thiếu ảnh" in returned["body"]
    assert returned["link"] == f"/tasks/{tid}"
    # A split part is submitted to the parent unit's head, not to the leader.
    part = await tasks.create_task(j.head, title="Phần việc", lead_unit_id=j.dept_sub.id, parent_id=tid,
                                   assignee_ids=[j.officer.id])
    await services.on_task_event("submitted", part["id"], j.officer.id)
    assert await task_notes(part["id"]) == Counter({(j.officer.id, "assigned"): 1, (j.head.id, "submitted"): 1})


async def test_english_speakers_get_english_titles(nj) -> None:  # type: ignore[no-untyped-def]
    from server.people.tables import Person

    j = nj
    await Person.update({Person.locale: "en"}).where(Person.id == j.other_officer.id)
    task = await make_task(j, title="Sửa đèn đường", assignees=[j.other_officer], lead_unit=j.other_dept)
    await services.on_task_event("assigned", task["id"], j.leader.id)
    row = await Notification.select().where(Notification.task_id == task["id"]).first()
    assert row["title"] == "New task assigned to you: Sửa đèn đường"
