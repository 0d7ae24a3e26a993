"""The dashboard's people table and a person's own page read the people's kept counts (server.kpi.people_counts),
and show exactly what counting their tasks shows: on the seed's data set (parts counted for their assignee, a second
assignee on some tasks, another jurisdiction's people), for every subtree a leader or a head may open, several
periods and todays; then again after people are put on and taken off tasks through tasks.services."""

from __future__ import annotations

import datetime as dt

from server.dashboard import services
from server.dashboard.figures import figures_by_person
from server.kpi import counts, people_counts
from server.kpi import services as kpi
from server.kpi.services import BUCKETS, Figures
from server.tasks import services as tasks
from server.tasks.tables import Task
from tests.api.dashboard.conftest import QUERY
from tests.api.kpi.test_people_kept import assert_weeks_counted
from tests.unit.dashboard.seed_data import END, START, TODAY, World

FIGURES = (*BUCKETS, "total")
PERIODS = (services.Period("month", START, END), services.Period("week", dt.date(2026, 3, 9), dt.date(2026, 3, 15)),
           services.Period("year", dt.date(2026, 1, 1), dt.date(2026, 12, 31)))


def _counted(figures: dict[int, Figures]) -> dict[int, Figures]:
    return {person: f for person, f in figures.items() if f.total}


async def _assert_same(world: World) -> int:
    j = world.j
    assert await people_counts.usable(START, END)
    checked = 0
    for today in (TODAY, dt.date(2026, 3, 1), dt.date(2026, 6, 1)):
        for period in PERIODS:
            for path, within in ((j.root.path, j.root.path), (j.dept.path, j.dept.path),
                                 (j.dept.path, j.root.path), (j.other_dept.path, j.other_dept.path)):
                kept = await figures_by_person(path, period, today, within)
                direct = await figures_by_person(path, period, today, within, direct=True)
                assert _counted(kept) == _counted(direct), (path, within, period, today)
                checked += sum(f.total for f in direct.values())
            await assert_weeks_counted((j.officer, j.officer2, j.head), j.root.path, period, today, "seed")
    assert await people_counts.differences() == 0
    return checked


async def test_the_people_table_and_a_persons_page_equal_their_counted_tasks(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    j = world.j
    assert await _assert_same(world) > 100
    leader = await client_for(j.leader)
    data = (await leader.get(f"/api/v1/dashboard?{QUERY}")).json()
    direct = _counted(await figures_by_person(j.root.path, PERIODS[0], TODAY, j.root.path, direct=True))
    assert {row["id"]: {b: row[b] for b in BUCKETS} for row in data["people"]} == {
        person: {b: getattr(f, b) for b in BUCKETS} for person, f in direct.items()}
    for row in data["people"]:
        own = (await leader.get(f"/api/v1/dashboard?{QUERY}&person_id={row['id']}")).json()
        assert {k: own["totals"][k] for k in FIGURES} == {k: row[k] for k in FIGURES}
        counted = await kpi.figures(START, END, person_id=row["id"], within_path=j.root.path, today=TODAY)
        assert own["totals"]["total"] == counted.total and own["totals"]["done_late"] == counted.done_late
        week_totals = [w["total"] for w in own["weeks"]]
        for week, total in zip(services._empty_weeks(PERIODS[0]), week_totals, strict=True):
            assert total == (await kpi.figures(week.start, week.end, person_id=row["id"], within_path=j.root.path,
                                               today=TODAY)).total
        # The drill-down's count (kept) is the length of its list (counted).
        drill = (await leader.get("/api/v1/dashboard/tasks", params={
            "start": START.isoformat(), "end": END.isoformat(), "person_id": row["id"], "bucket": "done_late"})).json()
        assert drill["count"] == counted.done_late == len(await kpi.task_ids(
            START, END, bucket="done_late", person_id=row["id"], within_path=j.root.path, today=TODAY))
    # A head sees only the tasks their subtree leads, in the table and on a person's page alike.
    head = await client_for(j.head)
    mine = (await head.get(f"/api/v1/dashboard?{QUERY}")).json()
    direct = _counted(await figures_by_person(j.dept.path, PERIODS[0], TODAY, j.dept.path, direct=True))
    assert {row["id"]: row["total"] for row in mine["people"]} == {p: f.total for p, f in direct.items()}


async def test_people_put_on_and_taken_off_tasks_move_their_rows(world: World) -> None:
    j = world.j
    counted = world.ids["counted"]
    # Open tasks of the department (the seed's rows 80-99 are open; their lead units cycle dept, dept_sub, ...).
    rows = await Task.select(Task.id).where(Task.id.is_in(counted[77:]) & (Task.lead_unit == j.dept.id))
    open_tasks = sorted(row["id"] for row in rows)
    assert len(open_tasks) >= 3
    await tasks.set_assignees(j.head, open_tasks[0], [j.officer2.id])  # handed to officer2
    await tasks.set_assignees(j.head, open_tasks[1], [])  # nobody
    await tasks.set_assignees(j.head, open_tasks[2], [j.officer.id, j.officer2.id])  # two
    assert await _assert_same(world) > 100
    assert await counts.differences() == 0
