"""Rows for the KPI tests, written straight into the tables, and an independent reading of PRODUCT.md's rules.

`expected()` is deliberately plain Python written from "What the numbers mean", sharing no code with
`server.kpi.services`: a task counts for a period when its deadline (the one in force, i.e. the `deadline`
column) falls in [start, end], or when it is done and its completion (the approved submission, `completed_at`)
falls in it as a date in Asia/Ho_Chi_Minh. Drafts and cancelled tasks count nowhere.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from server.people.tables import Person
from server.tasks.tables import Task, TaskAssignee, TaskDeadline
from server.units.tables import Unit
from tests.factories import unique

VN = ZoneInfo("Asia/Ho_Chi_Minh")
BUCKETS = ("done_on_time", "done_late", "in_progress_on_time", "in_progress_overdue")
OPEN_STATES = ("assigned", "in_progress", "submitted", "returned")
STATES = ("draft", *OPEN_STATES, "done", "cancelled")


def utc(day: dt.date, hour: int = 3, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=dt.UTC)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(VN).date()


@dataclass
class Spec:
    """One task as the test means it; `ref` names it in assertions."""

    state: str
    deadline: dt.date | None = None
    completed_at: dt.datetime | None = None
    lead: str = "root"
    parent: str | None = None
    person_rows: tuple[str, ...] = ()  # assignment rows of the person under test: "active" / "removed"
    other_rows: tuple[str, ...] = ()  # the same for a second person, who must never leak into the first's figures
    ref: str = ""
    old_deadlines: tuple[dt.date, ...] = ()  # earlier deadlines, written to TaskDeadline as history only
    id: int = field(default=0, compare=False)  # set by insert_tasks


def expected_bucket(spec: Spec, today: dt.date) -> str | None:
    if spec.state == "done":
        assert spec.completed_at is not None
        # A done task with no deadline had nothing to be late for: on time (PRODUCT.md is silent; a reading).
        if spec.deadline is None or local_day(spec.completed_at) <= spec.deadline:
            return "done_on_time"
        return "done_late"
    if spec.state in OPEN_STATES:
        if spec.deadline is not None and spec.deadline < today:
            return "in_progress_overdue"
        return "in_progress_on_time"
    return None  # draft, cancelled


def in_period(spec: Spec, start: dt.date, end: dt.date) -> bool:
    if spec.deadline is not None and start <= spec.deadline <= end:
        return True
    return spec.state == "done" and spec.completed_at is not None and start <= local_day(spec.completed_at) <= end


def expected(specs: list[Spec], start: dt.date, end: dt.date, today: dt.date, *, in_scope) -> dict[str, set[int]]:
    """Bucket → the ids of the tasks that belong in it; `in_scope(spec)` decides the scope."""
    result: dict[str, set[int]] = {bucket: set() for bucket in BUCKETS}
    for spec in specs:
        bucket = expected_bucket(spec, today)
        if bucket is not None and in_scope(spec) and in_period(spec, start, end):
            result[bucket].add(spec.id)
    return result


@dataclass
class Tree:
    """outer ⊃ {root ⊃ child ⊃ grandchild, sibling}: the subtree under test is `root`'s."""

    units: dict[str, dict] = field(default_factory=dict)
    person_id: int = 0
    other_person_id: int = 0

    @property
    def root_path(self) -> str:
        return self.units["root"]["path"]

    def in_subtree(self, name: str) -> bool:
        return self.units[name]["path"].startswith(self.root_path)


async def insert_unit(name: str, parent: dict | None) -> dict:
    rows = await Unit.insert(
        Unit(name=name, code=unique("kpi"), kind="department", parent=parent["id"] if parent else None, path="")
    ).returning(Unit.id)
    unit_id = rows[0]["id"]
    path = f"{parent['path'] if parent else '/'}{unit_id}/"
    await Unit.update({Unit.path: path}).where(Unit.id == unit_id)
    return {"id": unit_id, "path": path}


async def insert_person(unit: dict) -> int:
    rows = await Person.insert(
        Person(username=unique("kpip"), full_name="Nguyễn Thị Thử", role="officer", unit=unit["id"], password_hash="!")
    ).returning(Person.id)
    return rows[0]["id"]


