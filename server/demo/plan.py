"""What is planned before it is written: the plan's records, and the planner's clock and people."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from server.demo.vocabulary import (
    FAMILY,
    GIVEN_FEMALE,
    GIVEN_MALE,
    HEAD_TITLES,
    MIDDLE_FEMALE,
    MIDDLE_MALE,
    MINUTE,
    NAMED_PEOPLE,
    OFFICERS,
    SEED,
    UNITS,
    VICE_CHAIRS,
    VN,
    H,
)
from server.holidays.services import WorkCalendar
from server.lib import clock
from server.lib.vn_text import fold

# ---------------------------------------------------------------- what is planned before it is written


@dataclass
class Rep:
    author: int
    note: str
    percent: int | None
    received: dt.datetime
    captured: dt.datetime
    latitude: float | None = None
    longitude: float | None = None
    accuracy: float | None = None
    client_id: str | None = None
    id: int | None = None


@dataclass
class Ev:
    t: dt.datetime  # received_at
    kind: str
    actor: int | None
    note: str = ""
    from_state: str | None = None
    to_state: str | None = None
    captured: dt.datetime | None = None
    report: Rep | None = None


@dataclass
class Dl:
    deadline: dt.date
    previous: dt.date | None
    reason: str
    set_by: int | None
    set_at: dt.datetime


@dataclass
class Ext:
    requested_by: int
    requested_deadline: dt.date
    reason: str
    state: str
    created_at: dt.datetime
    decided_by: int | None = None
    decided_at: dt.datetime | None = None
    decision_note: str = ""


@dataclass
class Plan:
    title: str
    description: str
    source: str
    source_ref: str | None
    directive: int | None
    lead: str
    coord: list[str]
    priority: str
    creator: int
    head: int  # manages the lead unit: sets the assignees, submits a top-level task
    approver: int  # a leader for a top-level task, the manager of the parent's unit for a part
    assignees: list[int]
    in_field: bool
    thon: str | None
    parent: Plan | None = None
    deadline_wd: int | None = None
    topic: str = ""
    # filled by the simulation
    state: str = "draft"
    deadline: dt.date | None = None
    created_at: dt.datetime | None = None
    assigned_at: dt.datetime | None = None
    split_at: dt.datetime | None = None
    first_submit: dt.datetime | None = None
    submitted_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    approved_at: dt.datetime | None = None
    approved_by: int | None = None
    cancelled_reason: str | None = None
    progress: int = 0
    version: int = 1
    updated_at: dt.datetime | None = None
    events: list[Ev] = field(default_factory=list)
    deadlines: list[Dl] = field(default_factory=list)
    extensions: list[Ext] = field(default_factory=list)
    assignee_rows: list[tuple[int, bool, dt.datetime]] = field(default_factory=list)
    children: list[Plan] = field(default_factory=list)
    id: int | None = None


@dataclass
class PersonRow:
    username: str
    full_name: str
    title: str
    role: str
    unit: str
    id: int | None = None


STATE_WEIGHTS: list[tuple[float, dict[str, float]]] = [
    # (created at most this many days ago, weights of the states)
    (3, {"draft": 0.3, "assigned": 0.45, "in_progress": 0.2, "submitted": 0.05}),
    (10, {"draft": 0.06, "assigned": 0.25, "in_progress": 0.38, "submitted": 0.2, "returned": 0.05, "done": 0.06}),
    (30, {"assigned": 0.1, "in_progress": 0.32, "submitted": 0.2, "returned": 0.08, "done": 0.25,
          "cancelled": 0.05}),
    (70, {"assigned": 0.05, "in_progress": 0.18, "submitted": 0.12, "returned": 0.07, "done": 0.5,
          "cancelled": 0.06}),
    (10_000, {"assigned": 0.02, "in_progress": 0.09, "submitted": 0.05, "returned": 0.04, "done": 0.68,
              "cancelled": 0.06}),
]
SUB_STATES_OPEN_PARENT = {"done": 0.35, "submitted": 0.18, "in_progress": 0.3, "returned": 0.08, "assigned": 0.09}
CLOSED_BY_PARENT = ("done", "submitted", "returned")
VERSION_KINDS = {"transition", "assignees", "extension_approved"}
UPDATE_KINDS = {"transition", "assignees", "extension_approved", "progress", "created"}




class PlanBase:
    """Plans the whole commune in memory (pure, deterministic), then `write()` puts it in the database."""

    def __init__(self, now: dt.datetime, calendar: WorkCalendar, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        # The history ends at the last midnight in Vietnam, so a seed run any time of the same day writes the
        # same demo; "today" is still today for every deadline.
        self.today = clock.local_date(now)
        self.now = dt.datetime.combine(self.today, dt.time(0, 0), VN).astimezone(dt.UTC)
        self.cap = self.now - 2 * MINUTE
        self.calendar = calendar
        self.people: list[PersonRow] = []
        self.by_username: dict[str, PersonRow] = {}
        self.heads: dict[str, PersonRow] = {}
        self.officers: dict[str, list[PersonRow]] = {}
        self.leaders: list[PersonRow] = []
        self.directives: list[dict[str, Any]] = []
        self.plans: list[Plan] = []
        self.unit_ids: dict[str, int] = {}
        self._names: set[str] = set()
        self._refs: set[str] = set()

    # ------------------------------------------------------------ time

    def _at(self, day: dt.date, minutes_after_7_30: int) -> dt.datetime:
        local = dt.datetime.combine(day, dt.time(7, 30), VN) + dt.timedelta(minutes=minutes_after_7_30)
        return local.astimezone(dt.UTC)

    def _work_moment(self, day: dt.date) -> dt.datetime:
        return self._at(day, self.rng.randint(0, 570))

    def _between(self, a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
        """A moment in (a, b), in office hours on a weekday when the interval allows it."""
        if a is None or b is None:
            return None
        span = int((b - a).total_seconds())
        if span < 120:
            return None
        moment = a
        for _ in range(8):
            moment = a + dt.timedelta(seconds=self.rng.randint(60, span - 60))
            local = moment.astimezone(VN)
            if local.weekday() < 5 and 7 <= local.hour < 18:
                break
        return moment

    def _office(self, moment: dt.datetime) -> dt.datetime:
        """The moment itself when it falls in office hours, else a moment of the next working morning or day."""
        local = moment.astimezone(VN)
        hours = local.hour + local.minute / 60
        if self.calendar.is_working_day(local.date()) and 7.5 <= hours < 17:
            result = moment
        elif self.calendar.is_working_day(local.date()) and hours < 7.5:
            result = self._at(local.date(), self.rng.randint(0, 180))
        else:
            result = self._work_moment(self.calendar.next_working_day(local.date()))
        return min(result.replace(microsecond=0), self.cap - 3 * H)

    def _working_on_or_after(self, day: dt.date) -> dt.date:
        return day if self.calendar.is_working_day(day) else self.calendar.next_working_day(day)

    def _working_on_or_before(self, day: dt.date) -> dt.date:
        while not self.calendar.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day

    def _days_ago(self, days: float) -> dt.datetime:
        """A working moment about `days` before now (never in the future)."""
        moment = self.now - dt.timedelta(days=days)
        day = self._working_on_or_before(clock.local_date(moment))
        candidate = self._work_moment(day)
        if days >= 0.5:
            return min(candidate, self.cap - 3 * H)
        return min(moment, self.cap - 10 * MINUTE).replace(microsecond=0)

    # ------------------------------------------------------------ people

    def _new_name(self, female: bool) -> str:
        rng = self.rng
        while True:
            middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
            given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
            if rng.random() < 0.15:
                second = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
                if second not in (middle, "Thị", "Văn"):
                    middle = f"{middle} {second}"
            name = f"{rng.choice(FAMILY)} {middle} {given}"
            if name not in self._names:
                self._names.add(name)
                return name

    def _username(self, full_name: str) -> str:
        words = fold(full_name).split()
        base = words[-1] + "".join(word[0] for word in words[:-1])
        username, n = base, 1
        while username in self.by_username:
            n += 1
            username = f"{base}{n}"
        return username

    def _add_person(self, username: str, full_name: str, title: str, role: str, unit: str) -> PersonRow:
        person = PersonRow(username, full_name, title, role, unit)
        self.people.append(person)
        self.by_username[username] = person
        self._names.add(full_name)
        return person

    def plan_people(self) -> None:
        for username, full_name, title, role, unit in NAMED_PEOPLE:
            self._add_person(username, full_name, title, role, unit)
        self.leaders = [self.by_username["lanhdao"]]
        for full_name, title in VICE_CHAIRS:
            self.leaders.append(self._add_person(self._username(full_name), full_name, title, "leader", "HH"))
        self.heads["KT"] = self.by_username["truongphong"]
        for unit, title in HEAD_TITLES.items():
            name = self._new_name(female=unit not in ("CA", "QS") and self.rng.random() < 0.35)
            self.heads[unit] = self._add_person(self._username(name), name, title, "unit_head", unit)
        for unit, (count, titles) in OFFICERS.items():
            self.officers[unit] = []
            for index in range(count):
                name = self._new_name(female=self.rng.random() < (0.1 if unit in ("CA", "QS") else 0.5))
                person = self._add_person(self._username(name), name, titles[index % len(titles)], "officer", unit)
                self.officers[unit].append(person)

    def _pid(self, person: PersonRow) -> int:
        assert person.id is not None
        return person.id

    def _subtree(self, unit: str) -> list[str]:
        children = {key: parent for key, _, _, _, parent in UNITS}
        result = [unit]
        for key in children:
            walk = children[key]
            while walk is not None:
                if walk == unit:
                    result.append(key)
                    break
                walk = children[walk]
        return result

    def _officers_under(self, unit: str) -> list[PersonRow]:
        return [p for key in self._subtree(unit) for p in self.officers.get(key, [])]
