"""Fill a database with a realistic province for benchmarks.

    .venv/bin/python -m bench.generate --database-url postgres://postgres@127.0.0.1:5432/dieuhanh_bench
    .venv/bin/python -m bench.generate --database-url sqlite:////tmp/bench.sqlite --tasks 100000

The shape follows the product brief's scale: one province (the root unit, whose office is the root itself),
30 departments with 2-3 sub-units each, 100 communes (a fifth of them wards) with 3 sub-units each;
5,000 officers plus one head per unit, 3 leaders and an admin; ~2,000 directives and meeting conclusions;
N tasks over the last three years (1,000,000 by default on PostgreSQL, 100,000 on SQLite).

Tasks are in these shares: 55% done (about 65% of them on time: the approved submission's local date is
on or before the deadline), 25% open within their deadline (assigned, in progress, submitted, returned),
15% open and overdue, 3% cancelled, 2% drafts. Each non-draft task has one main assignee (12% a second one)
in the lead unit's subtree, and about a third have 1-3 coordinating units. Task ids follow created_at.
The task history tables (events, deadlines, progress reports) are left empty. Columns the generator does
not know (the schema moves) are written as NULL when nullable, else left to their defaults.

The migrations are run first; the database must then hold no units (or pass --reset to empty it).
On PostgreSQL the three task tables are loaded with COPY, with their secondary indexes and foreign keys
dropped and rebuilt in the same transaction, then VACUUM ANALYZE. Then the dashboard's kept unit counts are
rebuilt from the rows (server.dashboard.aggregate.rebuild: the rows did not go through tasks.services).
On SQLite rows go in with executemany in one transaction.
Everybody's password is "bench-password" (one argon2 hash, reused).
bench/results/generated.json (--report) names typical officers, unit heads and leaders to log in as.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import math
import os
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from bench import vocab

PASSWORD = "bench-password"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
VN_OFFSET_S = 7 * 3600
EPOCH_ORD = date(1970, 1, 1).toordinal()
WORK_START_S = 7 * 3600 + 1800  # 07:30 local
WORK_SPAN_S = 9 * 3600 + 1800  # until 17:00 local
YEARS = 3

# Shares of the task states (cumulative thresholds are built from these).
SHARE_DONE = 0.55
SHARE_OPEN_WITHIN = 0.25
SHARE_OVERDUE = 0.15
SHARE_CANCELLED = 0.03
ON_TIME_AMONG_DONE = 0.65
OPEN_STATES = {"assigned", "in_progress", "submitted", "returned"}
LONG_TASK_SHARE = 0.35  # of the open tasks within their deadline
# How open tasks split among the open states (cumulative cuts): within deadline, and overdue.
OPEN_WITHIN_STATES, OPEN_WITHIN_CUTS = ["assigned", "in_progress", "submitted", "returned"], [0.2, 0.76, 0.92]
OVERDUE_STATES, OVERDUE_CUTS = ["in_progress", "assigned", "returned", "submitted"], [0.6, 0.75, 0.9]
# Deadlines, in working days from the assignment.
DEADLINE_WORKING_DAYS = [3, 5, 5, 7, 7, 10, 10, 10, 15, 15, 20, 20, 30, 30, 45, 60, 90]
PROGRESS_STEPS = [10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90]

TASK_COLUMNS = [
    "id", "title", "description", "source", "source_ref", "directive", "parent", "lead_unit", "state",
    "priority", "deadline", "deadline_working_days", "assigned_at", "created_by", "created_at", "updated_at",
    "submitted_at", "completed_at", "approved_at", "approved_by", "cancelled_reason", "progress_percent",
    "version", "search_text",
]  # fmt: skip
ASSIGNEE_COLUMNS = ["id", "task", "person", "is_main", "assigned_at"]
COORDINATING_COLUMNS = ["id", "task", "unit"]
UNIT_COLUMNS = ["id", "name", "code", "kind", "parent", "path", "active", "search_text"]
PERSON_COLUMNS = [
    "id", "username", "full_name", "title", "email", "phone", "role", "unit", "password_hash", "active",
    "is_demo", "locale", "search_text", "created_at",
]  # fmt: skip
DIRECTIVE_COLUMNS = [
    "id", "number", "issued_on", "signer", "issuing_body", "kind", "title", "summary", "unit", "created_by",
    "created_at", "search_text",
]  # fmt: skip
BULK_TABLES = ["tasks", "task_assignees", "task_coordinating_units"]
TABLE_COLUMNS = {
    "units": UNIT_COLUMNS,
    "people": PERSON_COLUMNS,
    "directives": DIRECTIVE_COLUMNS,
    "tasks": TASK_COLUMNS,
    "task_assignees": ASSIGNEE_COLUMNS,
    "task_coordinating_units": COORDINATING_COLUMNS,
}
# Tables the generator leaves alone when it empties a database with --reset.
KEPT_TABLES = {"migration", "calendar_days"}


# ---------------------------------------------------------------------------------------------------------
# Time: working days and moments, as plain integers (date ordinals, epoch seconds) until the rows are built.


class Calendar:
    """Working days (Monday-Friday) from three years and a season before today to a year after it."""

    def __init__(self, today: date, now_s: int) -> None:
        self.today = today
        self.now_s = now_s
        first = today.toordinal() - YEARS * 366 - 120
        last = today.toordinal() + 400
        self.ords = [o for o in range(first, last) if date.fromordinal(o).weekday() < 5]
        self.dates = [date.fromordinal(o) for o in self.ords]
        # Epoch seconds of local (Asia/Ho_Chi_Minh) midnight of each working day.
        self.midnight = [(o - EPOCH_ORD) * 86400 - VN_OFFSET_S for o in self.ords]
        self.i_today = bisect.bisect_left(self.ords, today.toordinal())  # first working day >= today
        self.i_start = bisect.bisect_left(self.ords, today.toordinal() - YEARS * 365)

    def index_of(self, ordinal: int) -> int:
        return bisect.bisect_left(self.ords, ordinal)


def growing(rng: random.Random, low: int, high: int) -> int:
    """An index in [low, high], denser toward `high`: half uniform, half linearly growing (use grows)."""
    r = rng.random()
    if rng.random() < 0.5:
        r = math.sqrt(r)
    return low + int(r * (high - low))


# ---------------------------------------------------------------------------------------------------------
# The province: units, people, directives (small; built in memory).


@dataclass
class UnitPlan:
    id: int
    name: str
    code: str
    kind: str
    parent: int | None
    path: str
    top: int  # the department or commune it belongs to (itself for those; the root for the root)
    commune: str = ""  # "xã Hoài Hương" for a commune's subtree
    short: str = ""  # "Hoài Hương"
    ward: bool = False
    head: int = 0
    officers: list[int] = field(default_factory=list)  # officer indexes (into Province.officers)


@dataclass
class PersonPlan:
    id: int
    username: str
    full_name: str
    title: str
    role: str
    unit: int


@dataclass
class DirectivePlan:
    id: int
    number: str
    issued_ord: int
    signer: str
    issuing_body: str
    kind: str
    title: str
    summary: str
    unit: int
    created_by: int
    created_s: int


@dataclass
class Province:
    units: list[UnitPlan]
    people: list[PersonPlan]
    officers: list[PersonPlan]  # role "officer" only, in the order their task weights use
    officer_weights: list[float]
    leaders: list[PersonPlan]
    admin: PersonPlan
    directives: list[DirectivePlan]

    def unit(self, unit_id: int) -> UnitPlan:
        return self.units[unit_id - 1]


def person_name(rng: random.Random) -> str:
    family = rng.choices([n for n, _ in vocab.FAMILY_NAMES], weights=[w for _, w in vocab.FAMILY_NAMES])[0]
    if rng.random() < 0.5:
        return f"{family} {rng.choice(vocab.MIDDLE_MALE)} {rng.choice(vocab.GIVEN_MALE)}"
    return f"{family} {rng.choice(vocab.MIDDLE_FEMALE)} {rng.choice(vocab.GIVEN_FEMALE)}"


def commune_names(rng: random.Random, count: int) -> list[str]:
    names = ["Hoài Hương", "Tân Hưng"]
    pairs = [f"{a} {b}" for a in vocab.COMMUNE_FIRST for b in vocab.COMMUNE_SECOND if a != b]
    rng.shuffle(pairs)
    for pair in pairs:
        if len(names) >= count:
            break
        if pair not in names:
            names.append(pair)
    return names[:count]


def head_title(unit: UnitPlan, parent: UnitPlan | None) -> str:
    name = unit.name
    if unit.kind == "province":
        return "Chánh Văn phòng UBND tỉnh"
    if unit.kind == "commune":
        return f"Chủ tịch UBND {'phường' if unit.ward else 'xã'}"
    if unit.kind == "department":
        for prefix, title in [
            ("Sở", "Giám đốc Sở"), ("Ban", "Trưởng ban"), ("Thanh tra", "Chánh Thanh tra tỉnh"),
            ("Công an", "Giám đốc Công an tỉnh"), ("Bộ Chỉ huy", "Chỉ huy trưởng"), ("Cục", "Cục trưởng"),
        ]:  # fmt: skip
            if name.startswith(prefix):
                return title
        return "Giám đốc"
    for prefix, title in [("Chi cục", "Chi cục trưởng"), ("Văn phòng", "Chánh Văn phòng"), ("Ban", "Trưởng ban"),
                          ("Thanh tra", "Chánh Thanh tra")]:  # fmt: skip
        if name.startswith(prefix):
            return title
    return "Trưởng phòng"


def build_province(
    rng: random.Random, cal: Calendar, fold: Callable[[str], str], n_officers: int, n_directives: int
) -> Province:
    units: list[UnitPlan] = []

    def add_unit(name: str, code: str, kind: str, parent: UnitPlan | None, **extra: Any) -> UnitPlan:
        unit_id = len(units) + 1
        path = f"{parent.path if parent else '/'}{unit_id}/"
        top = unit_id if kind in {"province", "department", "commune"} else (parent.top if parent else unit_id)
        unit = UnitPlan(unit_id, name, code, kind, parent.id if parent else None, path, top, **extra)
        units.append(unit)
        return unit

    root = add_unit(f"UBND tỉnh {vocab.PROVINCE_NAME}", "UBND-TINH", "province", None)
    for name, code, subs in vocab.DEPARTMENTS:
        department = add_unit(name, code, "department", root)
        for k, sub in enumerate(subs, 1):
            add_unit(sub, f"{code}-{k}", "subunit", department)
    names = commune_names(rng, 100)
    wards = set(rng.sample(range(2, 100), 20))
    for i, short in enumerate(names):
        ward = i in wards
        level = "phường" if ward else "xã"
        extra = {"commune": f"{level} {short}", "short": short, "ward": ward}
        code = f"{'P' if ward else 'X'}{i + 1:03d}"
        commune = add_unit(f"UBND {level} {short}", code, "commune", root, **extra)
        for k, sub in enumerate(vocab.WARD_SUBUNITS if ward else vocab.COMMUNE_SUBUNITS, 1):
            add_unit(f"{sub} {level} {short}", f"{code}-{k}", "subunit", commune, **extra)

    people: list[PersonPlan] = []

    def add_person(prefix: str, width: int, number: int, title: str, role: str, unit: UnitPlan) -> PersonPlan:
        person = PersonPlan(len(people) + 1, f"{prefix}{number:0{width}d}", person_name(rng), title, role, unit.id)
        people.append(person)
        return person

    leaders = [
        add_person("ld", 2, 1, "Chủ tịch UBND tỉnh", "leader", root),
        add_person("ld", 2, 2, "Phó Chủ tịch UBND tỉnh", "leader", root),
        add_person("ld", 2, 3, "Phó Chủ tịch UBND tỉnh", "leader", root),
    ]
    admin = add_person("qtv", 2, 1, "Quản trị hệ thống", "admin", root)
    for n, unit in enumerate(units, 1):
        parent = units[unit.parent - 1] if unit.parent else None
        unit.head = add_person("td", 4, n, head_title(unit, parent), "unit_head", unit).id

    # Officers: the province office ~40, a department's directorate ~4 and each of its sub-units ~14,
    # a commune's own leadership ~2 and each of its sub-units ~9; scaled to n_officers.
    base = {"province": 40.0, "department": 4.0, "commune": 2.0}
    weights = []
    for unit in units:
        w = base.get(unit.kind) or (9.0 if unit.commune else 14.0)
        weights.append(w * rng.uniform(0.75, 1.25))
    scale = n_officers / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in rng.choices(range(len(units)), weights=weights, k=n_officers - sum(counts)):
        counts[i] += 1
    officers: list[PersonPlan] = []
    officer_weights: list[float] = []
    number = 0
    for unit, count in zip(units, counts, strict=True):
        for k in range(count):
            number += 1
            if unit.kind == "commune":
                title = f"Phó Chủ tịch UBND {'phường' if unit.ward else 'xã'}" if k < 2 else "Công chức"
            elif unit.commune:
                title = "Công chức"
            else:
                title = "Chuyên viên" if rng.random() < 0.8 else "Chuyên viên chính"
            person = add_person("cb", 5, number, title, "officer", unit)
            unit.officers.append(len(officers))
            officers.append(person)
            # Some officers carry far more than others.
            officer_weights.append(rng.lognormvariate(0.0, 0.55))

    directives = build_directives(rng, cal, units, people, leaders, n_directives)
    return Province(units, people, officers, officer_weights, leaders, admin, directives)


def period_words(rng: random.Random, day: date) -> str:
    r = rng.random()
    if r < 0.35:
        quarter = ("I", "II", "III", "IV")[(day.month - 1) // 3]
        return f"quý {quarter}/{day.year}"
    if r < 0.5:
        return f"6 tháng đầu năm {day.year}" if day.month <= 6 else f"năm {day.year}"
    return f"tháng {day.month}/{day.year}"


def build_directives(
    rng: random.Random,
    cal: Calendar,
    units: list[UnitPlan],
    people: list[PersonPlan],
    leaders: list[PersonPlan],
    count: int,
) -> list[DirectivePlan]:
    root = units[0]
    communes = [u for u in units if u.kind == "commune"]
    drafts: list[tuple[int, UnitPlan]] = []
    for _ in range(count):
        unit = root if rng.random() < 0.7 else rng.choice(communes)
        # From a season before the first task, so early tasks have directives to follow.
        index = growing(rng, cal.i_start - 60, cal.i_today - 1)
        drafts.append((index, unit))
    drafts.sort(key=lambda d: d[0])
    numbers: dict[tuple[int, int], int] = {}
    directives = []
    for i, (index, unit) in enumerate(drafts, 1):
        day = cal.dates[index]
        key = (unit.id, day.year)
        numbers[key] = numbers.get(key, 0) + rng.randint(3, 40 if unit is root else 8)
        n = numbers[key]
        topic = rng.choice(vocab.TOPICS)
        if unit is root:
            signer = rng.choices(leaders, weights=[4, 3, 3])[0]
            level, body = "UBND tỉnh", root.name
        else:
            signer = people[unit.head - 1]
            level, body = f"UBND {unit.commune}", unit.name
        if rng.random() < 0.25:
            kind = "meeting_conclusion"
            number = f"{n}/TB-UBND"
            template = rng.choice(vocab.MEETING_TITLES)
        else:
            kind = "document"
            r = rng.random()
            if r < 0.1:
                number = f"{n}/CT-UBND"
            elif r < 0.3:
                number = f"{n}/KH-UBND"
            elif r < 0.4:
                number = f"{n}/QĐ-UBND"
            else:
                number = f"{n}/UBND-{rng.choice(['KT', 'TH', 'VX', 'NC', 'XD', 'NN'])}"
            template = rng.choice(vocab.DIRECTIVE_TITLES)
        title = template.format(topic=topic, year=day.year, month=day.month, lvl=level)
        created_s = cal.midnight[index] + WORK_START_S + int(rng.random() * WORK_SPAN_S) + rng.randint(0, 86400)
        directives.append(
            DirectivePlan(
                id=i,
                number=number,
                issued_ord=cal.ords[index],
                signer=signer.full_name,
                issuing_body=body,
                kind=kind,
                title=title,
                summary=rng.choice(vocab.DIRECTIVE_SUMMARIES),
                unit=unit.id,
                created_by=signer.id,
                created_s=min(created_s, cal.now_s - 3600),
            )
        )
    return directives


# ---------------------------------------------------------------------------------------------------------
# Tasks: generated in chunks, in a worker thread while the previous chunk is being written.


@dataclass
class Values:
    """How a backend wants timestamps, dates and booleans."""

    moment: Callable[[int], Any]  # epoch seconds -> value
    day: Callable[[date], Any]
    true: Any
    false: Any


class TaskFactory:
    def __init__(
        self,
        province: Province,
        cal: Calendar,
        rng: random.Random,
        values: Values,
        fold: Callable[[str], str],
        total: int,
    ) -> None:
        self.p = province
        self.cal = cal
        self.rng = rng
        self.values = values
        self.fold = fold
        self.total = total
        self.next_id = 1
        self.next_assignee_id = 1
        self.next_coordinating_id = 1
        self.fold_cache: dict[str, str] = {}
        self.plans: list[tuple] | None = None
        self.day_values = [values.day(d) for d in cal.dates]
        self.officer_cum = list(_accumulate(province.officer_weights))
        self.officer_tasks = [0] * len(province.officers)
        self.officer_open = [0] * len(province.officers)
        self.state_counts: dict[str, int] = {}
        self.done_on_time = 0
        self.departments = [u.id for u in province.units if u.kind == "department"]
        self.siblings = {u.id: [s.id for s in province.units if s.parent == u.id] for u in province.units}
        # The officers of each unit's subtree (a department or commune has its sub-units' too).
        self.subtree_officers: dict[int, list[int]] = {}
        for unit in province.units:
            self.subtree_officers.setdefault(unit.id, []).extend(unit.officers)
            if unit.top != unit.id:
                self.subtree_officers.setdefault(unit.top, []).extend(unit.officers)
        self.communes = [u for u in province.units if u.kind == "commune"]
        # Directives by issuing unit, in order of issue, for "the directive a task follows".
        self.directives_by_unit: dict[int, tuple[list[int], list[DirectivePlan]]] = {}
        for d in province.directives:
            ords, items = self.directives_by_unit.setdefault(d.unit, ([], []))
            ords.append(d.issued_ord)
            items.append(d)

    # -- words ---------------------------------------------------------------------------------------------

    def place(self, commune: UnitPlan) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            return f"{'tổ dân phố' if commune.ward else 'thôn'} {rng.randint(1, 14)}"
        if r < 0.6:
            return f"{'khu phố' if commune.ward else 'thôn'} {rng.choice(vocab.HAMLET_NAMES)}"
        if r < 0.8:
            street = f"đường {rng.choice(vocab.STREETS)}"
            if rng.random() < 0.4:
                street += f" đoạn qua {'tổ dân phố' if commune.ward else 'thôn'} {rng.randint(1, 14)}"
            return street
        return rng.choice(vocab.LANDMARKS).format(
            c=commune.short, h=rng.choice(vocab.HAMLET_NAMES), n=rng.randint(1, 5), road=rng.randint(630, 640)
        )

    def field_title(self, top: UnitPlan) -> str:
        rng = self.rng
        action = rng.choice(vocab.FIELD_ACTIONS)
        if top.kind == "commune":
            return f"{action} tại {self.place(top)}"
        commune = rng.choice(self.communes)
        return f"{action} tại {self.place(commune)}, {commune.commune}"

    def admin_title(self, top: UnitPlan, day: date) -> str:
        rng = self.rng
        templates = vocab.COMMUNE_ADMIN_TEMPLATES if top.kind == "commune" else vocab.ADMIN_TEMPLATES
        return rng.choice(templates).format(
            topic=rng.choice(vocab.TOPICS),
            year=day.year,
            period=period_words(rng, day),
            people=rng.choice(vocab.LIST_TOPICS),
            lvl="phường" if top.ward else "xã",
            hamlets="tổ dân phố" if top.ward else "thôn",
        )

    def petition_title(self, top: UnitPlan) -> str:
        rng = self.rng
        commune = top if top.kind == "commune" else rng.choice(self.communes)
        return rng.choice(vocab.PETITION_TEMPLATES).format(topic=rng.choice(vocab.TOPICS), place=commune.commune)

    def directive_for(self, unit_id: int, day_ord: int) -> DirectivePlan | None:
        found = self.directives_by_unit.get(unit_id)
        if not found:
            return None
        ords, items = found
        hi = bisect.bisect_right(ords, day_ord)
        lo = bisect.bisect_left(ords, day_ord - 45)
        if hi > lo:
            return items[self.rng.randrange(lo, hi)]
        return items[hi - 1] if hi else None

    # -- rows ----------------------------------------------------------------------------------------------

    def plan(self) -> None:
        """Every task's state and timeline, sorted by creation so that ids grow with time as in real life."""
        rng = self.rng
        rnd = rng.random
        randint = rng.randint
        cal = self.cal
        now_s = cal.now_s
        midnight = cal.midnight
        i_start, i_today = cal.i_start, cal.i_today
        t_done = SHARE_DONE
        t_within = t_done + SHARE_OPEN_WITHIN
        t_overdue = t_within + SHARE_OVERDUE
        t_cancelled = t_overdue + SHARE_CANCELLED
        n_steps = len(DEADLINE_WORKING_DAYS)
        plans = []

        def work_moment(index: int) -> int:
            return midnight[index] + WORK_START_S + int(rnd() * WORK_SPAN_S)

        for _ in range(self.total):
            k = DEADLINE_WORKING_DAYS[int(rnd() * n_steps)]
            r = rnd()
            submitted_s = completed_s = approved_s = None
            on_time = False
            deadline_index: int | None
            if r < t_done:
                state = "done"
                ci = growing(rng, i_start, i_today - 5)
                deadline_index = ci + k
                on_time = rnd() < ON_TIME_AMONG_DONE
                comp_i = 0
                if not on_time:
                    comp_i = deadline_index + min(1 + int(rng.expovariate(0.1)), 250)
                    if comp_i > i_today - 1:
                        if deadline_index + 1 <= i_today - 1:
                            comp_i = randint(deadline_index + 1, i_today - 1)
                        else:
                            on_time = True
                if on_time:
                    comp_i = min(ci + 1 + int((deadline_index - ci - 1) * math.sqrt(rnd())), i_today - 1)
            elif r < t_within:
                # Open and within the deadline: created within the last `k` working days; a share of them
                # are long tasks (annual plans, standing orders) with deadlines months ahead.
                if rnd() < LONG_TASK_SHARE:
                    k = randint(60, 260)
                ci = i_today - 1 - int(rnd() * k)
                deadline_index = ci + k
                state = OPEN_WITHIN_STATES[bisect.bisect(OPEN_WITHIN_CUTS, rnd())]
            elif r < t_overdue:
                # Overdue: half of them recently (a few weeks late), half forgotten long ago.
                if rnd() < 0.5:
                    late = int(rng.expovariate(1 / 20))
                else:
                    late = int(rnd() * (i_today - i_start))
                deadline_index = max(i_today - 1 - late, i_start + k)
                ci = deadline_index - k
                state = OVERDUE_STATES[bisect.bisect(OVERDUE_CUTS, rnd())]
            elif r < t_cancelled:
                state = "cancelled"
                ci = growing(rng, i_start, i_today - 1)
                deadline_index = ci + k
            else:
                state = "draft"
                ci = i_today - 1 - int(rnd() * 15)
                deadline_index = max(ci + k, i_today + 2) if rnd() < 0.6 else None

            created_s = work_moment(ci)
            assigned_s = None if state == "draft" else created_s + (0 if rnd() < 0.7 else randint(600, 2 * 86400))
            if assigned_s is not None and assigned_s > now_s - 60:
                assigned_s = now_s - 60
            progress = 0
            if state == "done":
                completed_s = max(work_moment(comp_i), assigned_s + 3600)
                submitted_s = completed_s
                approve_i = min(comp_i + (0 if rnd() < 0.4 else randint(1, 3)), i_today - 1)
                approved_s = work_moment(approve_i)
                if approved_s <= completed_s:
                    approved_s = completed_s + randint(600, 4 * 3600)
                approved_s = min(approved_s, now_s - 60)
                updated_s = approved_s
                progress = 100
            elif state == "assigned":
                updated_s = assigned_s
            elif state == "in_progress":
                updated_s = assigned_s + int(rnd() * (now_s - assigned_s))
                progress = PROGRESS_STEPS[int(rnd() * len(PROGRESS_STEPS))]
            elif state == "submitted":
                submitted_s = assigned_s + int(rnd() * (now_s - assigned_s))
                updated_s = submitted_s
                progress = 100
            elif state == "returned":
                submitted_s = assigned_s + int(rnd() * 0.8 * (now_s - assigned_s))
                updated_s = submitted_s + int(rnd() * (now_s - submitted_s))
                progress = PROGRESS_STEPS[6 + int(rnd() * 5)]
            elif state == "cancelled":
                cancel_i = min(ci + randint(1, k), i_today - 1)
                updated_s = min(max(work_moment(cancel_i), assigned_s + 600), now_s - 60)
                progress = PROGRESS_STEPS[int(rnd() * 5)] if rnd() < 0.4 else 0
            else:  # draft
                updated_s = created_s
            plans.append(
                (
                    created_s,
                    ci,
                    k,
                    state,
                    deadline_index,
                    assigned_s,
                    updated_s,
                    submitted_s,
                    completed_s,
                    approved_s,
                    progress,
                    on_time,
                )
            )
        plans.sort(key=lambda p: p[0])
        self.plans = plans

    def chunk(self, size: int) -> tuple[list[tuple], list[tuple], list[tuple]] | None:
        """The next `size` tasks with their assignees and coordinating units, or None when all are made."""
        if self.plans is None:
            self.plan()
        start = self.next_id - 1
        plans = self.plans[start : start + size]
        if not plans:
            self.plans = []
            return None
        rng = self.rng
        rnd = rng.random
        ords = self.cal.ords
        dates = self.cal.dates
        values = self.values
        moment = values.moment
        day_values = self.day_values
        p = self.p
        units = p.units
        officers = p.officers
        leaders = p.leaders
        leader_weights = [2, 4, 4]
        fold_cache = self.fold_cache
        fold = self.fold
        state_counts = self.state_counts
        picks = rng.choices(range(len(officers)), cum_weights=self.officer_cum, k=len(plans))
        tasks: list[tuple] = []
        assignees: list[tuple] = []
        coordinating: list[tuple] = []

        for officer_index, plan in zip(picks, plans, strict=True):
            (created_s, ci, k, state, deadline_index, assigned_s, updated_s, submitted_s, completed_s, approved_s,
             progress, on_time) = plan  # fmt: skip
            task_id = self.next_id
            self.next_id += 1
            state_counts[state] = state_counts.get(state, 0) + 1
            if on_time:
                self.done_on_time += 1
            officer = officers[officer_index]
            unit = units[officer.unit - 1]
            top = units[unit.top - 1]
            lead = unit if (unit.kind != "subunit" or rnd() < 0.4) else top

            # -- who gives and approves it
            if lead.kind == "subunit":
                boss = top.head
            elif lead.kind == "commune" and rnd() < 0.7:
                boss = top.head
            else:
                boss = rng.choices(leaders, weights=leader_weights)[0].id

            # -- where it comes from, and its words
            created_day = dates[ci]
            s = rnd()
            directive = None
            source_ref = None
            working_days = None
            if s < 0.55:
                issuer = top.id if (top.kind == "commune" and rnd() < 0.35) else 1
                d = self.directive_for(issuer, ords[ci]) or self.directive_for(1, ords[ci])
                if d is not None:
                    directive = d.id
                    boss_created = d.created_by
                    source = "directive"
                else:
                    source, boss_created = "ad_hoc", boss
                title = self.field_title(top) if rnd() < (0.6 if top.kind == "commune" else 0.25) else None
                if title is None:
                    title = self.admin_title(top, created_day)
            elif s < 0.75:
                source, boss_created = "citizen_report", boss
                source_ref = f"PA{created_day.year % 100:02d}{task_id:07d}"
                title = self.field_title(top)
                working_days = k
            elif s < 0.8:
                source, boss_created = "petition", boss
                source_ref = f"KN-{created_day.year}-{task_id % 10000:04d}"
                title = self.petition_title(top)
            else:
                source, boss_created = "ad_hoc", boss
                title = self.field_title(top) if rnd() < 0.5 else self.admin_title(top, created_day)
            if working_days is None and rnd() < 0.3:
                working_days = k
            search_text = fold_cache.get(title)
            if search_text is None:
                search_text = fold_cache[title] = fold(title)
            approved_by = boss if state == "done" else None
            cancelled_reason = None
            if state == "cancelled":
                cancelled_reason = vocab.CANCEL_REASONS[int(rnd() * len(vocab.CANCEL_REASONS))]
            pr = rnd()
            priority = "normal" if pr < 0.75 else "high" if pr < 0.9 else "urgent" if pr < 0.96 else "low"

            tasks.append(
                (
                    task_id,
                    title,
                    vocab.TASK_DESCRIPTIONS[int(rnd() * len(vocab.TASK_DESCRIPTIONS))],
                    source,
                    source_ref,
                    directive,
                    None,
                    lead.id,
                    state,
                    priority,
                    None if deadline_index is None else day_values[deadline_index],
                    working_days,
                    None if assigned_s is None else moment(assigned_s),
                    boss_created,
                    moment(created_s),
                    moment(updated_s),
                    None if submitted_s is None else moment(submitted_s),
                    None if completed_s is None else moment(completed_s),
                    None if approved_s is None else moment(approved_s),
                    approved_by,
                    cancelled_reason,
                    progress,
                    1,
                    search_text,
                )
            )
            if assigned_s is None:
                continue

            # -- assignees (the officer, sometimes a colleague from the lead unit's subtree)
            at = moment(assigned_s)
            assignees.append((self.next_assignee_id, task_id, officer.id, values.true, at))
            self.next_assignee_id += 1
            self.officer_tasks[officer_index] += 1
            is_open = state in OPEN_STATES
            if is_open:
                self.officer_open[officer_index] += 1
            if rnd() < 0.12:
                pool = self.subtree_officers[lead.id]
                other = pool[int(rnd() * len(pool))]
                if other != officer_index:
                    assignees.append((self.next_assignee_id, task_id, officers[other].id, values.false, at))
                    self.next_assignee_id += 1
                    self.officer_tasks[other] += 1
                    if is_open:
                        self.officer_open[other] += 1

            # -- coordinating units
            if rnd() < 0.35:
                n = 1 if rnd() < 0.6 else 2 if rnd() < 0.75 else 3
                chosen = set()
                siblings = self.siblings[top.id]
                for _ in range(n):
                    if siblings and rnd() < 0.3:
                        u = siblings[int(rnd() * len(siblings))]
                    else:
                        u = self.departments[int(rnd() * len(self.departments))]
                    if u != lead.id and u != top.id and u not in chosen:
                        chosen.add(u)
                        coordinating.append((self.next_coordinating_id, task_id, u))
                        self.next_coordinating_id += 1
        return tasks, assignees, coordinating


