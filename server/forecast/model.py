"""The late-risk model, pure and synchronous: features of a task as of a moment, the fit, the score, the reasons.

Nothing here reads the database, so the worker, the tests and bench/forecast_bench.py use the very same code.

Leakage is the trap: every feature of a task is computed from what was known on the day of the prediction.
A past task's outcome enters another task's record only from the day it became known (the day after its
approved submission when on time, the day after its deadline when late), and a task's own progress, reports,
extensions and returns count only when they happened on or before that day.

The fitted model is stored as plain numbers (scaling, coefficients, Platt calibration) so the web processes
score and explain without scikit-learn; scikit-learn is only needed to fit (`fit`, imported lazily).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from server.holidays.services import WorkCalendar

FEATURES = (
    "progress", "behind", "log_days_left", "log_days_silent", "extensions", "returns", "log_load",
    "unit_late_rate", "person_late_rate", "urgent",
)
# Below this many closed tasks with a deadline (or without both outcomes among them) there is nothing honest
# to learn from: the forecast says "not enough history" instead of guessing.
MIN_CLOSED = 50
MIN_EACH_OUTCOME = 5
# Training moments: how many working days before the deadline in force each past task is looked at.
TRAIN_OFFSETS = (1, 3, 5, 10)
# The unit's and the person's record count the similar tasks whose outcome became known in this many days.
RECORD_DAYS = 365
# A rate from few tasks is pulled towards the jurisdiction's rate, as if it held this many tasks more.
PRIOR_WEIGHT = 3.0
SILENCE_CAP_DAYS = 60
# A province holds hundreds of thousands of decided tasks: the fit learns from a seeded sample of them (each still
# looked at with the whole record), which keeps the nightly fit to seconds without changing what it learns much.
MAX_TRAIN_TASKS = 10_000


@dataclass
class History:
    """What the database knows of one top-level task, as dates in Vietnam's calendar."""

    id: int
    unit_id: int
    person_id: int | None
    source: str
    priority: str
    assigned_on: dt.date
    # (day set, deadline) in the order they were set; the first is the original, each later one an extension.
    deadlines: list[tuple[dt.date, dt.date]]
    reports: list[tuple[dt.date, int]] = field(default_factory=list)
    # Reports on the task's parts (day, part id, percent): a split task's progress is its parts'.
    part_reports: list[tuple[dt.date, int, int]] = field(default_factory=list)
    returns: list[dt.date] = field(default_factory=list)
    # The local date of the submission the leader approved; None while the task is open.
    completed_on: dt.date | None = None
    state: str = ""

    @property
    def deadline(self) -> dt.date:
        return self.deadlines[-1][1]

    def deadline_as_of(self, day: dt.date) -> dt.date:
        known = [d for set_on, d in self.deadlines if set_on <= day]
        return known[-1] if known else self.deadlines[0][1]

    def is_open_on(self, day: dt.date) -> bool:
        return self.assigned_on <= day and (self.completed_on is None or self.completed_on >= day)

    def outcome(self, today: dt.date) -> tuple[dt.date, bool] | None:
        """(the day the outcome became known, late?) or None while it is still undecided on `today`."""
        if self.completed_on is not None and self.completed_on <= self.deadline:
            return self.completed_on + dt.timedelta(days=1), False
        if self.completed_on is not None or self.deadline < today:
            return self.deadline + dt.timedelta(days=1), True
        return None


@dataclass
class Row:
    """One task's features as of one day, with the raw values its reasons are written from."""

    task_id: int
    day: dt.date
    x: list[float]
    raw: dict[str, Any]


