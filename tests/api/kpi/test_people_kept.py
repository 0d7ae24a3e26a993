"""A person's figures read from the people's kept counts (server.kpi.people_counts) equal the figures counted from
their tasks (`kpi.figures(person_id=...)`), with and without `within_path`, after every kind of write.

- Random task sets written straight into the tables (parts, removed and doubled assignment rows, completions at the
  edges of local days, a done task without a completion time), rebuilt, then changed one task at a time as
  tasks.services would (the row, then the in-transaction refresh), people put on and taken off tasks included.
- The real writes through tasks.services, one kind at a time: created, started, submitted, approved on time and
  late, returned, cancelled, a deadline moved by an approved extension, people assigned, taken off, handed over
  to someone else and put back, a task split into parts, a task given to another lead unit by a directive's
  correction (its former unit's people leave it), a task deleted. After each: the kept figures equal the counted
  ones for every person, period and viewer, the people table of the dashboard and a person's weeks too, and
  `counts.differences()` is 0.
- A write around tasks.services is found and repaired by the periodic check; people's counts never built are built
  by it, the tasks counted meanwhile.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from server.dashboard import services as dashboard
from server.dashboard.figures import figures_by_person, person_weeks
from server.dashboard.periods import Period
from server.kpi import counts, people_counts
from server.kpi import services as kpi
from server.kpi.services import BUCKETS, Figures
from server.lib import clock
from server.lib.db import write_transaction
from server.tasks import revision
from server.tasks import services as tasks
from server.tasks.tables import Task, TaskAssignee
from tests.factories import Jurisdiction
from tests.unit.kpi.kpi_data import ANCHOR, Spec, Tree, insert_tasks, make_tree, random_spec

START = dt.datetime(2026, 3, 2, 3, tzinfo=dt.UTC)  # a Monday, 10:00 in Hà Nội
ROWS = ((), ("active",), ("removed",), ("removed", "active"), ("active", "active"))


def _as_counts(figures: Figures | dict[str, int]) -> dict[str, int]:
    if isinstance(figures, Figures):
        return {b: getattr(figures, b) for b in BUCKETS}
    return {b: figures.get(b, 0) for b in BUCKETS}


async def _assert_person(person_id: int, start: dt.date, end: dt.date, today: dt.date, within: str | None) -> int:
    """One person's kept figures (the reader, `kept_figures`, the kept drill-down count) equal the counted ones."""
    want = await kpi.figures(start, end, person_id=person_id, within_path=within, today=today)
    kept = await people_counts.figures(start, end, today=today, person_id=person_id, within_path=within)
    assert _as_counts(kept.get(person_id, {})) == _as_counts(want), (person_id, start, end, today, within)
    assert await kpi.kept_figures(start, end, person_id=person_id, within_path=within, today=today) == want
    for bucket in (None, "in_progress_overdue"):
        figure: dict[str, Any] = {"person_id": person_id, "within_path": within, "today": today, "bucket": bucket}
        assert await kpi.count(start, end, kept=True, **figure) == await kpi.count(start, end, **figure)
    return want.total


# ---------------------------------------------------------------- random task sets


async def _compare_random(rng: random.Random, tree: Tree, rounds: int) -> int:
    checked = 0
    for _ in range(rounds):
        start = ANCHOR + dt.timedelta(days=rng.randint(-50, 30))
        end = start + dt.timedelta(days=rng.choice((0, 6, 30, 90, rng.randint(0, 120))))
        today = ANCHOR + dt.timedelta(days=rng.randint(-50, 50))
        for person in (tree.person_id, tree.other_person_id):
            for within in (None, tree.root_path, tree.units["child"]["path"]):
                checked += await _assert_person(person, start, end, today, within)
    return checked


