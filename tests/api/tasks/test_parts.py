"""Issue 10, points 4 and 5: a part carries its parent's context to its officer, and the parent follows its parts.

The people are where a commune puts them (tests.factories.make_jurisdiction): the report is accepted for the
department, its head splits it to an officer of the department's sub-unit, who may not open the parent.
"""

from __future__ import annotations

from typing import Any

from server.reports.services import accept
from tests.factories import jpeg, make_task, report_progress
from tests.unit.reports.helpers import has_metadata, make_category, make_report


async def _report(client: Any, task_id: int, note: str, percent: int | None = None,
                  colour: tuple[int, int, int] | None = None) -> dict[str, Any]:
    return await report_progress(client, task_id, note, photo=jpeg(colour) if colour is not None else None,
                                 **({} if percent is None else {"percent": percent}))


async def _split(head: Any, parent_id: int, title: str, officer_id: int, unit_id: int) -> dict[str, Any]:
    r = await head.post(f"/api/v1/tasks/{parent_id}/subtasks",
                        json={"title": title, "assignee_ids": [officer_id], "lead_unit_id": unit_id})
    assert r.status_code == 201, r.text
    return r.json()


async def test_a_parts_officer_sees_the_parents_place_and_photos_and_nothing_more(j, client_for) -> None:
    category = await make_category(j, unit=j.dept)
    report = await make_report(category, description="Cống thoát nước bị tắc trước chợ Hoài Hương")
    accepted = await accept(j.leader, report["id"])
    parent_id = accepted["task_id"]
    head, officer, stranger = await client_for(j.head), await client_for(j.officer), await client_for(j.officer2)
    part = await _split(head, parent_id, "Khơi thông cống trước chợ", j.officer.id, j.dept_sub.id)

    r = await officer.get(f"/api/v1/tasks/{part['id']}")
    assert r.status_code == 200, r.text
    seen = r.json()
    context = seen["parent_context"]
    assert set(context) == {"id", "title", "description", "directive"}  # no history, parts or comments
    assert "Cống thoát nước bị tắc trước chợ Hoài Hương" in context["description"]
    place = seen["citizen_report"]
    assert place["code"] == report["code"] and place["address"] == "Ấp Mỹ Thuận 1"
    assert (place["latitude"], place["longitude"]) == (10.7531, 106.6702)
    assert place["map_url"].startswith("https://www.openstreetmap.org/?mlat=10.7531&mlon=106.6702")
    [photo] = place["photos"]

    thumb = await officer.get(photo["thumb_url"])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    display = await officer.get(photo["display_url"])
    assert display.status_code == 200 and not has_metadata(display.content)  # the stripped copy, never the original

    # The parent itself stays closed to the part's officer: not found, as any task they may not see.
    assert (await officer.get(f"/api/v1/tasks/{parent_id}")).status_code == 404
    assert (await officer.get(f"/api/v1/tasks/{parent_id}/citizen-photos/{photo['id']}/thumb")).status_code == 404
    # Someone who works on neither sees no photo through the part.
    assert (await stranger.get(photo["thumb_url"])).status_code == 404
    # Only that report's photos go through the part's URL.
    other = await make_report(category, lat=11.0, lon=107.0)
    other_task = (await accept(j.leader, other["id"]))["task_id"]
    other_photo = (await head.get(f"/api/v1/tasks/{other_task}")).json()["citizen_report"]["photos"][0]["id"]
    assert (await officer.get(f"/api/v1/tasks/{part['id']}/citizen-photos/{other_photo}/thumb")).status_code == 404

    # The parent's page names each part's assignee.
    [card] = (await head.get(f"/api/v1/tasks/{parent_id}")).json()["subtasks"]
    assert card["assignees"] == [j.officer.full_name]