class Record:
    """Past on-time records by (unit | person, source, priority), each readable as of any day."""

    def __init__(self, histories: Iterable[History], today: dt.date) -> None:
        self._known: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
        everyone: list[tuple[int, int]] = []
        for h in histories:
            outcome = h.outcome(today)
            if outcome is None:
                continue
            known_on, late = outcome
            item = (known_on.toordinal(), int(late))
            self._known[("unit", h.unit_id, h.source, h.priority)].append(item)
            if h.person_id is not None:
                self._known[("person", h.person_id, h.source, h.priority)].append(item)
            everyone.append(item)
        self._known[("all",)] = everyone
        self._index: dict[tuple, tuple[list[int], list[int]]] = {}
        for key, items in self._known.items():
            items.sort()
            days = [d for d, _ in items]
            cumulative = [0]
            for _, late in items:
                cumulative.append(cumulative[-1] + late)
            self._index[key] = (days, cumulative)

    def counts(self, key: tuple, day: dt.date) -> tuple[int, int]:
        """(late, total) among the outcomes known on `day` that became known in the last RECORD_DAYS."""
        if key not in self._index:
            return 0, 0
        days, cumulative = self._index[key]
        hi = bisect_right(days, day.toordinal())
        lo = bisect_right(days, day.toordinal() - RECORD_DAYS)
        return cumulative[hi] - cumulative[lo], hi - lo

    def rate(self, key: tuple, day: dt.date) -> tuple[float, int, int]:
        late_all, n_all = self.counts(("all",), day)
        prior = (late_all + 1) / (n_all + 2)
        late, n = self.counts(key, day)
        return (late + PRIOR_WEIGHT * prior) / (n + PRIOR_WEIGHT), late, n


class Load:
    """How many tasks each person held open on a given day."""

    def __init__(self, histories: Iterable[History]) -> None:
        self._spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for h in histories:
            if h.person_id is not None:
                end = h.completed_on.toordinal() if h.completed_on else 10**7
                self._spans[h.person_id].append((h.assigned_on.toordinal(), end))

    def open_on(self, person_id: int | None, day: dt.date) -> int:
        if person_id is None:
            return 0
        o = day.toordinal()
        return sum(1 for start, end in self._spans.get(person_id, ()) if start <= o < end)


def working_days_before(calendar: WorkCalendar, day: dt.date, n: int) -> dt.date:
    """The n-th working day before `day` (the moment a forecast "n working days before the deadline" is made)."""
    current = day
    while n > 0:
        current -= dt.timedelta(days=1)
        if calendar.is_working_day(current):
            n -= 1
    return current


def features(h: History, day: dt.date, calendar: WorkCalendar, record: Record, load: Load) -> Row:
    """The task as it stood at the end of `day`; nothing that happened after `day` is read."""
    deadline = h.deadline_as_of(day)
    reports = [(on, pct) for on, pct in h.reports if on <= day]
    parts: dict[int, int] = {}
    part_days = []
    for on, part, pct in h.part_reports:
        if on <= day:
            parts[part] = pct
            part_days.append(on)
    if reports:
        progress = reports[-1][1] / 100
    else:  # the parts that have reported, on average
        progress = sum(parts.values()) / len(parts) / 100 if parts else 0.0
    total = max(calendar.working_days_between(h.assigned_on, deadline), 1)
    left = calendar.working_days_between(day, deadline)
    elapsed = min(max(1 - left / total, 0.0), 1.0)
    last_seen = max([on for on, _ in reports] + part_days + [h.assigned_on])
    silent = min((day - last_seen).days, SILENCE_CAP_DAYS)
    extensions = sum(1 for set_on, _ in h.deadlines[1:] if set_on <= day)
    returns = sum(1 for on in h.returns if on <= day)
    held = max(load.open_on(h.person_id, day) - 1, 0)
    unit_rate, unit_late, unit_n = record.rate(("unit", h.unit_id, h.source, h.priority), day)
    person_rate, person_late, person_n = (
        record.rate(("person", h.person_id, h.source, h.priority), day) if h.person_id is not None else (0.0, 0, 0)
    )
    x = [
        progress, max(elapsed - progress, 0.0), math.log1p(left), math.log1p(silent), float(extensions),
        float(returns), math.log1p(held), unit_rate, person_rate, float(h.priority in ("high", "urgent")),
    ]
    raw = {
        "progress": round(progress * 100), "days_left": left, "silent": silent, "extensions": extensions,
        "returns": returns, "load": held, "unit_late": unit_late, "unit_n": unit_n, "person_late": person_late,
        "person_n": person_n, "behind": round(max(elapsed - progress, 0.0) * 100),
    }
    return Row(task_id=h.id, day=day, x=x, raw=raw)


def closed_count(histories: Sequence[History], today: dt.date) -> tuple[int, int]:
    """(closed tasks with a deadline, of which late): what the minimum history is measured on."""
    outcomes = [h.outcome(today) for h in histories if h.completed_on is not None]
    decided = [o for o in outcomes if o is not None]
    return len(decided), sum(1 for _, late in decided if late)


