"""Duplicates found by meaning and place: another neighbour's words for the same broken pipe, typed with or
without diacritics, are shown with their evidence and merged in one tap; an unrelated problem at the same spot,
and the same words far away, are not shown."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from server.forecast import duplicates, text
from server.lib.vn_text import fold
from server.reports.tables import Report
from tests.api.forecast.reports_history import article, past_report, token
from tests.factories import make_jurisdiction
from tests.unit.reports.helpers import make_category, make_report

METRE = 1 / 111_000


def spot() -> tuple[float, float]:
    """A place of this test's own: the database keeps other tests' reports, and they must not be neighbours."""
    return 10.5 + random.random(), 106.2 + random.random()


async def test_the_same_pipe_in_other_words_is_found_with_its_evidence_and_merged(client_for: Any) -> None:
    j = await make_jurisdiction()
    LAT, LON = spot()
    water = await make_category(j, unit=j.dept)
    roads = await make_category(j, unit=j.dept, name="Giao thông")
    first = await past_report(water["id"], "Vỡ ống nước ở đầu ngõ 5, nước chảy lênh láng", unit_id=j.dept.id,
                              lat=LAT, lon=LON, days_ago=1.5, status="accepted")
    # Another category ticked, no diacritics, other words: the same pipe, 60 m away.
    same = await past_report(roads["id"], "ro ri duong ong nuoc dau ngo 5", lat=LAT + 60 * METRE, lon=LON,
                             days_ago=0.2, status="new")
    unrelated = await past_report(water["id"], "Đèn đường không sáng cả tuần", lat=LAT + 20 * METRE, lon=LON,
                                  days_ago=0.5, status="accepted", unit_id=j.dept.id)
    far = await past_report(water["id"], "Vỡ ống nước ở đầu ngõ 5, nước chảy lênh láng", unit_id=j.dept.id,
                            lat=LAT + 2000 * METRE, lon=LON, days_ago=1, status="accepted")
    desk = await client_for(j.receptionist, headers={})
    queue = f"/reports/triage?category={roads['id']}"
    card = article((await desk.get(queue)).text, same["id"])
    assert "Có thể trùng lặp" in card and f"Trùng với {first['code']}" in card
    assert unrelated["code"] not in card and far["code"] not in card
    # The evidence: metres, days apart, how alike, the problem both name and the words they share.
    assert "cách 60 m" in card and "1 ngày" in card and "vỡ, rò rỉ ống nước" in card and "ngo" in card
    expected = round(text.trigram_similarity(fold("ro ri duong ong nuoc dau ngo 5"),
                                             fold("Vỡ ống nước ở đầu ngõ 5, nước chảy lênh láng")) * 100)
    # pg_trgm on PostgreSQL and the Python equivalent on SQLite give the same figure.
    assert f"giống {expected}%" in card
    english = article((await desk.get(queue + "&lang=en")).text, same["id"])
    assert "broken or leaking water pipe" in english and "60 m away" in english

    merged = await desk.post(f"/reports/triage/{same['id']}/merge", data={
        "_csrf_token": await token(desk, queue), "original": first["code"], "back": queue})
    assert merged.status_code == 303, merged.text[:300]
    row = await Report.select(Report.status, Report.duplicate_of).where(Report.id == same["id"]).first()
    assert row == {"status": "duplicate", "duplicate_of": first["id"]}


async def test_a_new_report_through_intake_finds_its_twin_and_not_its_neighbours(client_for: Any) -> None:
    j = await make_jurisdiction()
    LAT, LON = spot()
    water = await make_category(j, unit=j.dept)
    twin = await past_report(water["id"], "Bể ống cấp nước trước nhà văn hóa", lat=LAT, lon=LON, days_ago=2,
                             status="new")
    old = await past_report(water["id"], "Vỡ ống nước trước nhà văn hóa", lat=LAT, lon=LON, days_ago=90,
                            status="resolved", unit_id=j.dept.id)
    noise = await past_report(water["id"], "Karaoke ồn ào đến khuya trước nhà văn hóa", lat=LAT, lon=LON,
                              days_ago=1, status="new")
    new = await make_report(water, lat=LAT + 30 * METRE, lon=LON, description="Rò rỉ đường ống nước trước nhà văn hóa")
    found = await duplicates.candidates_for([{**new, "description": "Rò rỉ đường ống nước trước nhà văn hóa",
                                              "category": water["id"], "latitude": LAT + 30 * METRE,
                                              "longitude": LON, "received_at": dt.datetime.now(dt.UTC)}], 300, 60)
    codes = [c["code"] for c in found[0]]
    assert twin["code"] in codes and old["code"] not in codes and noise["code"] not in codes
    assert found[0][0]["score"] >= duplicates.THRESHOLD and found[0][0]["shared_concepts"] == ["vỡ, rò rỉ ống nước"]
    desk = await client_for(j.receptionist, headers={})
    card = article((await desk.get(f"/reports/triage?category={water['id']}")).text, new["id"])
    assert f"Trùng với {twin['code']}" in card and noise["code"] not in card
