"""The calendar_days table behind WorkCalendar: writes, audit, seeding and the in-process cache.

The database is shared by the whole run, so these tests use only the years 2031–2035 and remove their rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from server.audit.tables import AuditEvent
from server.holidays import services
from server.holidays.seed_data import SEED_DAYS, SeedDay
from server.holidays.tables import CalendarDay
from server.lib.errors import Invalid, NotFound

FIRST, LAST = dt.date(2031, 1, 1), dt.date(2035, 12, 31)


async def _remove_test_rows() -> None:
    await CalendarDay.delete().where((CalendarDay.day >= FIRST) & (CalendarDay.day <= LAST))
    services.invalidate_calendar_cache()


@pytest.fixture(autouse=True)
async def clean_years() -> AsyncIterator[None]:
    await _remove_test_rows()
    yield
    await _remove_test_rows()


async def _last_event(entity_id: str) -> dict:
    row = (
        await AuditEvent.select()
        .where((AuditEvent.entity == "calendar_day") & (AuditEvent.entity_id == entity_id))
        .order_by(AuditEvent.seq, ascending=False)
        .first()
    )
    assert row is not None
    return row


async def test_set_day_inserts_then_updates_and_audits_each_change() -> None:
    day = dt.date(2031, 6, 3)
    await services.set_day(day, "  Ngày nghỉ thử  ", False, actor_id=7)
    assert await services.list_days(2031) == [{"day": day, "name": "Ngày nghỉ thử", "is_working_day": False}]
    event = await _last_event("2031-06-03")
    assert (event["action"], event["actor_id"], event["before"]) == ("calendar_day.set", 7, "null")
    assert "Ngày nghỉ thử" in event["after"]

    await services.set_day(day, "Nghỉ bù", False, actor_id=8)
    assert await services.list_days(2031) == [{"day": day, "name": "Nghỉ bù", "is_working_day": False}]
    event = await _last_event("2031-06-03")
    assert event["actor_id"] == 8 and "Ngày nghỉ thử" in event["before"] and "Nghỉ bù" in event["after"]

    seq = event["seq"]
    await services.set_day(day, "Nghỉ bù", False, actor_id=8)
    assert (await _last_event("2031-06-03"))["seq"] == seq  # no change, no event


async def test_set_day_refuses_an_empty_name_and_a_worked_weekday() -> None:
    with pytest.raises(Invalid) as empty:
        await services.set_day(dt.date(2031, 6, 3), "   ", False)
    assert empty.value.code == "calendar_day_name_required"
    with pytest.raises(Invalid) as weekday:
        await services.set_day(dt.date(2031, 6, 3), "Làm bù", True)  # a Tuesday
    assert weekday.value.code == "calendar_day_not_weekend"
    with pytest.raises(Invalid):
        await services.set_day(dt.date(2031, 6, 3), "x" * 256, False)
    assert await services.list_days(2031) == []


async def test_delete_day_removes_and_audits_and_refuses_a_missing_day() -> None:
    day = dt.date(2032, 3, 6)  # a Saturday
    await services.set_day(day, "Làm việc bù", True, actor_id=3)
    await services.delete_day(day, actor_id=4)
    assert await services.list_days(2032) == []
    event = await _last_event("2032-03-06")
    assert (event["action"], event["actor_id"], event["after"]) == ("calendar_day.delete", 4, "null")
    assert "Làm việc bù" in event["before"]
    with pytest.raises(NotFound):
        await services.delete_day(day, actor_id=4)


async def test_list_days_filters_by_year_and_sorts() -> None:
    await services.set_day(dt.date(2033, 9, 2), "Quốc khánh 2/9", False)
    await services.set_day(dt.date(2033, 1, 1), "Tết Dương lịch", False)
    await services.set_day(dt.date(2034, 1, 2), "Tết Dương lịch (nghỉ bù)", False)
    assert [row["day"] for row in await services.list_days(2033)] == [dt.date(2033, 1, 1), dt.date(2033, 9, 2)]
    assert [row["day"] for row in await services.list_days(2034)] == [dt.date(2034, 1, 2)]
    everything = [row["day"] for row in await services.list_days()]
    assert everything == sorted(everything)
    assert {dt.date(2033, 1, 1), dt.date(2033, 9, 2), dt.date(2034, 1, 2)} <= set(everything)


async def test_the_cached_calendar_follows_every_write() -> None:
    holiday, saturday = dt.date(2034, 5, 3), dt.date(2034, 5, 6)  # a Wednesday and a Saturday
    first = await services.load_calendar()
    assert first.is_working_day(holiday) and not first.is_working_day(saturday)
    assert await services.load_calendar() is first  # cached

    await services.set_day(holiday, "Ngày nghỉ thử", False)
    await services.set_day(saturday, "Làm việc bù", True)
    second = await services.load_calendar()
    assert second is not first
    assert not second.is_working_day(holiday) and second.is_working_day(saturday)
    assert second.add_working_days(dt.date(2034, 5, 2), 3) == dt.date(2034, 5, 6)

    await services.delete_day(holiday)
    assert (await services.load_calendar()).is_working_day(holiday)


async def test_seeding_fills_empty_years_only_and_is_idempotent() -> None:
    seed = (
        SeedDay(dt.date(2035, 1, 1), "Tết Dương lịch", False),
        SeedDay(dt.date(2035, 9, 3), "Quốc khánh 2/9 (ngày liền kề)", False),
        SeedDay(dt.date(2035, 3, 3), "Làm việc bù", True),
        SeedDay(dt.date(2034, 1, 2), "Tết Dương lịch", False),
    )
    await services.set_day(dt.date(2034, 4, 30), "Ngày Chiến thắng 30/4", False)  # 2034 is the admin's already
    before = await services.load_calendar()

    assert await services.ensure_holidays_seeded(seed) == 3
    assert [(row["day"], row["is_working_day"]) for row in await services.list_days(2035)] == [
        (dt.date(2035, 1, 1), False),
        (dt.date(2035, 3, 3), True),
        (dt.date(2035, 9, 3), False),
    ]
    assert [row["day"] for row in await services.list_days(2034)] == [dt.date(2034, 4, 30)]
    assert (await _last_event("2035-01-01"))["action"] == "calendar_day.seed"
    after = await services.load_calendar()
    assert after is not before and not after.is_working_day(dt.date(2035, 1, 1))

    assert await services.ensure_holidays_seeded(seed) == 0
    # A seed day the admin removed stays removed.
    await services.delete_day(dt.date(2035, 9, 3))
    assert await services.ensure_holidays_seeded(seed) == 0
    assert [row["day"] for row in await services.list_days(2035)] == [dt.date(2035, 1, 1), dt.date(2035, 3, 3)]


async def test_the_real_seed_loads_into_the_database() -> None:
    seed_years = {s.day.year for s in SEED_DAYS}
    existing = {row["day"] for year in seed_years for row in await services.list_days(year)}
    try:
        inserted = await services.ensure_holidays_seeded()
        assert await services.ensure_holidays_seeded() == 0
        stored = {row["day"] for year in seed_years for row in await services.list_days(year)}
        if not existing:
            assert inserted == len(SEED_DAYS) and stored == {s.day for s in SEED_DAYS}
            calendar = await services.load_calendar()
            assert calendar.add_working_days(dt.date(2026, 2, 13), 5) == dt.date(2026, 2, 27)
    finally:
        # Leave the seed years as other tests found them.
        now_stored = {row["day"] for year in seed_years for row in await services.list_days(year)}
        for day in now_stored - existing:
            await CalendarDay.delete().where(CalendarDay.day == day)
        services.invalidate_calendar_cache()
