"""The dashboard's figures: the seed's 77 % / 50 %, rows that agree with kpi.figures, drill-downs that match."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from server.dashboard import charts, excel, rows, services
from server.directives import services as directives
from server.kpi import services as kpi
from server.kpi.services import BUCKETS, Figures
from server.lib import clock
from server.lib.errors import Invalid, NotFound
from server.lib.i18n import format_percent
from server.tasks.tables import Task
from tests.unit.dashboard.seed_data import END, EXPECTED, START, TODAY, World, build


@pytest.fixture(scope="module")
async def world() -> World:
    return await build()


def _counts(f: Figures) -> dict[str, int]:
    return {b: getattr(f, b) for b in BUCKETS}


async def _board(world: World, actor=None, **kw) -> services.Dashboard:  # type: ignore[no-untyped-def]
    return await services.dashboard(actor or world.j.leader, period="month", start=START, today=TODAY, **kw)


async def test_the_seed_figure(world: World) -> None:
    board = await _board(world)
    assert board.period == services.Period("month", START, END)
    assert _counts(board.totals) == EXPECTED
    assert board.totals.total == 100
    assert board.totals.completion_rate == pytest.approx(0.77)
    assert board.totals.on_time_rate == pytest.approx(0.50)
    assert format_percent(board.totals.completion_rate) == "77%"
    assert format_percent(board.totals.on_time_rate) == "50%"
    assert board.totals == await kpi.figures(START, END, unit_path=world.j.root.path, today=TODAY)


async def test_unit_rows_sum_to_the_total_and_agree_with_kpi(world: World) -> None:
    board = await _board(world)
    # Every unit under the committee has its row, the one-stop desk too (it leads no task): in Vietnamese order.
    one_stop = world.j.extra["one_stop"]
    assert [row.id for row in board.units] == [one_stop.id, world.j.dept.id, world.j.other_dept.id]
    assert board.own is not None and board.own.id == world.j.root.id
    summed = Figures()
    for row in [board.own, *board.units]:
        for b in BUCKETS:
            setattr(summed, b, getattr(summed, b) + getattr(row.figures, b))
    assert summed == board.totals
    for row in board.units:
        path = {world.j.dept.id: world.j.dept.path, world.j.other_dept.id: world.j.other_dept.path,
                one_stop.id: one_stop.path}[row.id]
        assert row.figures == await kpi.figures(START, END, unit_path=path, today=TODAY)
    # The xlsx/print table: own row first, then the sub-units; they sum to the totals row.
    table = excel.unit_table_rows(board)
    assert sum(r.figures.total for r in table) == board.totals.total == 100


async def test_people_rows_agree_with_kpi(world: World) -> None:
    board = await _board(world)
    people = {row.id: row for row in board.people}
    j = world.j
    assert set(people) == {j.officer.id, j.officer2.id, j.other_officer.id, j.head.id}
    for person_id, row in people.items():
        assert row.figures == await kpi.figures(START, END, person_id=person_id, today=TODAY), row.name
    # The officer's subtasks count for them (6 overdue subtasks), never for a unit.
    assert people[j.officer.id].figures.in_progress_overdue >= 6
    # Every counted task has at least one holder, so the people's tasks cover the scope's.
    assert sum(r.figures.total for r in board.people) >= board.totals.total


async def test_weeks_agree_with_kpi(world: World) -> None:
    board = await _board(world)
    assert board.weeks[0].start == START and board.weeks[-1].end == END
    assert [w.start.weekday() for w in board.weeks[1:]] == [0] * (len(board.weeks) - 1)
    for week in board.weeks:
        assert week.figures == await kpi.figures(week.start, week.end, unit_path=world.j.root.path, today=TODAY)


async def test_every_drilldown_count_equals_its_list(world: World) -> None:
    board = await _board(world)
    leader = world.j.leader
    targets: list[tuple[dict, Figures]] = [({"unit_id": None}, board.totals)]
    targets += [({"unit_id": row.id}, row.figures) for row in board.units]
    targets += [({"unit_id": board.own.id, "own": True}, board.own.figures)] if board.own else []
    targets += [({"person_id": row.id}, row.figures) for row in board.people]
    for args, figures in targets:
        for bucket in (*BUCKETS, None):
            expected = figures.total if bucket is None else getattr(figures, bucket)
            result = await services.drilldown(leader, bucket=bucket, start=START, end=END, today=TODAY, limit=500,
                                              **args)
            assert result["count"] == expected == len(result["items"]), (args, bucket)
            if bucket is not None:
                assert len({item["id"] for item in result["items"]}) == expected


async def test_overdue_list_names_who_holds_it(world: World) -> None:
    board = await _board(world)
    assert len(board.overdue) == board.totals.in_progress_overdue == 8
    assert board.overdue[0]["days_late"] == 10  # deadline 10/03, today 20/03
    assert all(item["holders"] for item in board.overdue)
    late = [item["days_late"] for item in board.overdue]
    assert late == sorted(late, reverse=True)


async def test_the_overdue_list_is_the_same_read_by_its_units_or_along_the_deadlines(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    by_units = [await _board(world), await _board(world, actor=world.j.head)]
    monkeypatch.setattr(rows, "SMALL_SCOPE", 0)  # every scope as the province's: its open tasks walked by deadline
    along_deadlines = [await _board(world), await _board(world, actor=world.j.head)]
    for small, large in zip(by_units, along_deadlines, strict=True):
        assert small.overdue and small.overdue == large.overdue


async def test_unit_head_sees_only_their_subtree(world: World) -> None:
    j = world.j
    board = await _board(world, actor=j.head)
    assert board.scope.id == j.dept.id
    assert board.totals == await kpi.figures(START, END, unit_path=j.dept.path, today=TODAY)
    assert [row.id for row in board.units] == [j.dept_sub.id]
    with pytest.raises(NotFound):
        await _board(world, actor=j.head, unit_id=j.other_dept.id)
    with pytest.raises(NotFound):
        await _board(world, unit_id=world.j2.root.id)
    with pytest.raises(NotFound):
        await services.drilldown(j.head, person_id=j.other_officer.id, start=START, end=END, today=TODAY)
    narrowed = await _board(world, unit_id=j.dept_sub.id)
    assert narrowed.scope.id == j.dept_sub.id and narrowed.units == []


async def test_sorting_by_on_time_rate(world: World) -> None:
    board = await _board(world, sort="-on_time")
    rates = [row.figures.on_time_rate for row in board.units if row.figures.on_time_rate is not None]
    assert rates == sorted(rates, reverse=True)
    board = await _board(world, sort="on_time")
    rates = [row.figures.on_time_rate for row in board.units if row.figures.on_time_rate is not None]
    assert rates == sorted(rates)


async def _rollup_by_hand(directive_id: int, today: dt.date) -> dict[str, Any]:
    """The roll-up's definition, computed row by row in Python, independently of the SQL."""
    rows = await Task.select(Task.state, Task.deadline, Task.completed_at).where(
        (Task.directive == directive_id) & Task.parent.is_null()
    )
    by_state: dict[str, int] = {}
    for row in rows:
        by_state[row["state"]] = by_state.get(row["state"], 0) + 1
    done = by_state.get("done", 0)
    counted = sum(n for state, n in by_state.items() if state not in ("cancelled", "draft"))
    open_states = ("assigned", "in_progress", "submitted", "returned")
    return {
        "total": len(rows), "by_state": by_state, "done": done,
        "share_done": round(done / counted, 4) if counted else None,
        "overdue": sum(1 for r in rows if r["state"] in open_states and r["deadline"] and r["deadline"] < today),
        "done_late": sum(1 for r in rows if r["state"] == "done" and r["deadline"] and r["completed_at"]
                         and clock.local_date(r["completed_at"]) > r["deadline"]),
    }