def training_set(
    histories: Sequence[History], today: dt.date, calendar: WorkCalendar, offsets: Sequence[int] = TRAIN_OFFSETS,
    max_tasks: int = MAX_TRAIN_TASKS,
) -> tuple[list[list[float]], list[int]]:
    """Each decided task (a seeded sample of `max_tasks` when there are more), looked at `offsets` working days
    before its deadline while it was still open."""
    record, load = Record(histories, today), Load(histories)
    decided = [(h, outcome) for h in histories if (outcome := h.outcome(today)) is not None]
    if len(decided) > max_tasks:
        decided = random.Random(0).sample(decided, max_tasks)
    xs: list[list[float]] = []
    ys: list[int] = []
    for h, outcome in decided:
        for n in offsets:
            day = working_days_before(calendar, h.deadline, n)
            if day < h.assigned_on or not h.is_open_on(day) or day >= today:
                continue
            xs.append(features(h, day, calendar, record, load).x)
            ys.append(int(outcome[1]))
    return xs, ys


@dataclass
class Model:
    """A fitted model as numbers: standardise, a logistic regression, then Platt's sigmoid calibration."""

    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    calib_a: float
    calib_b: float
    features: list[str] = field(default_factory=lambda: list(FEATURES))

    def contributions(self, x: Sequence[float]) -> list[float]:
        return [c * (v - m) / s for c, v, m, s in zip(self.coef, x, self.mean, self.scale, strict=True)]

    def probability(self, x: Sequence[float]) -> float:
        decision = sum(self.contributions(x)) + self.intercept
        z = self.calib_a * decision + self.calib_b
        # 1 / (1 + e^z), written so that neither branch overflows.
        return 1 / (1 + math.exp(z)) if z < 0 else math.exp(-z) / (1 + math.exp(-z))

    def as_json(self) -> dict[str, Any]:
        return {
            "features": self.features, "mean": self.mean, "scale": self.scale, "coef": self.coef,
            "intercept": self.intercept, "calib_a": self.calib_a, "calib_b": self.calib_b,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        return cls(
            mean=data["mean"], scale=data["scale"], coef=data["coef"], intercept=data["intercept"],
            calib_a=data["calib_a"], calib_b=data["calib_b"], features=data["features"],
        )


def fit(xs: list[list[float]], ys: list[int], seed: int = 0) -> Model:
    """Logistic regression on standardised features; its probabilities calibrated on out-of-fold predictions."""
    import numpy as np
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=int)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    folds = int(min(5, max(2, min(np.bincount(y, minlength=2)))))
    calibrated = CalibratedClassifierCV(
        LogisticRegression(C=1.0, max_iter=2000, random_state=seed), method="sigmoid", cv=folds, ensemble=False
    )
    calibrated.fit(z, y)
    inner = calibrated.calibrated_classifiers_[0]
    sigmoid = inner.calibrators[0]
    return Model(
        mean=mean.tolist(), scale=scale.tolist(), coef=inner.estimator.coef_[0].tolist(),
        intercept=float(inner.estimator.intercept_[0]), calib_a=float(sigmoid.a_), calib_b=float(sigmoid.b_),
    )


# Which raw values each reason is written from, and which features speak for it.
REASON_FEATURES = {
    "progress": ("progress", "behind", "log_days_left"),
    "silent": ("log_days_silent",),
    "extensions": ("extensions",),
    "returns": ("returns",),
    "load": ("log_load",),
    "unit_record": ("unit_late_rate",),
    "person_record": ("person_late_rate",),
}
MAX_REASONS = 3


def reasons(model: Model, row: Row) -> list[dict[str, Any]]:
    """The few things that push this task's risk up the most, as codes with their numbers (shown translated)."""
    by_name = dict(zip(model.features, model.contributions(row.x), strict=True))
    weights = {code: sum(by_name.get(f, 0.0) for f in names) for code, names in REASON_FEATURES.items()}
    raw = row.raw
    meaningful = {
        "progress": raw["behind"] > 0 or raw["days_left"] <= 3,
        "silent": raw["silent"] >= 5,
        "extensions": raw["extensions"] > 0,
        "returns": raw["returns"] > 0,
        "load": raw["load"] > 0,
        "unit_record": raw["unit_n"] > 0 and raw["unit_late"] > 0,
        "person_record": raw["person_n"] > 0 and raw["person_late"] > 0,
    }
    chosen = sorted((c for c, w in weights.items() if w > 0.05 and meaningful[c]), key=lambda c: -weights[c])
    return [{"code": code, **raw} for code in chosen[:MAX_REASONS]]
