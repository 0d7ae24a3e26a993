"""A known data set with the seed's kind of figure: 100 tasks in March 2026, 77 done of which 50 on time.

Written straight into the tables (like tests/unit/kpi/kpi_data.py) so the numbers are exactly what we mean.
The dashboard's kept unit counts are rebuilt at the end (the rows did not go through tasks.services).
Around the 100 counted tasks sit those that must count nowhere: drafts, cancelled tasks, tasks of another
period, subtasks (counted for their assignee, not for the units) and another jurisdiction's tasks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from server.dashboard import aggregate
from server.directives.tables import Directive
from server.tasks.tables import Task, TaskAssignee
from tests.factories import Jurisdiction, make_jurisdiction, unique

START, END = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
TODAY = dt.date(2026, 3, 20)
EXPECTED = {"done_on_time": 50, "done_late": 27, "in_progress_on_time": 15, "in_progress_overdue": 8}


def utc(day: dt.date, hour: int = 3) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


@dataclass
class World:
    j: Jurisdiction
    j2: Jurisdiction
    directive_ids: list[int] = field(default_factory=list)
    ids: dict[str, list[int]] = field(default_factory=dict)


async def _insert(rows: list[dict], token: str) -> list[int]:
    now = dt.datetime.now(dt.UTC)
    titles = []
    tasks = []
    for i, row in enumerate(rows):
        title = f"{row.pop('title', 'Nhiệm vụ')} {token}-{i}"
        titles.append(title)
        tasks.append(Task(title=title, created_at=now, updated_at=now, **row))
    await Task.insert(*tasks)
    found = {r["title"]: r["id"] for r in await Task.select(Task.id, Task.title).where(Task.title.is_in(titles))}
    return [found[t] for t in titles]


async def _assign(task_ids: list[int], people: list[int]) -> None:
    now = dt.datetime.now(dt.UTC)
    await TaskAssignee.insert(
        *(TaskAssignee(task=t, person=people[i % len(people)], assigned_at=now) for i, t in enumerate(task_ids))
    )


async def build() -> World:
    j = await make_jurisdiction()
    j2 = await make_jurisdiction()
    world = World(j, j2)
    now = dt.datetime.now(dt.UTC)
    directives = []
    for number, signer, kind in (("12/CT-UBND", "Trần Thị Lãnh Đạo", "document"),
                                 ("05/KL-UBND", "Nguyễn Văn Phó", "meeting_conclusion")):
        rows = await Directive.insert(Directive(
            number=f"{number}-{unique('')}", issued_on=dt.date(2026, 2, 20), signer=signer, issuing_body="UBND xã",
            kind=kind, title=f"Chỉ đạo {number}", unit=j.root.id, created_at=now,
        )).returning(Directive.id)
        directives.append(rows[0]["id"])
    world.directive_ids = directives
    units = [j.dept.id, j.dept_sub.id, j.other_dept.id, j.root.id]
    people = [j.officer.id, j.officer2.id, j.other_officer.id, j.head.id]

    def spec(n: int, state: str, deadline: dt.date | None, done_on: dt.date | None, offset: int) -> list[dict]:
        return [
            {"state": state, "deadline": deadline, "lead_unit": units[(i + offset) % len(units)],
             "completed_at": utc(done_on) if done_on else None, "submitted_at": utc(done_on) if done_on else None,
             "directive": directives[(i + offset) % 2] if i % 3 else None, "title": f"Nhiệm vụ {state}"}
            for i in range(n)
        ]

    counted = (
        spec(30, "done", dt.date(2026, 3, 15), dt.date(2026, 3, 10), 0)  # on time
        + spec(20, "done", dt.date(2026, 4, 10), dt.date(2026, 3, 18), 1)  # on time, counted by completion
        + spec(17, "done", dt.date(2026, 3, 5), dt.date(2026, 3, 9), 2)  # late
        + spec(10, "done", dt.date(2026, 2, 25), dt.date(2026, 3, 3), 3)  # late, deadline before the period
        + spec(5, "assigned", dt.date(2026, 3, 25), None, 0)
        + spec(5, "in_progress", dt.date(2026, 3, 20), None, 1)  # due today: still within
        + spec(5, "submitted", dt.date(2026, 3, 31), None, 2)
        + spec(4, "in_progress", dt.date(2026, 3, 10), None, 3)  # overdue
        + spec(4, "returned", dt.date(2026, 3, 19), None, 0)  # overdue by one day
    )
    noise = (
        spec(3, "cancelled", dt.date(2026, 3, 15), None, 0)
        + spec(2, "draft", dt.date(2026, 3, 15), None, 1)
        + spec(5, "in_progress", dt.date(2026, 5, 15), None, 2)  # another period
        + spec(3, "done", dt.date(2026, 2, 10), dt.date(2026, 2, 9), 3)  # done before the period
    )
    token = unique("dash")
    world.ids["counted"] = await _insert(counted, token)
    world.ids["noise"] = await _insert(noise, token + "n")
    await _assign(world.ids["counted"], people)
    await _assign(world.ids["counted"][::7], [j.officer2.id])  # a second assignee on some tasks
    await _assign(world.ids["noise"], people)
    # Subtasks of counted tasks: they count for their assignee only, never for a unit.
    parents = world.ids["counted"][:6]
    subs = [{"state": "in_progress", "deadline": dt.date(2026, 3, 12), "lead_unit": j.dept_sub.id, "parent": p,
             "title": "Nhiệm vụ con"} for p in parents]
    world.ids["sub"] = await _insert(subs, token + "s")
    await _assign(world.ids["sub"], [j.officer.id])
    # Another jurisdiction's tasks must never leak in.
    other = [{"state": "done", "deadline": dt.date(2026, 3, 15), "lead_unit": j2.dept.id,
              "completed_at": utc(dt.date(2026, 3, 1)), "title": "Nhiệm vụ khác"} for _ in range(4)]
    world.ids["other"] = await _insert(other, token + "o")
    await _assign(world.ids["other"], [j2.officer.id])
    # The rows went in around tasks.services (no task_changed): rebuild the dashboard's kept unit counts, as the
    # bench generator and the demo loader do after a bulk load.
    await aggregate.rebuild()
    return world
