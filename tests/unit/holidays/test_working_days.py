"""WorkCalendar is pure: these tests need no database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.holidays.seed_data import SEED_DAYS
from server.holidays.services import WorkCalendar


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


SEEDED = WorkCalendar(
    off_days=frozenset(s.day for s in SEED_DAYS if not s.is_working_day),
    working_weekend_days=frozenset(s.day for s in SEED_DAYS if s.is_working_day),
)
PLAIN = WorkCalendar()


def naive_add(calendar: WorkCalendar, start: dt.date, n: int) -> dt.date:
    """The definition, walked day by day, to check the arithmetic against."""
    day = start
    if n == 0:
        while not calendar.is_working_day(day):
            day += dt.timedelta(days=1)
        return day
    while n > 0:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


def naive_between(calendar: WorkCalendar, start: dt.date, end: dt.date) -> int:
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += calendar.is_working_day(day)
    return count


def test_weekends_are_off_and_weekdays_work() -> None:
    assert [PLAIN.is_working_day(d("2031-03-03") + dt.timedelta(days=i)) for i in range(7)] == [
        True,
        True,
        True,
        True,
        True,
        False,
        False,
    ]


def test_a_holiday_is_off_and_a_working_saturday_works() -> None:
    calendar = WorkCalendar(off_days=frozenset({d("2031-03-05")}), working_weekend_days=frozenset({d("2031-03-08")}))
    assert not calendar.is_working_day(d("2031-03-05"))
    assert calendar.is_working_day(d("2031-03-08"))
    assert not calendar.is_working_day(d("2031-03-09"))
    # Mon 3/3 + 3: Tue 4, (Wed 5 off), Thu 6, Fri 7
    assert calendar.add_working_days(d("2031-03-03"), 3) == d("2031-03-07")
    # ... and the worked Saturday counts: Fri 7/3 + 1 is Sat 8/3
    assert calendar.add_working_days(d("2031-03-07"), 1) == d("2031-03-08")
    assert calendar.working_days_between(d("2031-03-03"), d("2031-03-10")) == 5


def test_tet_2026_five_working_days_from_friday_13_february_is_friday_27_february() -> None:
    assert SEEDED.add_working_days(d("2026-02-13"), 5) == d("2026-02-27")
    assert [SEEDED.is_working_day(d(f"2026-02-{day}")) for day in range(14, 24)] == [False] * 9 + [True]
    assert SEEDED.next_working_day(d("2026-02-13")) == d("2026-02-23")
    assert SEEDED.working_days_between(d("2026-02-13"), d("2026-02-27")) == 5
    assert SEEDED.working_days_between(d("2026-02-13"), d("2026-02-22")) == 0


def test_days_in_lieu_in_the_seed() -> None:
    # Hùng Kings' day 2026 is a Sunday; Monday 27/4 is off instead; 30/4 and 1/5 follow.
    assert SEEDED.add_working_days(d("2026-04-24"), 1) == d("2026-04-28")
    assert SEEDED.add_working_days(d("2026-04-29"), 1) == d("2026-05-04")
    # 1 May 2027 is a Saturday, in lieu Monday 3 May; Tết 2027 is Thursday 4/2 to Wednesday 10/2.
    assert SEEDED.add_working_days(d("2027-04-29"), 1) == d("2027-05-04")
    assert SEEDED.add_working_days(d("2027-02-03"), 1) == d("2027-02-11")


def test_the_day_of_assignment_does_not_count() -> None:
    monday = d("2031-03-03")
    assert PLAIN.add_working_days(monday, 1) == d("2031-03-04")
    assert PLAIN.add_working_days(d("2031-03-07"), 1) == d("2031-03-10")  # Friday → Monday
    assert PLAIN.add_working_days(d("2031-03-08"), 1) == d("2031-03-10")  # Saturday → Monday
    assert PLAIN.add_working_days(monday, 5) == d("2031-03-10")
    assert PLAIN.add_working_days(monday, 365) == naive_add(PLAIN, monday, 365)


def test_zero_days_is_today_if_working_else_the_next_working_day() -> None:
    assert PLAIN.add_working_days(d("2031-03-03"), 0) == d("2031-03-03")
    assert PLAIN.add_working_days(d("2031-03-08"), 0) == d("2031-03-10")
    assert SEEDED.add_working_days(d("2026-02-16"), 0) == d("2026-02-23")


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError):
        PLAIN.add_working_days(d("2031-03-03"), -1)


def test_working_days_between_counts_the_end_but_not_the_start() -> None:
    assert PLAIN.working_days_between(d("2031-03-03"), d("2031-03-03")) == 0
    assert PLAIN.working_days_between(d("2031-03-04"), d("2031-03-03")) == 0
    assert PLAIN.working_days_between(d("2031-03-03"), d("2031-03-04")) == 1
    assert PLAIN.working_days_between(d("2031-03-07"), d("2031-03-09")) == 0  # Friday to Sunday
    assert PLAIN.working_days_between(d("2031-03-08"), d("2031-03-10")) == 1  # Saturday to Monday
    assert PLAIN.working_days_between(d("2031-01-01"), d("2032-01-01")) == naive_between(
        PLAIN, d("2031-01-01"), d("2032-01-01")
    )


def test_year_and_month_boundaries() -> None:
    # Wednesday 31/12/2025 + 1 skips Tết Dương lịch (Thursday 1/1/2026).
    assert SEEDED.add_working_days(d("2025-12-31"), 1) == d("2026-01-02")
    assert SEEDED.working_days_between(d("2025-12-31"), d("2026-01-02")) == 1
    # Leap day: Friday 29/2/2036 → Monday 3/3/2036.
    assert PLAIN.add_working_days(d("2036-02-28"), 2) == d("2036-03-03")


def test_datetimes_are_refused_because_they_never_equal_a_date() -> None:
    with pytest.raises(TypeError):
        PLAIN.is_working_day(dt.datetime(2031, 3, 3, 9, 0))  # type: ignore[arg-type]


def test_a_day_cannot_be_both_off_and_worked() -> None:
    with pytest.raises(ValueError):
        WorkCalendar(off_days=frozenset({d("2031-03-08")}), working_weekend_days=frozenset({d("2031-03-08")}))


def test_the_calendar_is_frozen_and_compares_by_its_days() -> None:
    a = WorkCalendar(off_days=frozenset({d("2031-03-05")}))
    b = WorkCalendar(off_days=frozenset({d("2031-03-05")}))
    assert a == b and hash(a) == hash(b)
    with pytest.raises(AttributeError):
        a.off_days = frozenset()  # type: ignore[misc]


def test_the_seed_is_sound() -> None:
    days = [s.day for s in SEED_DAYS]
    assert len(days) == len(set(days))
    assert {s.day.year for s in SEED_DAYS} == {2026, 2027}
    for seed in SEED_DAYS:
        assert seed.name.strip() and len(seed.name) <= 255
        assert not seed.is_working_day or seed.day.weekday() >= 5
    for year in (2026, 2027):
        off_weekdays = [s.day for s in SEED_DAYS if s.day.year == year and s.day.weekday() < 5]
        # 11 days of holiday a year (Article 112), each moved off a weekend onto a weekday.
        assert len(off_weekdays) == 11


_DAY = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2040, 12, 31))


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    off = draw(st.frozensets(_DAY, max_size=60))
    weekends = draw(st.frozensets(_DAY.filter(lambda day: day.weekday() >= 5), max_size=20))
    return WorkCalendar(off_days=off, working_weekend_days=weekends - off)


@settings(max_examples=300, deadline=None)
@given(
    calendar=st.one_of(st.just(SEEDED), st.just(PLAIN), calendars()),
    start=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2036, 12, 31)),
    n=st.integers(min_value=0, max_value=200),
)
def test_counting_inverts_adding(calendar: WorkCalendar, start: dt.date, n: int) -> None:
    due = calendar.add_working_days(start, n)
    assert calendar.is_working_day(due)
    assert due == naive_add(calendar, start, n)
    if n >= 1:
        assert calendar.working_days_between(start, due) == n
        assert calendar.working_days_between(start, due - dt.timedelta(days=1)) == n - 1
    if n >= 1 and calendar.is_working_day(start):
        assert calendar.working_days_between(start, calendar.add_working_days(start, n)) == n


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), start=_DAY, end=_DAY)
def test_between_matches_the_definition(calendar: WorkCalendar, start: dt.date, end: dt.date) -> None:
    assert calendar.working_days_between(start, end) == naive_between(calendar, start, end)
