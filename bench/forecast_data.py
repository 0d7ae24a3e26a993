"""Task histories for the late-risk forecast's benchmark (bench/forecast_bench.py).

The province of bench/generate.py draws "on time" with one probability for every unit and person, and
leaves the history tables empty: nothing there could tell one unit from another, so nothing could be learnt.
`forecast_histories` simulates, day by working day, a commune whose units and people really differ: each unit
has its own habits (how long its work takes against the time given, how often it asks for an extension, how
often its results are returned) and each officer their own pace and reporting rhythm; an officer holding many
tasks goes slower. Progress reports, extensions and returns are written as they happen. The outcome is never
drawn directly: a task is late when the simulated work ends after the deadline in force.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from bench.draws import poisson


@dataclass
class ForecastWorld:
    histories: list[Any]
    calendar: Any
    start: date
    end: date
    unit_habit: dict[int, float]
    person_habit: dict[int, float]


def forecast_histories(seed: int = 7, *, units: int = 10, people_per_unit: int = 4, start: date = date(2025, 1, 6),
                       days: int = 690, tasks_per_working_day: float = 6.0) -> ForecastWorld:
    """A commune's top-level tasks over `days` days, as server.forecast.model.History objects (in memory)."""
    from server.forecast.model import History
    from server.holidays.seed_data import SEED_DAYS
    from server.holidays.services import WorkCalendar

    rng = random.Random(seed)
    calendar = WorkCalendar(
        off_days=frozenset(d.day for d in SEED_DAYS if not d.is_working_day),
        working_weekend_days=frozenset(d.day for d in SEED_DAYS if d.is_working_day),
    )
    end = date.fromordinal(start.toordinal() + days)
    working = [date.fromordinal(o) for o in range(start.toordinal(), end.toordinal() + 1)
               if calendar.is_working_day(date.fromordinal(o))]
    # Habits: > 0 is slower than the time given. Units differ more than people within them.
    unit_habit = {u: rng.gauss(0.0, 0.45) for u in range(1, units + 1)}
    people = {u: [u * 100 + k for k in range(people_per_unit)] for u in unit_habit}
    person_habit = {p: rng.gauss(0.0, 0.25) for ps in people.values() for p in ps}
    report_every = {p: rng.choice((2, 3, 4, 6, 9)) for p in person_habit}
    holding: dict[int, list[int]] = {p: [] for p in person_habit}  # ordinals of the days each open task ends
    histories = []
    task_id = 0
    for day in working[:-40]:
        for _ in range(poisson(rng, tasks_per_working_day)):
            task_id += 1
            unit = rng.randint(1, units)
            person = rng.choice(people[unit])
            source = rng.choices(("directive", "citizen_report", "petition", "ad_hoc"), (0.45, 0.3, 0.05, 0.2))[0]
            priority = rng.choices(("low", "normal", "high", "urgent"), (0.1, 0.6, 0.22, 0.08))[0]
            given = rng.randint(4, 8) if source == "citizen_report" else rng.randint(8, 25)
            deadline = calendar.add_working_days(day, given)
            load = sum(1 for ends in holding[person] if ends > day.toordinal())
            # Working days the task really needs: the habits, the load and luck, against the days given.
            urgency = {"urgent": -0.15, "high": -0.05}.get(priority, 0.0)
            factor = math.exp(unit_habit[unit] + person_habit[person] + 0.04 * max(load - 4, 0) + urgency
                              + rng.gauss(0.0, 0.3))
            needed = max(1, round(given * 0.85 * factor))
            deadlines = [(day, deadline)]
            returns: list[date] = []
            reports: list[tuple[date, int]] = []
            # Asking for more time two working days before the deadline when far behind: some units always do.
            ask = calendar.add_working_days(day, max(given - 2, 1))
            if needed > given and rng.random() < 0.25 + 0.4 * max(unit_habit[unit], 0):
                extra = rng.randint(3, 10)
                deadline = calendar.add_working_days(deadline, extra)
                deadlines.append((ask, deadline))
            finish = calendar.add_working_days(day, needed)
            if rng.random() < 0.08 + 0.25 * max(unit_habit[unit], 0):
                returns.append(finish)
                finish = calendar.add_working_days(finish, rng.randint(2, 6))
            # Reports on the officer's rhythm, progress as done so far (the work goes on at an even pace).
            step = report_every[person]
            k = step
            while True:
                report_day = calendar.add_working_days(day, k)
                if report_day >= finish:
                    break
                reports.append((report_day, min(95, 5 * round(20 * k / needed * rng.uniform(0.8, 1.1)))))
                k += step + rng.randint(0, 2)
            holding[person].append(finish.toordinal())
            histories.append(History(
                id=task_id, unit_id=unit, person_id=person, source=source, priority=priority, assigned_on=day,
                deadlines=deadlines, reports=reports, returns=returns, completed_on=finish,
            ))
    return ForecastWorld(histories, calendar, start, end, unit_habit, person_habit)
