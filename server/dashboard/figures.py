"""kpi's figures grouped per lead unit, per person and per week, from the kept counts or the tasks.

Built from `server.kpi.services`' SQL pieces, grouped instead of run once per row, so a row and
`kpi.figures()` for the same scope always agree (tests/unit/dashboard checks it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from server.dashboard.periods import Period
from server.kpi import counts as aggregate
from server.kpi import people_counts
from server.kpi import services as kpi
from server.kpi.counts import week_index_sql as week_sql
from server.kpi.services import BUCKETS, Figures
from server.tasks.tables import Task

# ---------------------------------------------------------------- grouped figures


def _add(figures: Figures, bucket: str | None, n: int) -> None:
    if bucket in BUCKETS:
        setattr(figures, bucket, getattr(figures, bucket) + int(n))


def _dates(period: Period) -> list[object]:
    return [kpi.date_param(d) for d in (period.start, period.end, period.start, period.end)]


def _prefilter(period: Period) -> tuple[str, list[object]]:
    return kpi.period_prefilter(period.start, period.end)


@dataclass
class Week:
    start: dt.date
    end: dt.date
    figures: Figures


def _empty_weeks(period: Period) -> list[Week]:
    """Monday to Sunday, clipped to the period."""
    weeks: list[Week] = []
    monday = period.start - dt.timedelta(days=period.start.weekday())
    while monday <= period.end:
        weeks.append(Week(max(monday, period.start), min(monday + dt.timedelta(days=6), period.end), Figures()))
        monday += dt.timedelta(days=7)
    return weeks


def _fill(rows: list[dict[str, Any]], weeks: list[Week]) -> dict[int, Figures]:
    by_unit: dict[int, Figures] = {}
    for row in rows:
        if row["kind"] == "u":
            _add(by_unit.setdefault(row["k"], Figures()), row["bucket"], row["n"])
        elif 0 <= int(row["k"]) < len(weeks):
            _add(weeks[int(row["k"])].figures, row["bucket"], row["n"])
    return by_unit


async def grouped(
    path: str, period: Period, today: dt.date, *, direct: bool = False
) -> tuple[dict[int, Figures], list[Week]]:
    """kpi.figures(unit_path=path) split by lead unit, and kpi.figures for each week: one pass over the period.

    Weeks run Monday to Sunday, clipped to the period. A task counts in a week when its deadline or its completion
    falls in it, exactly as kpi counts it in a period (so a task completed in another week than its deadline's
    counts in both weeks, once in the period). Read from the kept counts (server.dashboard.aggregate) once they
    are built, else (or with `direct`) from the tasks themselves; tests/unit/dashboard compares the two.
    """
    if not direct and aggregate.usable_for(period.start, period.end) and await aggregate.is_ready():
        return await grouped_from_counts(path, period, today)
    return await grouped_from_tasks(path, period, today)


async def grouped_from_counts(path: str, period: Period, today: dt.date) -> tuple[dict[int, Figures], list[Week]]:
    """The same figures from kpi's kept counts (server.kpi.counts.unit_week_rows), bucketed as kpi buckets a task."""
    weeks = _empty_weeks(period)
    return _fill(await aggregate.unit_week_rows(path, period.start, period.end, today), weeks), weeks