async def test_the_parent_follows_its_parts_and_its_head_is_told_when_all_are_done(j, client_for) -> None:
    head, leader = await client_for(j.head), await client_for(j.leader)
    officer, officer2 = await client_for(j.officer), await client_for(j.officer2)
    parent = await make_task(j, assignees=[j.head], lead_unit=j.dept)
    assert parent["state"] == "assigned"
    first = await _split(head, parent["id"], "Phần 1: khảo sát", j.officer.id, j.dept_sub.id)
    second = await _split(head, parent["id"], "Phần 2: thi công", j.officer2.id, j.dept.id)

    await _report(officer, first["id"], "Đã khảo sát một nửa", 50)
    seen = (await head.get(f"/api/v1/tasks/{parent['id']}")).json()
    assert seen["state"] == "in_progress" and seen["progress_percent"] == 25
    assert any(e["to_state"] == "in_progress" for e in seen["history"])

    photo = (await _report(officer, first["id"], "Khảo sát xong", 100, colour=(30, 140, 60)))["attachment"]
    assert (await officer.post(f"/api/v1/tasks/{first['id']}/transitions",
                               json={"action": "submit", "note": "Xong phần 1"})).status_code == 200
    assert (await head.post(f"/api/v1/tasks/{first['id']}/transitions", json={"action": "approve"})).status_code == 200
    assert (await head.get(f"/api/v1/tasks/{parent['id']}")).json()["progress_percent"] == 50
    assert not [n for n in (await head.get("/api/v1/inbox/")).json()["items"] if n["kind"] == "parts_done"]

    await _report(officer2, second["id"], "Thi công xong", 100)
    await officer2.post(f"/api/v1/tasks/{second['id']}/transitions", json={"action": "submit", "note": "Xong phần 2"})
    assert (await head.post(f"/api/v1/tasks/{second['id']}/transitions", json={"action": "approve"})).status_code == 200
    seen = (await head.get(f"/api/v1/tasks/{parent['id']}")).json()
    assert seen["progress_percent"] == 100 and seen["state"] == "in_progress"
    notices = [n for n in (await head.get("/api/v1/inbox/")).json()["items"] if n["kind"] == "parts_done"]
    assert len(notices) == 1 and notices[0]["link"] == f"/tasks/{parent['id']}"

    # The head submits the parent; the leader's card carries every part's latest report and photos.
    r = await head.post(f"/api/v1/tasks/{parent['id']}/transitions", json={"action": "submit", "note": "Hoàn thành"})
    assert r.status_code == 200, r.text
    [item] = [t for t in (await leader.get("/api/v1/approvals")).json() if t["id"] == parent["id"]]
    assert item["latest_report"] is None
    parts = {p["id"]: p for p in item["parts"]}
    assert parts[first["id"]]["latest_report"]["note"] == "Khảo sát xong"
    assert [a["id"] for a in parts[first["id"]]["latest_report"]["attachments"]] == [photo["id"]]
    assert parts[second["id"]]["latest_report"]["note"] == "Thi công xong"
    assert parts[second["id"]]["assignees"] == [j.officer2.full_name]
    desk = await client_for(j.leader, headers={})
    page = (await desk.get("/approvals")).text
    assert "Khảo sát xong" in page and "Thi công xong" in page and photo["thumb_url"] in page


async def test_a_cancelled_part_does_not_count(j, client_for) -> None:
    head, officer = await client_for(j.head), await client_for(j.officer)
    parent = await make_task(j, assignees=[j.head], lead_unit=j.dept)
    first = await _split(head, parent["id"], "Phần giữ lại", j.officer.id, j.dept_sub.id)
    second = await _split(head, parent["id"], "Phần bỏ đi", j.officer2.id, j.dept.id)
    await _report(officer, first["id"], "Được 80%", 80)
    assert (await head.get(f"/api/v1/tasks/{parent['id']}")).json()["progress_percent"] == 40
    r = await head.post(f"/api/v1/tasks/{second['id']}/transitions", json={"action": "cancel", "reason": "Không cần"})
    assert r.status_code == 200, r.text
    assert (await head.get(f"/api/v1/tasks/{parent['id']}")).json()["progress_percent"] == 80
