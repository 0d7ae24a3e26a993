"""The figures the API reads from kpi's kept counts (server.kpi.counts) equal the figures counted from the tasks.

A generated set of tasks goes through tasks.services as a commune works over five weeks: created with deadlines
over the coming weeks, started, submitted, approved on time or late, returned and submitted again (reopened),
given a later deadline by an approved extension, cancelled, edited (assignees changed, progress and comments:
writes that must not move a count). Then, for several periods and todays, `GET /api/v1/kpi` (kept counts) equals
`kpi.figures()` (the tasks counted), for the commune, a department and another department; each drill-down's
count (`GET /api/v1/dashboard/tasks`) equals its figure and its pages hold exactly `kpi.task_ids()`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import pytest

from server.kpi import counts
from server.kpi import services as kpi
from server.kpi.services import BUCKETS
from server.lib import clock
from server.tasks import services as tasks
from server.tasks.tables import TaskDeadline, TaskEvent

START = dt.datetime(2026, 3, 2, 3, tzinfo=dt.UTC)  # a Monday, 10:00 in Hà Nội


@pytest.fixture
def frozen() -> Iterator[Any]:
    def at(days: int, hour: int = 3) -> dt.date:
        moment = START + dt.timedelta(days=days, hours=hour - 3)
        clock.freeze(moment)
        return clock.today_vn()

    yield at
    clock.freeze(None)


async def _work(j: Any, rng: random.Random, at: Any) -> list[int]:
    at(0)
    leads = [j.dept, j.dept_sub, j.other_dept]
    people = {j.dept.id: [j.officer2, j.officer], j.dept_sub.id: [j.officer], j.other_dept.id: [j.other_officer]}
    made = []
    for n in range(24):
        lead = leads[n % 3]
        task = await tasks.create_task(
            j.leader, title=f"Việc số {n}: kiểm tra kênh mương thôn {n}", lead_unit_id=lead.id,
            assignee_ids=[people[lead.id][0].id],
            deadline=None if n % 11 == 5 else clock.today_vn() + dt.timedelta(days=rng.randint(1, 30)),
        )
        made.append((task["id"], lead, people[lead.id][0]))
    for day in range(1, 36, 3):
        at(day, hour=rng.choice((1, 9, 16, 17, 23)))  # 17:00 UTC is already the next day in Hà Nội
        for task_id, lead, officer in made:
            detail = await tasks.get_task(j.leader, task_id)
            state, roll = detail["state"], rng.random()
            if state == "assigned" and roll < 0.6:
                await tasks.transition(officer, task_id, "start")
            elif state == "in_progress" and roll < 0.25:
                await tasks.report_progress(officer, task_id, note="Đã làm được một nửa", percent=50)
                await tasks.add_comment(j.leader, task_id, "Khẩn trương")
            elif state in ("in_progress", "returned") and roll < 0.55:
                if state == "returned":
                    await tasks.transition(officer, task_id, "start")
                await tasks.transition(officer, task_id, "submit", note="Xong")
            elif state == "in_progress" and roll < 0.65 and detail["deadline"]:
                ask = dt.date.fromisoformat(str(detail["deadline"])) + dt.timedelta(days=rng.randint(3, 20))
                if ask > clock.today_vn():
                    extension = await tasks.request_extension(officer, task_id, ask, "Chờ vật tư")
                    await tasks.decide_extension(j.leader, extension["id"], approve=rng.random() < 0.8,
                                                  note="Đã xem xét")
            elif state == "submitted" and roll < 0.3:
                await tasks.transition(j.leader, task_id, "return", reason="Bổ sung ảnh hiện trường")
            elif state == "submitted" and roll < 0.8:
                await tasks.transition(j.leader, task_id, "approve")
            elif state in ("assigned", "in_progress") and roll > 0.97:
                await tasks.transition(j.leader, task_id, "cancel", reason="Trùng việc")
            elif state == "assigned" and roll > 0.9 and lead.id == j.dept.id:
                await tasks.set_assignees(j.head, task_id, [j.officer.id, j.officer2.id])
    return [task_id for task_id, _, _ in made]


async def test_the_api_figures_from_the_kept_counts_equal_the_counted_ones(j, client_for, frozen) -> None:  # type: ignore[no-untyped-def]
    await counts.rebuild()  # the counts are "built": from here on only the task writes keep them
    ids = await _work(j, random.Random(11), frozen)
    assert await counts.is_ready()
    # The set holds what it is meant to: reopened and then approved tasks, moved deadlines, late and on-time work.
    events = await TaskEvent.select(TaskEvent.task, TaskEvent.to_state).where(TaskEvent.task.is_in(ids))
    returned = {e["task"] for e in events if e["to_state"] == "returned"}
    done = {e["task"] for e in events if e["to_state"] == "done"}
    moved = await TaskDeadline.select(TaskDeadline.task).where(TaskDeadline.task.is_in(ids) &
                                                               TaskDeadline.previous.is_not_null())
    assert returned & done and moved and len(done) >= 6, (len(returned), len(done), len(moved))
    leader = await client_for(j.leader)
    checked = 0
    for today_offset in (20, 36, 60):
        today = frozen(today_offset)
        month = dt.date(today.year, today.month, 1)
        periods = [
            (month, (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)),
            (dt.date(2026, 3, 1), dt.date(2026, 4, 30)),
            (today - dt.timedelta(days=6), today),
            (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ]
        for start, end in periods:
            for unit in (j.root, j.dept, j.other_dept):
                want = await kpi.figures(start, end, unit_path=unit.path, today=today)
                params: dict[str, Any] = {"start": start.isoformat(), "end": end.isoformat()}
                if unit is not j.root:
                    params["unit_id"] = unit.id
                got = (await leader.get("/api/v1/kpi", params=params)).json()
                assert {b: got[b] for b in BUCKETS} == {b: getattr(want, b) for b in BUCKETS}, (start, end, unit)
                checked += want.total
                for bucket in (*BUCKETS, "total"):
                    ids = await kpi.task_ids(start, end, bucket=None if bucket == "total" else bucket,
                                             unit_path=unit.path, today=today)
                    drill = await leader.get("/api/v1/dashboard/tasks",
                                             params={**params, "bucket": bucket, "limit": 4})
                    body = drill.json()
                    assert body["count"] == len(ids), (bucket, start, end, unit)
                    paged, offset = [item["id"] for item in body["items"]], 4
                    while offset < body["count"]:
                        more = await leader.get("/api/v1/dashboard/tasks",
                                                params={**params, "bucket": bucket, "limit": 4, "offset": offset})
                        paged += [item["id"] for item in more.json()["items"]]
                        offset += 4
                    assert paged == ids, (bucket, start, end, unit)
            # A person's figures (counted, not kept) through the API too.
            person = (await leader.get("/api/v1/kpi", params={"start": start.isoformat(), "end": end.isoformat(),
                                                              "person_id": j.officer.id})).json()
            want = await kpi.figures(start, end, person_id=j.officer.id, within_path=j.leader.unit_path, today=today)
            assert {b: person[b] for b in BUCKETS} == {b: getattr(want, b) for b in BUCKETS}
    assert checked > 50  # the comparison had something to compare
