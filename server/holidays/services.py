"""Working days: Monday–Friday, less the admin's days off, plus the weekend days the admin marks as worked.

`WorkCalendar` is pure and synchronous so deadline and response-time arithmetic can run anywhere (list
views, the worker, statistics) without touching the database; `load_calendar` builds one from the
`calendar_days` table and keeps it in this process until a write here invalidates it.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from server.audit import services as audit
from server.holidays.seed_data import SEED_DAYS, SeedDay
from server.holidays.tables import CalendarDay
from server.lib.db import engine, is_sqlite, write_transaction
from server.lib.errors import Invalid, NotFound

_NAME_MAX_LENGTH = 255
# Any constant works, as long as it differs from the other advisory-lock keys (audit uses 7_204_115).
_CALENDAR_LOCK_KEY = 7_204_116


def _check_date(value: dt.date) -> None:
    # A datetime is a date subclass but never equals one, so it would silently miss every holiday; the
    # caller must pick the Vietnamese calendar day itself (server.lib.clock.local_date).
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"expected a datetime.date, got {type(value).__name__}")


def _weekdays_through(ordinal: int) -> int:
    """Monday–Friday days among proleptic ordinals 1..ordinal (ordinal 1, 0001-01-01, is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def _ordinal_of_weekday_number(number: int) -> int:
    """The ordinal of the `number`-th Monday–Friday day counted from ordinal 1 (inverse of the above)."""
    weeks, rest = divmod(number - 1, 5)
    return weeks * 7 + rest + 1


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days, and counting in working days.

    A day is a working day when it is Monday–Friday and not in `off_days`, or when it is in
    `working_weekend_days` (a compensatory working Saturday). A day cannot be in both sets.

    Counting never walks day by day: the weekdays between two dates are computed arithmetically and the
    exceptions in between are counted by bisection, so every method is O(log k) for k exception days,
    whatever the distance.
    """

    off_days: frozenset[dt.date] = frozenset()
    working_weekend_days: frozenset[dt.date] = frozenset()
    # Only exceptions that change the weekday rule matter for counting: a holiday on a Sunday is off
    # anyway, and a weekday "worked" is worked anyway.
    _off_weekdays: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _worked_weekends: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        both = self.off_days & self.working_weekend_days
        if both:
            raise ValueError(f"days both off and worked: {sorted(both)}")
        for day in (*self.off_days, *self.working_weekend_days):
            _check_date(day)
        off = tuple(sorted(d.toordinal() for d in self.off_days if d.weekday() < 5))
        worked = tuple(sorted(d.toordinal() for d in self.working_weekend_days if d.weekday() >= 5))
        # The dataclass is frozen for its public fields; the derived indexes are set once, here.
        object.__setattr__(self, "_off_weekdays", off)
        object.__setattr__(self, "_worked_weekends", worked)

    def is_working_day(self, d: dt.date) -> bool:
        _check_date(d)
        if d in self.off_days:
            return False
        if d in self.working_weekend_days:
            return True
        return d.weekday() < 5

    def _working_through(self, ordinal: int) -> int:
        """Working days among ordinals 1..ordinal; only differences of this are meaningful."""
        return (
            _weekdays_through(ordinal)
            - bisect_right(self._off_weekdays, ordinal)
            + bisect_right(self._worked_weekends, ordinal)
        )

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: the day of `start` does not count, the day of `end` does.

        0 when end <= start. Received on Friday and answered on the following Monday is 1 working day;
        answered the same day is 0.
        """
        _check_date(start)
        _check_date(end)
        if end <= start:
            return 0
        return self._working_through(end.toordinal()) - self._working_through(start.toordinal())

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The deadline "n working days from `start`": the n-th working day after `start`.

        The day of assignment never counts, even when it is a working day, so a task assigned on Friday
        with 1 working day is due on the next working day (Monday, unless it is a holiday). n = 0 means
        "due today": `start` itself when it is a working day, otherwise the next working day.
        For n >= 1, `working_days_between(start, add_working_days(start, n)) == n`, and the result is
        always a working day.
        """
        _check_date(start)
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return start if self.is_working_day(start) else self.next_working_day(start)
        start_ordinal = start.toordinal()
        base = self._working_through(start_ordinal)
        target = base + n
        # Past the n-th weekday after start plus one weekday for every later day off, at least n working
        # days have certainly passed; so the answer lies in (start, high] and bisection finds it.
        later_off = len(self._off_weekdays) - bisect_right(self._off_weekdays, start_ordinal)
        low = start_ordinal + 1
        high = _ordinal_of_weekday_number(_weekdays_through(start_ordinal) + n + later_off)
        while low < high:
            middle = (low + high) // 2
            if self._working_through(middle) >= target:
                high = middle
            else:
                low = middle + 1
        return dt.date.fromordinal(low)

    def next_working_day(self, d: dt.date) -> dt.date:
        """The first working day strictly after `d`."""
        return self.add_working_days(d, 1)


# --- The database side ------------------------------------------------------------------------------

_cached: WorkCalendar | None = None
# Bumped by every write: a load that started before a write finished must not cache what it read.
_generation = 0


def invalidate_calendar_cache() -> None:
    """Forget the cached calendar. The writes below call it; call it after changing rows any other way.

    The cache lives in one process: another process (a second web worker, the background worker) sees
    a change only after its own write or restart, so deployments that run several must invalidate
    there too.
    """
    global _cached, _generation
    _cached = None
    _generation += 1


async def load_calendar() -> WorkCalendar:
    global _cached
    cached = _cached
    if cached is not None:
        return cached
    generation = _generation
    rows = await CalendarDay.select(CalendarDay.day, CalendarDay.is_working_day)
    calendar = WorkCalendar(
        off_days=frozenset(row["day"] for row in rows if not row["is_working_day"]),
        working_weekend_days=frozenset(row["day"] for row in rows if row["is_working_day"]),
    )
    if generation == _generation:
        _cached = calendar
    return calendar


def _row(row: dict[str, Any]) -> dict[str, Any]:
    return {"day": row["day"], "name": row["name"], "is_working_day": bool(row["is_working_day"])}


async def _get(day: dt.date) -> dict[str, Any] | None:
    row = await CalendarDay.select().where(CalendarDay.day == day).first()
    return _row(row) if row is not None else None


async def list_days(year: int | None = None) -> list[dict[str, Any]]:
    """The calendar's rows in date order, each {"day": date, "name": str, "is_working_day": bool}."""
    query = CalendarDay.select().order_by(CalendarDay.day)
    if year is not None:
        query = query.where((CalendarDay.day >= dt.date(year, 1, 1)) & (CalendarDay.day <= dt.date(year, 12, 31)))
    return [_row(row) for row in await query]


async def _lock_calendar() -> None:
    # SQLite's IMMEDIATE transaction already serialises writers; PostgreSQL needs a lock so that two
    # writers of the same new day (or two processes seeding at start-up) do not both insert it.
    if not is_sqlite():
        await engine().run_ddl(f"SELECT pg_advisory_xact_lock({_CALENDAR_LOCK_KEY})")


async def set_day(day: dt.date, name: str, is_working_day: bool, *, actor_id: int | None = None) -> None:
    """Mark `day` off (a holiday or day in lieu) or, for a Saturday or Sunday, worked; replaces any row."""
    _check_date(day)
    name = name.strip()
    if not name:
        raise Invalid("calendar_day_name_required", "Cần nhập tên của ngày (ví dụ: Tết Nguyên đán)")
    if len(name) > _NAME_MAX_LENGTH:
        raise Invalid("calendar_day_name_too_long", "Tên ngày dài quá 255 ký tự")
    if is_working_day and day.weekday() < 5:
        raise Invalid("calendar_day_not_weekend", "Chỉ có thể đánh dấu thứ Bảy hoặc Chủ nhật là ngày làm việc bù")
    after = {"day": day, "name": name, "is_working_day": is_working_day}
    invalidate_calendar_cache()
    try:
        async with write_transaction():
            await _lock_calendar()
            before = await _get(day)
            if before == after:
                return  # nothing changed, and the audit log should not say otherwise
            if before is None:
                await CalendarDay.insert(CalendarDay(day=day, name=name, is_working_day=is_working_day))
            else:
                await CalendarDay.update({CalendarDay.name: name, CalendarDay.is_working_day: is_working_day}).where(
                    CalendarDay.day == day
                )
            await audit.record(
                actor_id=actor_id,
                action="calendar_day.set",
                entity="calendar_day",
                entity_id=day.isoformat(),
                before=before,
                after=after,
            )
    finally:
        # Again after commit: a load between the first invalidation and the commit read the old rows.
        invalidate_calendar_cache()


async def delete_day(day: dt.date, *, actor_id: int | None = None) -> None:
    """Remove `day`'s row, so the day follows the weekly rule again."""
    _check_date(day)
    invalidate_calendar_cache()
    try:
        async with write_transaction():
            await _lock_calendar()
            before = await _get(day)
            if before is None:
                raise NotFound("calendar_day_not_found", "Không tìm thấy ngày này trong lịch ngày nghỉ")
            await CalendarDay.delete().where(CalendarDay.day == day)
            await audit.record(
                actor_id=actor_id,
                action="calendar_day.delete",
                entity="calendar_day",
                entity_id=day.isoformat(),
                before=before,
                after=None,
            )
    finally:
        invalidate_calendar_cache()


async def ensure_holidays_seeded(days: Iterable[SeedDay] = SEED_DAYS) -> int:
    """Insert the seed holidays of every year the calendar has no row for yet; return how many were inserted.

    Seeding is per year, not per day: once a year has any row, the admin owns that year, and a seed day
    the admin deleted (the government chose another day) must not come back at the next start-up.
    Safe to call at every start-up and from several processes at once.
    """
    by_year: dict[int, list[SeedDay]] = {}
    for seed in days:
        by_year.setdefault(seed.day.year, []).append(seed)
    if not by_year:
        return 0
    inserted = 0
    invalidate_calendar_cache()
    try:
        async with write_transaction():
            await _lock_calendar()
            present = await CalendarDay.select(CalendarDay.day).where(
                (CalendarDay.day >= dt.date(min(by_year), 1, 1)) & (CalendarDay.day <= dt.date(max(by_year), 12, 31))
            )
            years_present = {row["day"].year for row in present}
            for year in sorted(by_year.keys() - years_present):
                for seed in sorted(by_year[year]):
                    await CalendarDay.insert(
                        CalendarDay(day=seed.day, name=seed.name, is_working_day=seed.is_working_day)
                    )
                    await audit.record(
                        actor_id=None,
                        action="calendar_day.seed",
                        entity="calendar_day",
                        entity_id=seed.day.isoformat(),
                        after={"day": seed.day, "name": seed.name, "is_working_day": seed.is_working_day},
                    )
                    inserted += 1
    finally:
        invalidate_calendar_cache()
    return inserted