async def _set_rows(spec: Spec, person_id: int, rows: tuple[str, ...]) -> None:
    """The person's assignment rows of the task become `rows` ("active" / "removed"), as a reassignment leaves them."""
    await TaskAssignee.delete().where((TaskAssignee.task == spec.id) & (TaskAssignee.person == person_id))
    now = clock.now()
    for kind in rows:
        await TaskAssignee.insert(TaskAssignee(task=spec.id, person=person_id, assigned_at=now,
                                               removed_at=now if kind == "removed" else None))


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_kept_people_counts_equal_a_direct_count_on_random_tasks(seed: int) -> None:
    rng = random.Random(seed)
    tree = await make_tree()
    specs: list[Spec] = []
    for i in range(50):
        specs.append(random_spec(rng, i, [s.ref for s in specs if s.ref], anomaly=seed == 3 and i % 17 == 3,
                                 part_chance=0.3, rows=ROWS))
    await insert_tasks(tree, specs)
    await counts.rebuild()
    assert await counts.is_ready(people_counts.STATE_NAME)
    assert await _compare_random(rng, tree, 6) > 0
    # Change tasks one at a time as tasks.services does: the rows, then task_changed's in-transaction listener.
    for step in range(40):
        spec = rng.choice(specs)
        async with write_transaction():
            if step % 2:
                new = random_spec(rng, 0, [], anomaly=seed == 3 and rng.random() < 0.1, part_chance=0.3, rows=ROWS)
                spec.state, spec.deadline, spec.completed_at = new.state, new.deadline, new.completed_at
                spec.lead = new.lead
                await Task.update({
                    Task.state: spec.state, Task.deadline: spec.deadline, Task.completed_at: spec.completed_at,
                    Task.lead_unit: tree.units[spec.lead]["id"],
                }).where(Task.id == spec.id)
                await counts.refresh_task(spec.id, "test")
            else:  # someone put on, taken off or handed the task: the unit's count stays, the people's move
                person = rng.choice((tree.person_id, tree.other_person_id))
                await _set_rows(spec, person, rng.choice(ROWS))
                await counts.refresh_task(spec.id, "assignees")
        if step % 10 == 9:
            await _compare_random(rng, tree, 2)
    assert await _compare_random(rng, tree, 6) > 0
    assert await people_counts.differences() == 0


# ---------------------------------------------------------------- the real writes, one kind at a time


@pytest.fixture
def frozen() -> Iterator[Any]:
    def at(days: int, hour: int = 3) -> dt.date:
        clock.freeze(START + dt.timedelta(days=days, hours=hour - 3))
        return clock.today_vn()

    yield at
    clock.freeze(None)


