"""The one source of "now", so tests and the worker can move time."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Dates people may give: years far away are typing mistakes, and periods near year 1 or 9999 cannot be computed.
MIN_YEAR, MAX_YEAR = 1900, 2999

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen if _frozen is not None else dt.datetime.now(dt.UTC)


def today_vn() -> dt.date:
    return now().astimezone(VN_TZ).date()


def as_date(value: Any) -> dt.date | None:
    """A date from a raw SQL row: PostgreSQL gives a date, SQLite its ISO text."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def as_datetime(value: Any) -> dt.datetime | None:
    """A timestamp from a raw SQL row: PostgreSQL gives a datetime, SQLite its ISO text."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def local_date(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VN_TZ).date()


def freeze(moment: dt.datetime | None) -> None:
    global _frozen
    _frozen = moment


def as_utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
