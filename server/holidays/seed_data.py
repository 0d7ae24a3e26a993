"""The public holidays a new installation starts with: Vietnam's civil-service days off for 2026 and 2027.

These are data, not rules. The Labour Code 2019, Article 112, names the holidays (New Year's Day; five
days of Tết; the Hùng Kings' day, 10th of the 3rd lunar month; 30 April; 1 May; National Day 2 September
plus one adjacent day) and gives a day in lieu when one falls on a weekend, but the government announces
the exact days each year — which days around Tết, which day next to 2 September, and any swap of a
weekday for a working Saturday. An admin corrects these rows in the holiday calendar when that
announcement comes; the seed never overwrites what the admin has done (see `ensure_holidays_seeded`).

How the days were chosen:

* 2026 — Tết is the break PRODUCT.md fixes: Saturday 14/2 to Sunday 22/2, with the five weekdays 16–20/2
  off (lunar new year Tuesday 17/2; 16/2 is the 29th of the 12th month). Hùng Kings' day, 10/3 lunar,
  is Sunday 26/4, so Monday 27/4 is the day in lieu. National Day is Wednesday 2/9; 1/9 is taken as the
  adjacent day.
* 2027 — lunar new year is Saturday 6/2/2027. As in 2024 (also a Saturday new year), the five Tết days
  are two before and three from the new year: Thursday 4/2 (28 Tết) to Monday 8/2 (mùng 3); Saturday 6/2
  and Sunday 7/2 are among them, so Tuesday 9/2 and Wednesday 10/2 are days in lieu — a whole week off,
  Thursday 4/2 to Wednesday 10/2. Hùng Kings' day is Friday 16/4. 1 May is a Saturday, in lieu Monday 3/5.
  National Day is Thursday 2/9, and Friday 3/9 is taken as the adjacent day (the government picks the
  side that joins the weekend).

Holidays that fall on a weekend are listed too, although a weekend is already off: the admin's list then
says why the day in lieu exists.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple


class SeedDay(NamedTuple):
    day: date
    name: str
    is_working_day: bool


_TET = "Tết Nguyên đán"
_IN_LIEU_TET = "Nghỉ bù Tết Nguyên đán"
_NATIONAL_DAY = "Quốc khánh 2/9"
_NATIONAL_DAY_ADJACENT = "Nghỉ lễ Quốc khánh (ngày liền kề 2/9)"

SEED_DAYS: tuple[SeedDay, ...] = (
    # 2026
    SeedDay(date(2026, 1, 1), "Tết Dương lịch", False),
    SeedDay(date(2026, 2, 16), _TET, False),
    SeedDay(date(2026, 2, 17), _TET, False),
    SeedDay(date(2026, 2, 18), _TET, False),
    SeedDay(date(2026, 2, 19), _TET, False),
    SeedDay(date(2026, 2, 20), _TET, False),
    SeedDay(date(2026, 4, 26), "Giỗ Tổ Hùng Vương", False),
    SeedDay(date(2026, 4, 27), "Nghỉ bù Giỗ Tổ Hùng Vương", False),
    SeedDay(date(2026, 4, 30), "Ngày Chiến thắng 30/4", False),
    SeedDay(date(2026, 5, 1), "Ngày Quốc tế Lao động 1/5", False),
    SeedDay(date(2026, 9, 1), _NATIONAL_DAY_ADJACENT, False),
    SeedDay(date(2026, 9, 2), _NATIONAL_DAY, False),
    # 2027
    SeedDay(date(2027, 1, 1), "Tết Dương lịch", False),
    SeedDay(date(2027, 2, 4), _TET, False),
    SeedDay(date(2027, 2, 5), _TET, False),
    SeedDay(date(2027, 2, 6), _TET, False),
    SeedDay(date(2027, 2, 7), _TET, False),
    SeedDay(date(2027, 2, 8), _TET, False),
    SeedDay(date(2027, 2, 9), _IN_LIEU_TET, False),
    SeedDay(date(2027, 2, 10), _IN_LIEU_TET, False),
    SeedDay(date(2027, 4, 16), "Giỗ Tổ Hùng Vương", False),
    SeedDay(date(2027, 4, 30), "Ngày Chiến thắng 30/4", False),
    SeedDay(date(2027, 5, 1), "Ngày Quốc tế Lao động 1/5", False),
    SeedDay(date(2027, 5, 3), "Nghỉ bù Ngày Quốc tế Lao động 1/5", False),
    SeedDay(date(2027, 9, 2), _NATIONAL_DAY, False),
    SeedDay(date(2027, 9, 3), _NATIONAL_DAY_ADJACENT, False),
)
