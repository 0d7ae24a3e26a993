"""The periods a leader picks: a week, month, quarter, year or custom range, in Vietnam's calendar."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from server.lib import clock
from server.lib.errors import Invalid

PERIODS = ("week", "month", "quarter", "year", "custom")
REPORT_PERIODS = ("week", "month", "quarter")
MAX_PERIOD_DAYS = 3660


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shifted(self, step: int) -> Period:
        """The previous (-1) or next (+1) period of the same kind."""
        if self.kind == "custom":
            delta = dt.timedelta(days=self.days * step)
            return Period("custom", self.start + delta, self.end + delta)
        ref = self.start - dt.timedelta(days=1) if step < 0 else self.end + dt.timedelta(days=1)
        return period_containing(self.kind, ref)


def period_containing(kind: str, day: dt.date) -> Period:
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return Period(kind, start, start + dt.timedelta(days=6))
    if kind == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return Period(kind, day.replace(day=1), day.replace(day=last))
    if kind == "quarter":
        first_month = 3 * ((day.month - 1) // 3) + 1
        last = calendar.monthrange(day.year, first_month + 2)[1]
        return Period(kind, dt.date(day.year, first_month, 1), dt.date(day.year, first_month + 2, last))
    if kind == "year":
        return Period(kind, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    raise Invalid("period_invalid", "Khoảng thời gian không hợp lệ")


def resolve_period(
    kind: str | None, start: dt.date | None = None, end: dt.date | None = None, today: dt.date | None = None
) -> Period:
    """week / month / quarter / year containing `start` (default today), or custom [start, end]. Default: this month."""
    today = today or clock.today_vn()
    kind = (kind or "").strip() or ("custom" if start and end else "month")
    if kind not in PERIODS:
        raise Invalid("period_invalid", "Khoảng thời gian không hợp lệ")
    # The API takes any ISO date; a period (and its previous / next) must stay computable.
    if any(day is not None and not clock.MIN_YEAR <= day.year <= clock.MAX_YEAR for day in (start, end)):
        raise Invalid("date_invalid", "Ngày không hợp lệ (ngày/tháng/năm)")
    if kind == "custom":
        if start is None or end is None or end < start or (end - start).days > MAX_PERIOD_DAYS:
            raise Invalid("period_invalid", "Khoảng thời gian không hợp lệ")
        return Period(kind, start, end)
    return period_containing(kind, start or today)