async def grouped_from_tasks(path: str, period: Period, today: dt.date) -> tuple[dict[int, Figures], list[Week]]:
    anchor = period.start - dt.timedelta(days=period.start.weekday())
    done_date = kpi.completed_local_date_sql()
    scope, scope_args = kpi.scope_sql(unit_path=path)
    extra, extra_args = _prefilter(period)
    start, end = kpi.date_param(period.start), kpi.date_param(period.end)
    sql = (
        "WITH p AS ("
        f" SELECT t.lead_unit AS unit, {kpi.bucket_sql()} AS bucket,"
        f" CASE WHEN t.deadline >= {{}} AND t.deadline <= {{}} THEN {week_sql('t.deadline', anchor)} END AS dwk,"
        f" CASE WHEN t.state = 'done' AND {done_date} >= {{}} AND {done_date} <= {{}}"
        f" THEN {week_sql(done_date, anchor)} END AS cwk"
        f" FROM tasks t WHERE {scope} AND {kpi.period_sql()} AND {kpi.COUNTED_STATES_SQL}{extra})"
        " SELECT 'u' AS kind, unit AS k, bucket, COUNT(*) AS n FROM p GROUP BY unit, bucket"
        " UNION ALL SELECT 'w' AS kind, dwk AS k, bucket, COUNT(*) AS n FROM p"
        " WHERE dwk IS NOT NULL GROUP BY dwk, bucket"
        " UNION ALL SELECT 'w' AS kind, cwk AS k, bucket, COUNT(*) AS n FROM p"
        " WHERE cwk IS NOT NULL AND (dwk IS NULL OR dwk <> cwk) GROUP BY cwk, bucket"
    )
    args = [kpi.date_param(today), start, end, start, end, *scope_args, *_dates(period), *extra_args]
    weeks = _empty_weeks(period)
    return _fill(await Task.raw(sql, *args), weeks), weeks


async def figures_by_lead_unit(path: str, period: Period, today: dt.date) -> dict[int, Figures]:
    return (await grouped(path, period, today))[0]


async def weekly(path: str, period: Period, today: dt.date) -> list[Week]:
    return (await grouped(path, period, today))[1]


async def figures_by_person(
    path: str, period: Period, today: dt.date, within_path: str, *, direct: bool = False
) -> dict[int, Figures]:
    """kpi.figures(person_id=p, within_path=within_path) for every person whose unit is in `path`: one query of the
    people's kept counts (server.kpi.people_counts) once they are built, else (or with `direct`) of their tasks;
    tests/api/dashboard/test_people_kept.py compares the two."""
    if not direct and await people_counts.usable(period.start, period.end):
        found = await people_counts.figures(period.start, period.end, today=today, people_path=path,
                                            within_path=within_path)
        return {person: Figures(**{b: n for b, n in buckets.items() if b in BUCKETS})
                for person, buckets in found.items()}
    return await figures_by_person_from_tasks(path, period, today, within_path)


async def person_weeks(person_id: int, within_path: str, period: Period, today: dt.date) -> list[Week]:
    """One person's figures per week (Monday to Sunday, clipped to the period), as their row in the people table
    counts them: from the people's kept counts in one query once they are built, else counted week by week."""
    weeks = _empty_weeks(period)
    if await people_counts.usable(period.start, period.end):
        for row in await people_counts.week_rows(person_id, period.start, period.end, today, within_path):
            if 0 <= int(row["k"]) < len(weeks):
                _add(weeks[int(row["k"])].figures, row["bucket"], row["n"])
        return weeks
    for week in weeks:  # a person's few tasks: one small indexed read a week (at most 53)
        week.figures = await kpi.figures(week.start, week.end, person_id=person_id, within_path=within_path,
                                         today=today)
    return weeks


async def figures_by_person_from_tasks(
    path: str, period: Period, today: dt.date, within_path: str
) -> dict[int, Figures]:
    """The people's figures counted from their tasks (before the counts are built, and the tests' reference)."""
    extra, extra_args = _prefilter(period)
    led, led_args = kpi.led_within_sql(within_path)
    sql = (
        f"SELECT ta.person AS person, {kpi.bucket_sql()} AS bucket, COUNT(DISTINCT t.id) AS n FROM tasks t"
        " JOIN task_assignees ta ON ta.task = t.id AND ta.removed_at IS NULL"
        " WHERE ta.person IN (SELECT p.id FROM people p JOIN units pu ON pu.id = p.unit WHERE pu.path LIKE {})"
        f" AND {led} AND {kpi.period_sql()} AND {kpi.COUNTED_STATES_SQL}{extra} GROUP BY 1, 2"
    )
    result: dict[int, Figures] = {}
    args = [kpi.date_param(today), f"{path}%", *led_args, *_dates(period), *extra_args]
    for row in await Task.raw(sql, *args):
        _add(result.setdefault(row["person"], Figures()), row["bucket"], row["n"])
    return result
