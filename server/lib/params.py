"""Integers and dates from a URL or a form, bounded where they are parsed.

Python's int and date accept values no database column or date arithmetic can hold (an id of 10^20 overflows
PostgreSQL's bigint and SQLite's int64; 0001-01-01 minus a day overflows). A value outside the bounds is
treated like one that is not a number or not a date: the caller decides whether that means "no filter" or 400.
"""

from __future__ import annotations

import datetime as dt

from server.lib import clock

# The signed 32-bit range of PostgreSQL's integer: every id and count the app stores fits in it.
ID_MAX = 2**31 - 1
# No listing is paged further than this; an offset beyond it is a typing mistake or a probe.
OFFSET_MAX = 1_000_000
DATE_MIN = dt.date(clock.MIN_YEAR, 1, 1)
DATE_MAX = dt.date(clock.MAX_YEAR, 12, 31)


def bounded_int(value: str | int | None, low: int = 0, high: int = ID_MAX) -> int | None:
    """The integer in [low, high], or None when the value is empty, not an integer, or out of bounds."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip()
        # int() of a 100,000-digit string is slow (and refused past 4,300 digits): nothing in range is that long.
        if not text or len(text) > 20:
            return None
        try:
            number = int(text)
        except ValueError:
            return None
    return number if low <= number <= high else None


def bounded_date(value: str | dt.date | None, low: dt.date = DATE_MIN, high: dt.date = DATE_MAX) -> dt.date | None:
    """The ISO date in [low, high] (years clock.MIN_YEAR..MAX_YEAR), or None when empty, invalid or out of bounds."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
    else:
        text = str(value).strip()
        if len(text) > 32:
            return None
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return None
    return day if low <= day <= high else None