async def _assert_everyone(j: Jurisdiction, what: str) -> int:
    """Every person of the commune, every viewer's subtree, several periods and todays: kept == counted; the
    dashboard's people table and a person's weeks likewise; and the counts agree with the tasks."""
    people = (j.officer, j.officer2, j.head, j.other_officer, j.other_head, j.leader)
    viewers = (None, j.root.path, j.dept.path, j.other_dept.path)
    checked = 0
    for today in (START.date() + dt.timedelta(days=d) for d in (0, 40)):
        periods = [(dt.date(2026, 3, 1), dt.date(2026, 3, 31)), (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
                   (dt.date(2026, 3, 9), dt.date(2026, 3, 15))]
        for start, end in periods:
            for person in people:
                for within in viewers:
                    checked += await _assert_person(person.id, start, end, today, within)
            period = Period("custom", start, end)
            for path, within in ((j.root.path, j.root.path), (j.dept.path, j.dept.path), (j.root.path, j.dept.path)):
                kept = await figures_by_person(path, period, today, within)
                direct = await figures_by_person(path, period, today, within, direct=True)
                assert {p: f for p, f in kept.items() if f.total} == {p: f for p, f in direct.items() if f.total}, (
                    what, path, within, start, end)
            await assert_weeks_counted((j.officer, j.officer2), j.root.path, period, today, what)
    assert await counts.differences() == 0, what
    return checked


async def assert_weeks_counted(people: Iterable[Any], within: str, period: Period, today: dt.date, what: str) -> None:
    """Each person's weeks (read from the kept counts) are their figures counted from their tasks, week by week."""
    for person in people:
        for week in await person_weeks(person.id, within, period, today):
            want = await kpi.figures(week.start, week.end, person_id=person.id, within_path=within, today=today)
            assert week.figures == want, (what, person.id, week.start, today)


async def _task(j: Jurisdiction, lead: Any, people: list[Any], days: int | None, title: str) -> int:
    deadline = None if days is None else clock.today_vn() + dt.timedelta(days=days)
    made = await tasks.create_task(j.leader, title=title, lead_unit_id=lead.id, assignee_ids=[p.id for p in people],
                                   deadline=deadline)
    return int(made["id"])


async def test_every_write_keeps_the_people_counts(j: Jurisdiction, frozen: Any, client_for: Any) -> None:
    frozen(0)
    await counts.rebuild()  # the counts are "built": from here on only the task writes keep them
    checked = 0
    # Created (assigned at once): each assignee gains the task, the part's and the top-level task's alike.
    late = await _task(j, j.dept, [j.officer2], 5, "Nạo vét kênh thôn Đông")
    on_time = await _task(j, j.dept_sub, [j.officer], 10, "Đo đạc thửa đất số 12")
    other = await _task(j, j.other_dept, [j.other_officer], 3, "Kiểm tra nhà văn hóa thôn")
    shared = await _task(j, j.dept, [j.officer2, j.officer], 12, "Rà soát hộ nghèo")
    undated = await _task(j, j.dept, [j.officer2], None, "Tuyên truyền phòng cháy")
    moving = await _task(j, j.dept, [j.officer2, j.officer], 7, "Kiểm kê đất công")
    checked += await _assert_everyone(j, "created")

    frozen(1, hour=9)
    await tasks.transition(j.officer2, late, "start")
    await tasks.transition(j.officer, on_time, "start")
    await tasks.transition(j.officer, on_time, "submit", note="Xong")
    await tasks.transition(j.other_officer, other, "start")
    await tasks.report_progress(j.other_officer, other, note="Đang làm", percent=40)  # moves nothing
    await tasks.add_comment(j.leader, other, "Khẩn trương")  # moves nothing
    checked += await _assert_everyone(j, "started, submitted")

    # Assignees: one taken off, a hand-over (one off, another on), everyone off, then put back.
    await tasks.set_assignees(j.head, shared, [j.officer.id])
    checked += await _assert_everyone(j, "taken off")
    await tasks.set_assignees(j.head, late, [j.officer.id])
    checked += await _assert_everyone(j, "handed over")
    await tasks.set_assignees(j.head, undated, [])
    await tasks.set_assignees(j.head, shared, [])
    checked += await _assert_everyone(j, "nobody")
    await tasks.set_assignees(j.head, shared, [j.officer2.id, j.officer.id])
    await tasks.set_assignees(j.head, late, [j.officer.id, j.officer2.id])
    checked += await _assert_everyone(j, "put back")

    # Split into parts: the head gives a part of the shared task to one officer; the part counts for them.
    frozen(2)
    part = await tasks.create_task(j.head, title="Phần việc: thôn Tây", lead_unit_id=j.dept_sub.id, parent_id=shared,
                                   assignee_ids=[j.officer.id], deadline=clock.today_vn() + dt.timedelta(days=4))
    checked += await _assert_everyone(j, "split")
    await tasks.transition(j.officer, part["id"], "start")  # the parent starts with it
    await tasks.transition(j.officer, part["id"], "submit", note="Xong phần")
    checked += await _assert_everyone(j, "part submitted")

    # A directive's correction gives the unstarted task to another lead unit: its former unit's people leave it.
    row = await Task.select().where(Task.id == moving).first()
    assert row is not None
    changed = await revision.revise_unstarted(
        j.leader, moving, title=row["title"], description=row["description"], deadline=row["deadline"],
        deadline_working_days=None, lead_unit_id=j.other_dept.id, coordinating_unit_ids=[], priority=row["priority"],
        revision=1,
    )
    assert changed["lead_unit"]["after"] == j.other_dept.id and changed["assignees"] == {"before": 2, "after": 0}
    checked += await _assert_everyone(j, "moved to another unit")
    await tasks.set_assignees(j.other_head, moving, [j.other_officer.id])
    checked += await _assert_everyone(j, "assigned in the new unit")

    # Approved on time and late (17:00 UTC is already the next day in Hà Nội), returned, extended, cancelled.
    frozen(5, hour=17)
    await tasks.transition(j.leader, on_time, "approve")
    await tasks.transition(j.head, part["id"], "approve")
    await tasks.transition(j.officer, late, "submit", note="Xong")
    await tasks.transition(j.leader, late, "approve")  # the local day after its deadline: late
    extension = await tasks.request_extension(j.other_officer, other, clock.today_vn() + dt.timedelta(days=20),
                                              "Chờ vật tư")
    await tasks.decide_extension(j.leader, extension["id"], approve=True, note="Đồng ý")
    checked += await _assert_everyone(j, "approved, extended")
    frozen(9)
    await tasks.transition(j.other_officer, other, "submit", note="Xong")
    await tasks.transition(j.leader, other, "return", reason="Bổ sung ảnh hiện trường")
    await tasks.transition(j.leader, undated, "cancel", reason="Trùng việc")
    checked += await _assert_everyone(j, "returned, cancelled")

    # A task deleted (no write path of the desk deletes one; a fix in SQL would): its refresh forgets it.
    async with write_transaction():
        await Task.delete().where(Task.parent == shared)
        await counts.refresh_task(part["id"], "deleted")
    checked += await _assert_everyone(j, "deleted")
    assert checked > 100  # the comparisons had something to compare

    # Through the API: a person's figures and the dashboard's people table read the kept counts.
    leader = await client_for(j.leader)
    period = {"start": "2026-03-01", "end": "2026-03-31"}
    today = clock.today_vn()
    for person in (j.officer, j.officer2, j.other_officer):
        got = (await leader.get("/api/v1/kpi", params={**period, "person_id": person.id})).json()
        want = await kpi.figures(dt.date(2026, 3, 1), dt.date(2026, 3, 31), person_id=person.id,
                                 within_path=j.leader.unit_path, today=today)
        assert {b: got[b] for b in BUCKETS} == _as_counts(want)
    board = await dashboard.dashboard(j.leader, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), period="custom")
    direct = await figures_by_person(j.root.path, board.period, today, j.root.path, direct=True)
    assert {row.id: row.figures for row in board.people} == {p: f for p, f in direct.items() if f.total}