async def test_directive_rollups_match_their_definition(world: World) -> None:
    rows = await services.directive_rollups(world.j.leader, today=TODAY)
    mine = {row["id"]: row for row in rows if row["id"] in world.directive_ids}
    assert set(mine) == set(world.directive_ids)
    for directive_id, row in mine.items():
        expected = await _rollup_by_hand(directive_id, TODAY)
        roll = row["rollup"]
        assert {key: roll[key] for key in expected} == expected
        assert roll["overdue"] == len(roll["late_tasks"])
        # The directive's own page counts the same tasks (a leader's desk holds the whole jurisdiction).
        page = await directives.rollup(directive_id)
        assert (page["total"], page["by_state"], page["done"]) == (roll["total"], roll["by_state"], roll["done"])
    only = await services.directive_rollups(world.j.leader, kind="meeting_conclusion", today=TODAY)
    assert {row["kind"] for row in only} == {"meeting_conclusion"}
    signed = await services.directive_rollups(world.j.leader, signer="Nguyễn Văn Phó", today=TODAY)
    assert {row["signer"] for row in signed} == {"Nguyễn Văn Phó"}
    # By date: both directives were issued on 20/02/2026.
    issued = dt.date(2026, 2, 20)

    async def mine_between(start: dt.date | None, end: dt.date | None) -> set[int]:
        rows = await services.directive_rollups(world.j.leader, start=start, end=end, today=TODAY)
        assert all((start is None or r["issued_on"] >= start) and (end is None or r["issued_on"] <= end)
                   for r in rows)
        return {r["id"] for r in rows} & set(world.directive_ids)

    assert await mine_between(issued, issued) == set(world.directive_ids)
    assert await mine_between(issued + dt.timedelta(days=1), None) == set()
    assert await mine_between(None, issued - dt.timedelta(days=1)) == set()
    # The filters combine.
    both = await services.directive_rollups(world.j.leader, signer="Nguyễn Văn Phó", kind="document", today=TODAY)
    assert not {r["id"] for r in both} & set(world.directive_ids)
    head_rows = await services.directive_rollups(world.j.head, today=TODAY)
    for row in head_rows:
        assert row["rollup"]["total"] <= mine[row["id"]]["rollup"]["total"]


