"""The duplicates' candidates are bounded per report, whatever the queue page spans: a province's page with
reports a hundred kilometres apart reads only what lies within each report's own radius, and a street with a
flood of reports scores the nearest in time only (duplicates.MAX_CANDIDATES)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from server.forecast import duplicates
from server.forecast.tables import RoutingModel
from server.lib import clock
from tests.api.forecast.reports_history import past_report
from tests.factories import make_jurisdiction
from tests.unit.reports.helpers import make_category

METRE = 1 / 111_000


def _as_new(report: dict[str, Any], description: str, category: int, lat: float, lon: float) -> dict[str, Any]:
    return {**report, "description": description, "category": category, "latitude": lat, "longitude": lon,
            "received_at": clock.now()}


@pytest.fixture
def rows_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many rows each candidates' query returned."""
    counts: list[int] = []
    original = RoutingModel.raw

    class Counted:
        def __init__(self, query: Any) -> None:
            self.query = query

        def __await__(self) -> Any:
            rows = yield from self.query.__await__()
            counts.append(len(rows))
            return rows

    monkeypatch.setattr(RoutingModel, "raw", classmethod(lambda cls, sql, *args: Counted(original(sql, *args))))
    return counts


async def test_a_province_wide_page_reads_each_reports_neighbours_only(rows_read: list[int]) -> None:
    j = await make_jurisdiction()
    water = await make_category(j, unit=j.dept)
    north = (20.0 + random.random(), 105.5 + random.random())  # two communes a few hundred kilometres apart
    south = (north[0] - 9.5, north[1] + 1.0)
    pipe = "Vỡ ống nước ở đầu ngõ 5, nước chảy lênh láng"
    twins = [await past_report(water["id"], pipe, lat=lat + 40 * METRE, lon=lon, days_ago=1, status="new")
             for lat, lon in (north, south)]
    # Between them, inside the box one rectangle around the whole page would draw, and a few metres beyond the
    # radius of each: none of these is read.
    for k in range(6):
        await past_report(water["id"], pipe, lat=north[0] - (k + 1) * 1.3, lon=north[1] + 0.15 * k, days_ago=1,
                          status="new")
    for lat, lon in (north, south):
        await past_report(water["id"], pipe, lat=lat + 320 * METRE, lon=lon, days_ago=1, status="new")
    page = [_as_new(await past_report(water["id"], pipe, lat=lat, lon=lon, days_ago=0, status="new"), pipe,
                    water["id"], lat, lon) for lat, lon in (north, south)]
    found = await duplicates.candidates_for(page, 300, 60)
    assert [[c["code"] for c in f] for f in found] == [[twins[0]["code"]], [twins[1]["code"]]]
    assert rows_read == [2]  # one query, one row per report: its twin


async def test_a_flooded_street_scores_the_nearest_in_time_only(rows_read: list[int]) -> None:
    j = await make_jurisdiction()
    water = await make_category(j, unit=j.dept)
    lat, lon = 12.0 + random.random(), 107.0 + random.random()
    # A flooded street: many older reports of the same water, and the report of an hour ago among them.
    for k in range(duplicates.MAX_CANDIDATES + 10):
        await past_report(water["id"], "Ngập nước sau mưa lớn, nước tràn vào nhà", lat=lat + (k % 7) * METRE * 20,
                          lon=lon, days_ago=10 + k * 0.5, status="accepted")
    recent = await past_report(water["id"], "Đường ngập sâu sau mưa, nước tràn vào nhà dân", lat=lat, lon=lon,
                               days_ago=1 / 24, status="new")
    new = await past_report(water["id"], "Ngập nước sau mưa, nước tràn vào nhà", lat=lat, lon=lon, days_ago=0)
    [found] = await duplicates.candidates_for(
        [_as_new(new, "Ngập nước sau mưa, nước tràn vào nhà", water["id"], lat, lon)], 300, 60)
    assert rows_read == [duplicates.MAX_CANDIDATES]
    assert found[0]["code"] == recent["code"] and len(found) == 5


def test_each_text_is_read_once_and_judged_as_before() -> None:
    a, b = "Vỡ ống nước đầu ngõ 5", "ro ri duong ong nuoc dau ngo 5"
    read_a, read_b = duplicates.words_of(a), duplicates.words_of(b)
    assert read_a.folded == "vo ong nuoc dau ngo 5" and read_a.concepts == {"ong_nuoc"}
    assert duplicates.judge_words(read_a, read_b, False, 1, 0.8) == duplicates.judge(a, b, False, 1, 0.8)
