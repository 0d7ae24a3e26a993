"""A commune's past, written straight into the task tables: the forecast learns from rows, not from the services
that made them (those have their own tests), and a year of history through the services would take minutes.

The people and units are `make_jurisdiction`'s; `late_units` finish every task late, the others on time.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from server.tasks.tables import ProgressReport, Task, TaskAssignee, TaskDeadline
from tests.factories import Jurisdiction, unique


def utc(day: dt.date, hour: int = 3) -> dt.datetime:
    """`hour` UTC: 10:00 in Hà Nội for the default, so the local date is `day`."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


@dataclass
class Planned:
    unit_id: int
    person_id: int
    assigned: dt.date
    deadline: dt.date
    completed: dt.date | None
    reports: tuple[tuple[dt.date, int], ...] = ()
    state: str = "done"


async def insert(plans: list[Planned]) -> list[int]:
    token = unique("fc")
    now = dt.datetime.now(dt.UTC)
    titles = [f"{token}-{i}" for i in range(len(plans))]
    await Task.insert(*(
        Task(
            title=title, lead_unit=p.unit_id, state=p.state, deadline=p.deadline, assigned_at=utc(p.assigned),
            created_at=utc(p.assigned), updated_at=now, completed_at=utc(p.completed) if p.completed else None,
            submitted_at=utc(p.completed) if p.completed else None,
            progress_percent=p.reports[-1][1] if p.reports else 0,
        )
        for title, p in zip(titles, plans, strict=True)
    ))
    ids = {r["title"]: r["id"] for r in await Task.select(Task.id, Task.title).where(Task.title.is_in(titles))}
    task_ids = [ids[t] for t in titles]
    await TaskAssignee.insert(*(
        TaskAssignee(task=tid, person=p.person_id, assigned_at=utc(p.assigned)) for tid, p in zip(task_ids, plans,
                                                                                                 strict=True)
    ))
    await TaskDeadline.insert(*(
        TaskDeadline(task=tid, deadline=p.deadline, set_at=utc(p.assigned)) for tid, p in zip(task_ids, plans,
                                                                                             strict=True)
    ))
    reports = [
        ProgressReport(task=tid, author=p.person_id, percent=pct, captured_at=utc(day), received_at=utc(day),
                       client_id=unique("fcr"))
        for tid, p in zip(task_ids, plans, strict=True) for day, pct in p.reports
    ]
    if reports:
        await ProgressReport.insert(*reports)
    return task_ids


def past(j: Jurisdiction, today: dt.date, per_unit: int, *, late_units: tuple[int, ...], seed: int = 1
         ) -> list[Planned]:
    """`per_unit` closed tasks for each of dept and other_dept over the last ~300 days, each with a few reports."""
    rng = random.Random(seed)
    plans = []
    for unit, person in ((j.dept, j.officer2), (j.other_dept, j.other_officer)):
        for _ in range(per_unit):
            assigned = today - dt.timedelta(days=rng.randint(40, 300))
            deadline = assigned + dt.timedelta(days=rng.randint(10, 25))
            late = unit.id in late_units
            completed = deadline + dt.timedelta(days=rng.randint(2, 10)) if late else \
                deadline - dt.timedelta(days=rng.randint(0, 3))
            span = (completed - assigned).days
            reports = tuple(
                (assigned + dt.timedelta(days=span * k // 4), min(100, 25 * k + rng.randint(-10, 10)))
                for k in (1, 2, 3)
            )
            plans.append(Planned(unit.id, person.id, assigned, deadline, completed, reports))
    return plans


async def one_risky_one_safe(j: Jurisdiction, today: dt.date) -> tuple[int, int]:
    """A history in which j.dept finishes late, then the same open task in j.dept (at risk) and in j.other_dept
    (not), the forecast refreshed: (the risky task's id, the safe one's)."""
    from server.forecast import services

    await insert(past(j, today, 40, late_units=(j.dept.id,)))
    same = {"assigned": today - dt.timedelta(days=10), "deadline": today + dt.timedelta(days=4), "completed": None,
            "reports": ((today - dt.timedelta(days=2), 40),), "state": "in_progress"}
    risky, safe = await insert([Planned(j.dept.id, j.officer2.id, **same),
                                Planned(j.other_dept.id, j.other_officer.id, **same)])
    assert (await services.refresh(j.root.id)).status == services.READY
    return risky, safe