async def test_a_unit_heads_directives_are_found_past_newer_ones_of_other_units(world: World) -> None:
    from server.directives.tables import Directive
    from tests.factories import unique

    head_ids = {row["id"] for row in await services.directive_rollups(world.j.head, today=TODAY)}
    assert head_ids & set(world.directive_ids)
    # A newer directive that gives the head's units nothing: the limit must not spend itself on it.
    await Directive.insert(Directive(
        number=f"20/CT-UBND-{unique('')}", issued_on=dt.date(2026, 3, 15), signer="Trần Thị Lãnh Đạo",
        issuing_body="UBND xã", kind="document", title="Chỉ đạo của phòng khác", unit=world.j.root.id,
        created_at=dt.datetime.now(dt.UTC)))
    [newest_of_mine] = await services.directive_rollups(world.j.head, today=TODAY, limit=1)
    assert newest_of_mine["id"] in head_ids and newest_of_mine["rollup"]["total"] > 0


def test_periods() -> None:
    day = dt.date(2026, 2, 18)  # a Wednesday
    period = services.Period
    assert services.resolve_period("week", today=day) == period("week", dt.date(2026, 2, 16), dt.date(2026, 2, 22))
    assert services.resolve_period(None, today=day) == period("month", dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert services.resolve_period("quarter", today=day).end == dt.date(2026, 3, 31)
    assert services.resolve_period("year", today=day).start == dt.date(2026, 1, 1)
    assert services.resolve_period("month", dt.date(2024, 2, 10)).end == dt.date(2024, 2, 29)
    custom = services.resolve_period("custom", dt.date(2026, 1, 5), dt.date(2026, 1, 9))
    assert custom.shifted(-1) == services.Period("custom", dt.date(2025, 12, 31), dt.date(2026, 1, 4))
    assert services.period_containing("quarter", day).shifted(1).start == dt.date(2026, 4, 1)
    for bad in (("custom", dt.date(2026, 1, 9), dt.date(2026, 1, 5)), ("decade", None, None), ("custom", None, None)):
        with pytest.raises(Invalid):
            services.resolve_period(*bad)


def test_trend_svg_is_light_and_well_formed() -> None:
    import xml.etree.ElementTree as ET

    monday = dt.date(2026, 3, 2)
    weeks = [services.Week(monday + dt.timedelta(days=7 * i), monday + dt.timedelta(days=7 * i + 6),
                           Figures(i, 2, 3, i % 2)) for i in range(14)]
    svg = charts.trend_svg(weeks)
    ET.fromstring(svg)
    assert len(svg) < 20_000
    assert "polyline" in svg and "viewBox" in svg
    ET.fromstring(charts.trend_svg([]))


async def test_a_unit_head_sees_a_persons_figures_for_their_units_tasks_only(world: World) -> None:
    """Issue 6, decided: a person's figures count the tasks led inside the viewer's subtree (PRODUCT.md: a unit
    head sees their unit and its sub-units). The leader sees all of them; the head of the officer's department
    does not see the tasks the commune's office or another department gave the same officer."""
    j = world.j
    leader_view = await services.drilldown(j.leader, person_id=j.officer.id, start=START, end=END, today=TODAY,
                                           limit=500)
    head_view = await services.drilldown(j.head, person_id=j.officer.id, start=START, end=END, today=TODAY,
                                         limit=500)
    everything = await kpi.figures(START, END, person_id=j.officer.id, today=TODAY)
    within = await kpi.figures(START, END, person_id=j.officer.id, within_path=j.dept.path, today=TODAY)
    assert leader_view["count"] == everything.total == len(leader_view["items"])
    assert head_view["count"] == within.total == len(head_view["items"])
    assert 0 < within.total < everything.total
    assert {item["unit_name"] for item in head_view["items"]} <= {j.dept.name, j.dept_sub.name}
    for bucket in BUCKETS:
        part = await services.drilldown(j.head, person_id=j.officer.id, bucket=bucket, start=START, end=END,
                                        today=TODAY, limit=500)
        assert part["count"] == getattr(within, bucket) == len(part["items"])
    # The head's dashboard shows the same figures in the officer's row as the drill-down lists.
    board = await _board(world, actor=j.head)
    row = next(r for r in board.people if r.id == j.officer.id)
    assert row.figures == within
    board = await _board(world)
    assert next(r for r in board.people if r.id == j.officer.id).figures == everything


async def test_a_province_sized_people_table_is_a_page_of_its_own(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "PEOPLE_INLINE_MAX", 2)
    board = await _board(world)
    assert board.people == [] and not board.people_inline and board.people_total >= 4
    page = await services.people_page(world.j.leader, period="month", start=START, today=TODAY, limit=2)
    full = await _board(world, all_people=True)
    assert page["count"] == len(full.people) and [r.id for r in page["rows"]] == [r.id for r in full.people[:2]]
    assert [r.figures for r in page["rows"]] == [r.figures for r in full.people[:2]]
