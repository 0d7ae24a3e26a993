"""The province that bench.generate fills a database with: its shape (shares, deadlines), its calendar of
working days, its units, people and directives (bench/generate.py says what the shape is and why).
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

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
