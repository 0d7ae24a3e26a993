"""The forecast's features are what was known on the day of the prediction, and nothing later (no leakage)."""

from __future__ import annotations

import copy
import datetime as dt

from server.forecast import model
from server.holidays.services import WorkCalendar

CALENDAR = WorkCalendar(off_days=frozenset({dt.date(2026, 9, 1), dt.date(2026, 9, 2)}))
DAY = dt.date(2026, 9, 10)  # a Thursday


def task(id: int, unit: int = 1, person: int | None = 7, **kw: object) -> model.History:
    values: dict = {
        "source": "directive", "priority": "normal", "assigned_on": dt.date(2026, 8, 20),
        "deadlines": [(dt.date(2026, 8, 20), dt.date(2026, 9, 15))], "reports": [(dt.date(2026, 9, 1), 20)],
    }
    values.update(kw)
    return model.History(id=id, unit_id=unit, person_id=person, **values)


def row_of(h: model.History, others: list[model.History], day: dt.date = DAY) -> model.Row:
    everyone = [h, *others]
    return model.features(h, day, CALENDAR, model.Record(everyone, day), model.Load(everyone))


def test_what_happens_after_the_day_changes_nothing() -> None:
    past = task(2, deadlines=[(dt.date(2026, 8, 1), dt.date(2026, 8, 20))], assigned_on=dt.date(2026, 8, 1),
                completed_on=dt.date(2026, 8, 25))  # late, known since 21/8
    h = task(1)
    before = row_of(h, [past])

    later = copy.deepcopy(h)
    later.reports.append((DAY + dt.timedelta(days=1), 90))
    later.deadlines.append((DAY + dt.timedelta(days=2), dt.date(2026, 9, 30)))
    later.returns.append(DAY + dt.timedelta(days=1))
    later.completed_on = dt.date(2026, 9, 20)
    # Another task of the same unit, late only after the day; and one assigned after it.
    newcomer = task(3, person=8, deadlines=[(dt.date(2026, 8, 25), dt.date(2026, 9, 11))],
                    completed_on=dt.date(2026, 9, 14))
    fresh = task(4, assigned_on=DAY + dt.timedelta(days=1))
    after = row_of(later, [past, newcomer, fresh])

    assert after.x == before.x
    assert after.raw == before.raw
    assert before.raw["unit_late"] == 1 and before.raw["unit_n"] == 1


def test_the_features_read_the_history_up_to_the_day() -> None:
    h = task(1, reports=[(dt.date(2026, 8, 25), 10), (dt.date(2026, 9, 3), 30)], returns=[dt.date(2026, 9, 4)],
             deadlines=[(dt.date(2026, 8, 20), dt.date(2026, 9, 11)), (dt.date(2026, 9, 8), dt.date(2026, 9, 15))])
    row = row_of(h, [task(9, assigned_on=dt.date(2026, 9, 1))])
    raw = row.raw
    assert raw["progress"] == 30
    assert raw["silent"] == 7  # since 3/9
    assert raw["extensions"] == 1 and raw["returns"] == 1
    assert raw["days_left"] == 3  # Fri 11, Mon 14, Tue 15 September
    assert raw["load"] == 1
    # As of 7/9 the extension did not exist yet: the deadline in force was 11/9.
    early = row_of(h, [], dt.date(2026, 9, 7))
    assert early.raw["extensions"] == 0 and early.raw["days_left"] == 4 and early.raw["returns"] == 1


def test_an_outcome_is_known_only_once_it_is_decided() -> None:
    on_time = task(2, completed_on=dt.date(2026, 9, 5), deadlines=[(dt.date(2026, 8, 20), dt.date(2026, 9, 8))])
    late_open = task(3, deadlines=[(dt.date(2026, 8, 20), dt.date(2026, 9, 8))])  # open and past its deadline
    record = model.Record([on_time, late_open], dt.date(2026, 9, 30))
    key = ("unit", 1, "directive", "normal")
    assert record.counts(key, dt.date(2026, 9, 5)) == (0, 0)  # decided that day, known the next
    assert record.counts(key, dt.date(2026, 9, 6)) == (0, 1)
    assert record.counts(key, dt.date(2026, 9, 8)) == (0, 1)  # its deadline is still today: not late yet
    assert record.counts(key, dt.date(2026, 9, 9)) == (1, 2)


def test_training_looks_at_each_task_before_its_deadline_while_it_was_open() -> None:
    assert model.working_days_before(CALENDAR, dt.date(2026, 9, 3), 3) == dt.date(2026, 8, 27)  # 1-2/9 are off
    done_early = task(2, completed_on=dt.date(2026, 8, 21))  # done before any training moment
    xs, ys = model.training_set([done_early, task(3, completed_on=dt.date(2026, 9, 20))], dt.date(2026, 10, 1),
                                CALENDAR)
    assert len(xs) == 4 and set(ys) == {1}  # the late one, at 1, 3, 5 and 10 working days before 15/9


def test_a_split_task_progresses_with_its_parts() -> None:
    h = task(1, reports=[], part_reports=[(dt.date(2026, 9, 2), 11, 40), (dt.date(2026, 9, 8), 12, 80),
                                          (dt.date(2026, 9, 11), 11, 100)])
    row = row_of(h, [])
    assert row.raw["progress"] == 60 and row.raw["silent"] == 2  # 40 and 80 by 10/9; the 100 came later
