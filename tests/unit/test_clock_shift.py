"""`make test` moves the SQLite half's clock into the other half of Vietnam's day: both bands, every run."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.clock_shift import offset_seconds


def vietnam_dates_agree(moment: dt.datetime) -> bool:
    return moment.date() == (moment + dt.timedelta(hours=7)).date()


@pytest.mark.parametrize("hour", range(24))
def test_the_moved_clock_lands_in_the_other_band(hour: int) -> None:
    now = dt.datetime(2026, 12, 6, hour, 17, 29, tzinfo=dt.UTC)
    moved = now + dt.timedelta(seconds=offset_seconds(now))
    assert dt.timedelta(0) < moved - now <= dt.timedelta(days=1)
    assert vietnam_dates_agree(moved) != vietnam_dates_agree(now)
    assert (moved.hour, moved.minute) in {(3, 0), (19, 0)}
