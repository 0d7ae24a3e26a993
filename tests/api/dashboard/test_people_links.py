"""Each name in the dashboard's people table leads to that person's own figures (`/dashboard?person_id=`), only
for people of the viewer's subtree; and people are listed the Vietnamese way: by given name, Đ after D."""

from __future__ import annotations

import html
import re

from server.kpi.services import BUCKETS
from tests.api.dashboard.conftest import QUERY
from tests.factories import make_person
from tests.unit.dashboard.seed_data import World

FIGURES = (*BUCKETS, "total")


def person_links(page: str) -> dict[int, tuple[str, str]]:
    """person id → (href, name) of the names in the people table."""
    found = re.findall(r'<a href="([^"]*)" data-person="(\d+)">([^<]+)</a>', page)
    return {int(pid): (html.unescape(href), name) for href, pid, name in found}


async def test_names_lead_to_their_own_figures(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    j = world.j
    leader = await client_for(j.leader)
    data = (await leader.get(f"/api/v1/dashboard?{QUERY}")).json()
    rows = {row["id"]: row for row in data["people"]}
    page = (await leader.get(f"/dashboard?{QUERY}")).text
    links = person_links(page)
    assert set(links) == set(rows) and len(rows) == 4
    for person_id, (href, name) in links.items():
        assert href.startswith("/dashboard?") and f"person_id={person_id}" in href and "start=2026-03-01" in href
        assert name == rows[person_id]["name"]
        own = await leader.get(href)
        assert own.status_code == 200, href
        # The person's page: their name as the title, their figures equal to their row in the table.
        assert f'<h1 data-person="{person_id}">{name}</h1>' in own.text
        twin = (await leader.get(f"/api/v1/dashboard?{QUERY}&person_id={person_id}")).json()
        assert twin["person"]["id"] == person_id and twin["person"]["full_name"] == name
        assert {k: twin["totals"][k] for k in FIGURES} == {k: rows[person_id][k] for k in FIGURES}
        assert sum(w["total"] for w in twin["weeks"]) >= twin["totals"]["total"] > 0
        assert len(twin["overdue"]) == twin["totals"]["in_progress_overdue"]
        # Its figures open that person's tasks, with the same counts.
        drills = re.findall(r'href="(/dashboard/tasks\?[^"]+)"[^>]*data-bucket="(\w+)" data-count="(\d+)"', own.text)
        assert drills and all(f"person_id={person_id}" in h for h, _b, _n in drills)
        for href_drill, bucket, count in drills[:5]:
            drill = (await leader.get(html.unescape(href_drill))).text
            assert re.search(rf'class="dash-count" data-count="{count}"', drill), (bucket, count)
        # No unit table, no people table on a person's page.
        assert 'data-table="units"' not in own.text and 'data-table="people"' not in own.text
    english = await leader.get(f"/dashboard?{QUERY}&person_id={j.officer.id}&lang=en")
    assert "Tasks led by units within your scope" in english.text


async def test_a_unit_head_opens_only_people_of_their_subtree(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    j = world.j
    head = await client_for(j.head)
    assert (await head.get(f"/dashboard?{QUERY}&person_id={j.officer.id}")).status_code == 200
    assert (await head.get(f"/api/v1/dashboard?{QUERY}&person_id={j.officer.id}")).status_code == 200
    for person in (j.other_officer, j.leader, world.j2.officer):
        assert (await head.get(f"/dashboard?{QUERY}&person_id={person.id}")).status_code == 404, person.full_name
        assert (await head.get(f"/api/v1/dashboard?person_id={person.id}")).status_code == 404
    leader = await client_for(j.leader)
    assert (await leader.get(f"/dashboard?person_id={world.j2.officer.id}")).status_code == 404
    officer = await client_for(j.officer)
    assert (await officer.get(f"/dashboard?person_id={j.officer.id}")).status_code == 403


async def test_people_by_given_name_with_vietnamese_collation(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    j = world.j
    leader = await client_for(j.leader)
    # The seed's assignees: Phạm Văn Cán, Võ Thị Bộ, Bùi Thị Ngoài, Lê Văn Trưởng: by given name Bộ, Cán, Ngoài,
    # Trưởng (by family name, diacritics stripped, it would be Bùi, Lê, Phạm, Võ).
    data = (await leader.get(f"/api/v1/dashboard?{QUERY}")).json()
    assert [row["name"] for row in data["people"]] == ["Võ Thị Bộ", "Phạm Văn Cán", "Bùi Thị Ngoài", "Lê Văn Trưởng"]
    page = (await leader.get(f"/dashboard?{QUERY}")).text
    assert [name for _href, name in person_links(page).values()] == [row["name"] for row in data["people"]]
    # Everyone's list (the admin's, the assignee pickers' API): Đ after D, tones second (Đào before Đạo).
    await make_person(j.dept, "officer", "Dương Thị Đào")
    await make_person(j.dept, "officer", "Đinh Văn Dung")
    admin = await client_for(j.admin)
    listed = (await admin.get("/api/v1/people")).json()
    assert [p["full_name"] for p in listed] == [
        "Võ Thị Bộ", "Phạm Văn Cán", "Đinh Văn Dung", "Dương Thị Đào", "Trần Thị Lãnh Đạo", "Đặng Văn Khác",
        "Bùi Thị Ngoài", "Ngô Tiếp Nhận", "Hồ Quản Trị", "Lê Văn Trưởng"]
    desk = (await admin.get("/admin/people", headers={"accept": "text/html"})).text
    cards = desk[desk.index('<ul class="cards">'):]
    order = [cards.find(f"<strong>{p['full_name']}</strong>") for p in listed]
    assert -1 not in order and order == sorted(order)