async def test_the_check_finds_and_repairs_the_peoples_counts(j: Jurisdiction) -> None:
    made = await tasks.create_task(j.leader, title="Kiểm tra cầu tràn", lead_unit_id=j.dept.id,
                                   assignee_ids=[j.officer.id], deadline=clock.today_vn() + dt.timedelta(days=3))
    await counts.rebuild()
    assert await counts.differences() == 0
    # Someone taken off the task in SQL, around tasks.services: the people's counts no longer match; the units' do.
    await TaskAssignee.update({TaskAssignee.removed_at: clock.now()}).where(TaskAssignee.task == made["id"])
    assert await people_counts.differences() > 0
    result = await counts.check(force=True)
    assert result["rebuilt"] is True and result["differences"] > 0
    assert await counts.differences() == 0
    # A database migrated after its units' counts were built has no people's counts yet: a person's figures are
    # counted from the tasks until the check builds them.
    today = clock.today_vn()
    await Task.raw("UPDATE kpi_aggregate_state SET built_at = NULL WHERE name = {}", people_counts.STATE_NAME)
    assert not await people_counts.usable(today, today)
    assert await kpi.kept_figures(today, today + dt.timedelta(days=9), person_id=j.officer.id) == await kpi.figures(
        today, today + dt.timedelta(days=9), person_id=j.officer.id)
    assert (await counts.check())["rebuilt"] is True
    assert await people_counts.usable(today, today) and await counts.differences() == 0