def _accumulate(weights: Sequence[float]) -> Iterable[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


# ---------------------------------------------------------------------------------------------------------
# Rows of the small tables.


def unit_rows(province: Province, fold: Callable[[str], str], values: Values) -> list[tuple]:
    return [
        (u.id, u.name, u.code, u.kind, u.parent, u.path, values.true, fold(f"{u.name} {u.code}"))
        for u in province.units
    ]


def person_rows(
    province: Province,
    fold: Callable[[str], str],
    values: Values,
    password_hash: str,
    rng: random.Random,
    cal: Calendar,
) -> list[tuple]:
    rows = []
    first = cal.midnight[cal.i_start]
    for person in province.people:
        created_s = first - rng.randint(0, 200) * 86400 + rng.randint(0, 86400)
        rows.append(
            (
                person.id,
                person.username,
                person.full_name,
                person.title,
                f"{person.username}@binhdinh.gov.vn",
                f"09{rng.randrange(10**8):08d}",
                person.role,
                person.unit,
                password_hash,
                values.true,
                values.false,
                "vi",
                fold(f"{person.full_name} {person.username}"),
                values.moment(created_s),
            )
        )
    return rows


def directive_rows(province: Province, fold: Callable[[str], str], values: Values) -> list[tuple]:
    return [
        (
            d.id,
            d.number,
            values.day(date.fromordinal(d.issued_ord)),
            d.signer,
            d.issuing_body,
            d.kind,
            d.title,
            d.summary,
            d.unit,
            d.created_by,
            values.moment(d.created_s),
            fold(f"{d.number} {d.title}"),
        )
        for d in province.directives
    ]


# ---------------------------------------------------------------------------------------------------------
# Backends.


class Layout:
    """The columns written to each table: the generator's own, plus any nullable column it does not know.

    The schema moves while the app is built. A nullable column the generator does not know is written as NULL
    (Piccolo gives nullable timestamps a CURRENT_TIMESTAMP default, which would be wrong for old rows);
    a NOT NULL one is left to its database default. A column the generator writes but the table lacks is an error.
    """

    def __init__(self, actual: dict[str, list[tuple[str, bool]]]) -> None:
        self.columns: dict[str, list[str]] = {}
        self.pads: dict[str, tuple] = {}
        for table, mine in TABLE_COLUMNS.items():
            found = actual.get(table, [])
            names = {name for name, _ in found}
            missing = [c for c in mine if c not in names]
            if missing:
                raise SystemExit(f"table {table} lacks {missing}: bench/generate.py is behind the schema")
            extra = [name for name, nullable in found if name not in mine and nullable]
            defaulted = [name for name, nullable in found if name not in mine and not nullable]
            self.columns[table] = mine + extra
            self.pads[table] = (None,) * len(extra)
            if extra:
                log(f"  note: {table}.({', '.join(extra)}) unknown to the generator, written as NULL")
            if defaulted:
                log(f"  note: {table}.({', '.join(defaulted)}) unknown to the generator, left to their defaults")

    def rows(self, table: str, rows: list[tuple]) -> list[tuple]:
        pad = self.pads[table]
        return [row + pad for row in rows] if pad else rows


def _moment_pg(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _moment_sqlite(seconds: int) -> str:
    # The form Piccolo's SQLite adapter writes: str() of an aware UTC datetime.
    return str(datetime.fromtimestamp(seconds, UTC))


PG_VALUES = Values(moment=_moment_pg, day=lambda d: d, true=True, false=False)
SQLITE_VALUES = Values(moment=_moment_sqlite, day=lambda d: d.isoformat(), true=1, false=0)


class Timer:
    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.last = self.start
        self.phases: dict[str, float] = {}

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = round(now - self.last, 2)
        self.last = now
        log(f"  {name}: {self.phases[name]:.1f}s")

    @property
    def total(self) -> float:
        return round(time.perf_counter() - self.start, 2)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def produce_chunks(factory: TaskFactory, size: int):
    """Chunks of rows; the next one is generated in a thread while the caller writes the current one."""
    loop = asyncio.get_running_loop()
    pending = loop.run_in_executor(None, factory.chunk, size)
    while True:
        chunk = await pending
        if chunk is None:
            return
        pending = loop.run_in_executor(None, factory.chunk, size)
        yield chunk


async def load_postgres(url: str, args: argparse.Namespace, build: Callable[[Values], tuple]) -> dict[str, int]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await prepare_target_postgres(conn, args.reset)
        actual: dict[str, list[tuple[str, bool]]] = {}
        for r in await conn.fetch(
            "SELECT table_name, column_name, is_nullable FROM information_schema.columns"
            " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        ):
            actual.setdefault(r["table_name"], []).append((r["column_name"], r["is_nullable"] == "YES"))
        layout = Layout(actual)

        async def copy(table: str, rows: list[tuple]) -> None:
            await conn.copy_records_to_table(table, records=layout.rows(table, rows), columns=layout.columns[table])

        _, factory, small, timer = build(PG_VALUES)
        async with conn.transaction():
            await conn.execute("SET LOCAL synchronous_commit = off")
            await conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for table, rows in small:
                await copy(table, rows)
            timer.mark("units, people, directives")
            restore = await drop_bulk_indexes_postgres(conn)
            done = 0
            async for tasks, assignees, coordinating in produce_chunks(factory, args.chunk):
                await copy("tasks", tasks)
                await copy("task_assignees", assignees)
                await copy("task_coordinating_units", coordinating)
                done += len(tasks)
                log(f"    {done:,} tasks")
            timer.mark("tasks (COPY)")
            for statement in restore:
                await conn.execute(statement)
            timer.mark("indexes and foreign keys rebuilt")
            for table in ["units", "people", "directives", *BULK_TABLES]:
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
        timer.mark("commit")
        await conn.execute(f"VACUUM (ANALYZE) {', '.join(['units', 'people', 'directives', *BULK_TABLES])}")
        await conn.execute("ANALYZE")
        timer.mark("vacuum analyze")
        counts = {}
        for table in ["units", "people", "directives", *BULK_TABLES]:
            counts[table] = await conn.fetchval(f"SELECT count(*) FROM {table}")
        return counts
    finally:
        await conn.close()


async def prepare_target_postgres(conn: Any, reset: bool) -> None:
    if await conn.fetchval("SELECT count(*) FROM units") == 0:
        return
    if not reset:
        raise SystemExit("the database already holds units: pass --reset to empty it first")
    tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    names = [r["tablename"] for r in tables if r["tablename"] not in KEPT_TABLES]
    await conn.execute(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
    log(f"  emptied {len(names)} tables")


async def drop_bulk_indexes_postgres(conn: Any) -> list[str]:
    """Drop the task tables' secondary indexes and foreign keys; return the statements that restore them."""
    indexes = await conn.fetch(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = any($1::text[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        ORDER BY i.indexname
        """,
        BULK_TABLES,
    )
    foreign_keys = await conn.fetch(
        """
        SELECT c.conrelid::regclass::text AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.conrelid::regclass::text = any($1::text[])
        ORDER BY c.conname
        """,
        BULK_TABLES,
    )
    for fk in foreign_keys:
        await conn.execute(f'ALTER TABLE {fk["tbl"]} DROP CONSTRAINT "{fk["conname"]}"')
    for index in indexes:
        await conn.execute(f'DROP INDEX "{index["indexname"]}"')
    return [r["indexdef"] for r in indexes] + [
        f'ALTER TABLE {fk["tbl"]} ADD CONSTRAINT "{fk["conname"]}" {fk["def"]}' for fk in foreign_keys
    ]


def load_sqlite(path: str, args: argparse.Namespace, build: Callable[[Values], tuple]) -> dict[str, int]:
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")
        if conn.execute("SELECT count(*) FROM units").fetchone()[0]:
            if not args.reset:
                raise SystemExit("the database already holds units: pass --reset to empty it first")
            conn.execute("BEGIN")
            names = [
                r[0]
                for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")
                if r[0] not in KEPT_TABLES
            ]
            for name in names:
                conn.execute(f'DELETE FROM "{name}"')
            conn.execute("COMMIT")
            log(f"  emptied {len(names)} tables")
        actual: dict[str, list[tuple[str, bool]]] = {}
        for table in TABLE_COLUMNS:
            info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
            actual[table] = [(name, not notnull and not pk) for _, name, _, notnull, _, pk in info]
        layout = Layout(actual)

        def insert(table: str, rows: list[tuple]) -> None:
            columns = layout.columns[table]
            sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
            conn.executemany(sql, layout.rows(table, rows))

        _, factory, small, timer = build(SQLITE_VALUES)
        conn.execute("BEGIN")
        for table, rows in small:
            insert(table, rows)
        timer.mark("units, people, directives")
        placeholders = ",".join("?" * len(BULK_TABLES))
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master"
            f" WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({placeholders})",
            BULK_TABLES,
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        done = 0
        while (chunk := factory.chunk(args.chunk)) is not None:
            tasks, assignees, coordinating = chunk
            insert("tasks", tasks)
            insert("task_assignees", assignees)
            insert("task_coordinating_units", coordinating)
            done += len(tasks)
            log(f"    {done:,} tasks")
        timer.mark("tasks (executemany)")
        for _, sql in indexes:
            conn.execute(sql)
        conn.execute("COMMIT")
        timer.mark("indexes rebuilt, commit")
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ["units", "people", "directives", *BULK_TABLES]
        }
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------------------
# Report.


def write_report(
    province: Province, factory: TaskFactory, url: str, args: argparse.Namespace, cal: Calendar, seconds: float
) -> Path:
    officers = province.officers
    counts = factory.officer_tasks
    ordered = sorted(range(len(officers)), key=lambda i: counts[i])
    median = counts[ordered[len(ordered) // 2]]

    def officer_entry(i: int) -> dict[str, Any]:
        person = officers[i]
        unit = province.unit(person.unit)
        return {
            "id": person.id,
            "username": person.username,
            "full_name": person.full_name,
            "unit_id": unit.id,
            "unit": unit.name,
            "unit_path": unit.path,
            "tasks": counts[i],
            "open_tasks": factory.officer_open[i],
        }

    # Typical: the officers nearest the median, five in departments and five in communes, each in another unit.
    by_distance = sorted(range(len(officers)), key=lambda i: (abs(counts[i] - median), (i * 2654435761) % 2**32))
    picked: dict[bool, list[int]] = {True: [], False: []}
    seen_tops: set[int] = set()
    for i in by_distance:
        unit = province.unit(officers[i].unit)
        side = bool(unit.commune)
        if unit.top in seen_tops or unit.kind == "province" or len(picked[side]) >= 5:
            continue
        seen_tops.add(unit.top)
        picked[side].append(i)
    in_department, in_commune = picked[False], picked[True]
    busiest = ordered[-3:][::-1]

    unit_tasks: dict[int, int] = {}
    for i, person in enumerate(officers):
        top = province.unit(person.unit).top
        unit_tasks[top] = unit_tasks.get(top, 0) + counts[i]

    def head_entry(unit: UnitPlan) -> dict[str, Any]:
        head = province.people[unit.head - 1]
        return {
            "id": head.id,
            "username": head.username,
            "full_name": head.full_name,
            "title": head.title,
            "unit_id": unit.id,
            "unit": unit.name,
            "unit_path": unit.path,
            "subtree_assignments": unit_tasks.get(unit.id, 0),
        }

    departments = sorted((u for u in province.units if u.kind == "department"), key=lambda u: unit_tasks.get(u.id, 0))
    communes = sorted((u for u in province.units if u.kind == "commune"), key=lambda u: unit_tasks.get(u.id, 0))
    parsed = urlparse(url)
    if parsed.password:
        parsed = parsed._replace(netloc=parsed.netloc.replace(f":{parsed.password}@", ":***@"))
    report = {
        "database_url": urlunparse(parsed),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "today_vn": cal.today.isoformat(),
        "seed": args.seed,
        "seconds": seconds,
        "password": PASSWORD,
        "tasks": factory.total,
        "states": dict(sorted(factory.state_counts.items())),
        "done_on_time": factory.done_on_time,
        "assignments_per_officer": {"median": median, "min": counts[ordered[0]], "max": counts[ordered[-1]]},
        "typical_officers": [officer_entry(i) for i in in_department + in_commune],
        "busiest_officers": [officer_entry(i) for i in busiest],
        "unit_heads": [head_entry(u) for u in (departments[len(departments) // 2], departments[-1])]
        + [head_entry(u) for u in (communes[len(communes) // 2], communes[-1])],
        "leaders": [
            {"id": p.id, "username": p.username, "full_name": p.full_name, "title": p.title} for p in province.leaders
        ],
        "admin": {"id": province.admin.id, "username": province.admin.username},
        "root_unit": {"id": 1, "path": "/1/", "name": province.units[0].name},
    }
    path = Path(args.report)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://user@host:port/db or sqlite:///path")
    parser.add_argument("--tasks", type=int, default=None, help="default 1,000,000 (PostgreSQL), 100,000 (SQLite)")
    parser.add_argument("--officers", type=int, default=5000)
    parser.add_argument("--directives", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--chunk", type=int, default=50_000, help="tasks per batch written")
    parser.add_argument("--reset", action="store_true", help="empty a database that already holds data")
    parser.add_argument(
        "--report", default=str(RESULTS_DIR / "generated.json"), help="where to write who to log in as (JSON)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    url = args.database_url
    is_postgres = url.startswith(("postgres://", "postgresql://"))
    if not is_postgres and not url.startswith("sqlite:///"):
        raise SystemExit("--database-url must start with postgres://, postgresql:// or sqlite:///")
    if args.tasks is None:
        args.tasks = 1_000_000 if is_postgres else 100_000

    # The server's modules read these when first imported.
    os.environ["DATABASE_URL"] = url
    os.environ["PICCOLO_CONF"] = "server.piccolo_conf"
    os.environ.setdefault("SECRET_KEY", "bench-generator-not-a-secret")
    from server.auth.passwords import hash_password
    from server.lib import clock
    from server.lib.db import prepare_database
    from server.lib.vn_text import fold
    from server.migrate import migrate
    from server.settings import reset_settings

    reset_settings()
    timer = Timer()
    log(f"generating {args.tasks:,} tasks into {'PostgreSQL' if is_postgres else 'SQLite'}")

    async def run_migrations() -> None:
        await migrate()
        await prepare_database()

    asyncio.run(run_migrations())
    timer.mark("migrations")

    now = clock.now()
    cal = Calendar(clock.today_vn(), int(now.timestamp()))
    rng = random.Random(args.seed)
    built: dict[str, Any] = {}

    def build(values: Values) -> tuple:
        password_hash = hash_password(PASSWORD)
        province = build_province(rng, cal, fold, args.officers, args.directives)
        small = [
            ("units", unit_rows(province, fold, values)),
            ("people", person_rows(province, fold, values, password_hash, rng, cal)),
            ("directives", directive_rows(province, fold, values)),
        ]
        factory = TaskFactory(province, cal, random.Random(args.seed + 1), values, fold, args.tasks)
        built.update(province=province, factory=factory)
        return province, factory, small, timer

    if is_postgres:
        counts = asyncio.run(load_postgres(url, args, build))
    else:
        counts = load_sqlite(url.removeprefix("sqlite:///"), args, build)

    async def rebuild_unit_counts() -> dict[str, int]:
        # The rows went in around tasks.services, so the dashboard's kept counts are rebuilt from them.
        from server.dashboard import aggregate
        from server.lib.db import close_pool, engine, start_pool

        await start_pool()
        try:
            result = await aggregate.rebuild()
            if is_postgres:
                await engine().run_ddl("VACUUM (ANALYZE) kpi_task_facts, kpi_unit_days")
            return result
        finally:
            await close_pool()

    rebuilt = asyncio.run(rebuild_unit_counts())
    timer.mark("dashboard counts rebuilt")
    log(f"  dashboard counts: {rebuilt['keys']:,} keys for {rebuilt['tasks']:,} tasks")
    seconds = timer.total
    factory: TaskFactory = built["factory"]
    report = write_report(built["province"], factory, url, args, cal, seconds)

    done = factory.state_counts.get("done", 0)
    print(f"generated in {seconds:.1f}s ({'PostgreSQL' if is_postgres else 'SQLite'})")
    for table, count in counts.items():
        print(f"  {table:<24} {count:>10,}")
    print("  states: " + ", ".join(f"{k} {v:,}" for k, v in sorted(factory.state_counts.items())))
    if done:
        print(f"  done on time: {factory.done_on_time / done:.1%} of done")
    print(f"  phases: {json.dumps(timer.phases)}")
    print(f"  login: see {report} (password {PASSWORD!r})")


if __name__ == "__main__":
    main()
