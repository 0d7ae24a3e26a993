"""Published response times equal an independent computation on random data."""

from __future__ import annotations

import datetime as dt
import random
import statistics

from server.holidays.tables import CalendarDay
from server.lib import clock
from server.reports import stats
from server.reports.tables import Report
from tests.factories import make_jurisdiction, unique
from tests.unit.reports.helpers import make_category


def _naive_working_days(start: dt.date, end: dt.date, off: set[dt.date], worked: set[dt.date]) -> int:
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if day in worked or (day.weekday() < 5 and day not in off):
            days += 1
    return days


async def test_response_times_match_an_independent_computation() -> None:
    rng = random.Random(20261122)
    j = await make_jurisdiction()
    categories = [await make_category(j, target_days=t, name=f"Lĩnh vực {t}") for t in (3, 5, 10)]
    units = [j.dept.id, j.other_dept.id]
    now = clock.now()
    rows = []
    for _ in range(120):
        category = rng.choice(categories)
        received = now - dt.timedelta(days=rng.uniform(1, 200), hours=rng.uniform(0, 23))
        first = received + dt.timedelta(hours=rng.uniform(1, 24 * 6)) if rng.random() < 0.9 else None
        resolved = None
        if first is not None and rng.random() < 0.7:
            resolved = first + dt.timedelta(hours=rng.uniform(1, 24 * 25))
            resolved = min(resolved, now)
        status = "resolved" if resolved else "accepted"
        if rng.random() < 0.1:
            status, resolved = "rejected", received  # never counted
        rows.append(Report(code=unique("T")[:16], category=category["id"], description="x", status=status,
                           received_at=received, first_answer_at=first, resolved_at=resolved, updated_at=now,
                           target_days=category["target_days"], unit=rng.choice(units)))
    await Report.insert(*rows)

    calendar_rows = await CalendarDay.select()
    off = {r["day"] for r in calendar_rows if not r["is_working_day"]}
    worked = {r["day"] for r in calendar_rows if r["is_working_day"]}
    today = clock.today_vn()
    date_from, date_to = today - dt.timedelta(days=150), today
    figures = await stats.response_times(date_from, date_to)

    def local(moment: dt.datetime) -> dt.date:
        return moment.astimezone(clock.VN_TZ).date()

    def expected(group: list[Report]) -> dict:
        firsts, resolutions, within, decided = [], [], 0, 0
        for r in group:
            received = local(r.received_at)
            if r.first_answer_at:
                firsts.append(_naive_working_days(received, local(r.first_answer_at), off, worked))
            if r.resolved_at:
                d = _naive_working_days(received, local(r.resolved_at), off, worked)
                resolutions.append(d)
                decided += 1
                within += d <= r.target_days
            elif _naive_working_days(received, today, off, worked) > r.target_days:
                decided += 1
        return {"count": len(group), "median_first_answer_days": statistics.median(firsts) if firsts else None,
                "median_resolution_days": statistics.median(resolutions) if resolutions else None,
                "share_within_target": within / decided if decided else None}

    counted = [r for r in rows if r.status != "rejected" and date_from <= local(r.received_at) <= date_to]
    by_category = {row["category_id"]: row for row in figures["categories"]}
    by_unit = {row["unit_id"]: row for row in figures["units"]}
    checked = 0
    for category in categories:
        want = expected([r for r in counted if r.category == category["id"]])
        got = by_category[category["id"]]
        assert got["target_days"] == category["target_days"]
        for key, value in want.items():
            assert got[key] == (value if value is None or key == "count" else float(value)), (key, got, want)
        checked += want["count"]
    for unit_id in units:
        want = expected([r for r in counted if r.unit == unit_id])
        got = by_unit[unit_id]
        for key, value in want.items():
            assert got[key] == (value if value is None or key == "count" else float(value)), (key, got, want)
    assert checked == len(counted) > 50