async def make_tree() -> Tree:
    tree = Tree()
    tree.units["outer"] = await insert_unit("UBND huyện", None)
    tree.units["root"] = await insert_unit("UBND xã", tree.units["outer"])
    tree.units["child"] = await insert_unit("Phòng Kinh tế", tree.units["root"])
    tree.units["grandchild"] = await insert_unit("Tổ Nông nghiệp", tree.units["child"])
    tree.units["sibling"] = await insert_unit("UBND xã bên cạnh", tree.units["outer"])
    tree.person_id = await insert_person(tree.units["child"])
    tree.other_person_id = await insert_person(tree.units["sibling"])
    return tree


async def insert_tasks(
    tree: Tree, specs: list[Spec], *, person_id: int | None = None, other_id: int | None = None
) -> None:
    """Insert top-level tasks, then subtasks (whose `parent` names a top-level spec's ref), then assignees.

    Each spec gets its id stored on it (`id`). Titles are unique, which maps inserted rows back to specs.
    """
    person_id = person_id or tree.person_id
    other_id = other_id or tree.other_person_id
    token = unique("t")
    now = dt.datetime.now(dt.UTC)
    by_ref: dict[str, int] = {}
    for phase in ("top", "sub"):
        batch = [(i, s) for i, s in enumerate(specs) if (s.parent is None) == (phase == "top")]
        if not batch:
            continue
        titles = {f"{token}-{i}": s for i, s in batch}
        await Task.insert(
            *(
                Task(
                    title=title,
                    lead_unit=tree.units[s.lead]["id"],
                    parent=None if s.parent is None else by_ref[s.parent],
                    state=s.state,
                    deadline=s.deadline,
                    completed_at=s.completed_at,
                    submitted_at=s.completed_at,
                    approved_at=None if s.completed_at is None else s.completed_at + dt.timedelta(days=1),
                    created_at=now,
                    updated_at=now,
                )
                for title, s in titles.items()
            )
        )
        rows = await Task.select(Task.id, Task.title).where(Task.title.is_in(list(titles)))
        assert len(rows) == len(titles)
        for row in rows:
            spec = titles[row["title"]]
            spec.id = row["id"]
            if spec.ref:
                by_ref[spec.ref] = row["id"]
    assignees = []
    history = []
    for s in specs:
        for who, kinds in ((person_id, s.person_rows), (other_id, s.other_rows)):
            for kind in kinds:
                assignees.append(
                    TaskAssignee(
                        task=s.id,
                        person=who,
                        assigned_at=now,
                        removed_at=now if kind == "removed" else None,
                    )
                )
        previous = None
        for old in (*s.old_deadlines, s.deadline) if s.old_deadlines else ():
            history.append(TaskDeadline(task=s.id, deadline=old, previous=previous, set_at=now))
            previous = old
    if assignees:
        await TaskAssignee.insert(*assignees)
    if history:
        await TaskDeadline.insert(*history)
    # As tasks.services would, inside each write: keep kpi's counts (server.kpi.counts) exact for these tasks.
    from server.kpi import counts
    from server.lib.db import write_transaction

    async with write_transaction():
        for s in specs:
            await counts.refresh_task(s.id, "created")


ANCHOR = dt.date(2026, 1, 26)
EDGE_TIMES = (dt.time(0, 0), dt.time(16, 59, 59), dt.time(17, 0), dt.time(23, 59, 59))  # around 17:00 UTC
UNITS = ("root", "child", "grandchild", "outer", "sibling")


def random_spec(rng: random.Random, i: int, parents: list[str], *, anomaly: bool = False, part_chance: float = 0.15,
                rows: tuple[tuple[str, ...], ...] = ()) -> Spec:
    """A task drawn at random around ANCHOR: a part of one of `parents` with `part_chance`; with `rows`, the
    assignment rows of the person under test and of a second person drawn from them."""
    state = rng.choice((*STATES, "done", "done"))
    deadline = None if rng.random() < 0.15 else ANCHOR + dt.timedelta(days=rng.randint(-40, 40))
    completed = None
    if state == "done" and not anomaly:  # an anomaly: done without a completion time (late, never by completion)
        day = ANCHOR + dt.timedelta(days=rng.randint(-45, 45))
        completed = dt.datetime.combine(day, rng.choice(EDGE_TIMES), tzinfo=dt.UTC)
    parent = rng.choice(parents) if parents and rng.random() < part_chance else None
    person_rows: tuple[str, ...] = ()
    other_rows: tuple[str, ...] = ()
    if rows:
        person_rows, other_rows = rng.choice(rows), rng.choice(rows)
    return Spec(state=state, deadline=deadline, completed_at=completed, lead=rng.choice(UNITS), parent=parent,
                person_rows=person_rows, other_rows=other_rows, ref=f"r{i}" if parent is None else "")
