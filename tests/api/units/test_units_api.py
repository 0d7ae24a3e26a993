"""The unit list shows the caller's own jurisdiction only: another commune's organisation is not theirs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.factories import make_jurisdiction


async def test_units_are_listed_within_the_callers_jurisdiction(client_for: Callable[..., Any]) -> None:
    mine = await make_jurisdiction()
    theirs = await make_jurisdiction()
    for person in (mine.officer, mine.admin, mine.leader):
        client = await client_for(person)
        response = await client.get("/api/v1/units")
        assert response.status_code == 200, response.text
        ids = {unit["id"] for unit in response.json()}
        assert {mine.root.id, mine.dept.id, mine.dept_sub.id, mine.other_dept.id} <= ids
        assert not ids & {theirs.root.id, theirs.dept.id, theirs.other_dept.id}
        assert all(unit["path"].startswith(mine.root.path) for unit in response.json())


async def test_an_admin_manages_only_their_own_jurisdiction(client_for: Callable[..., Any]) -> None:
    mine = await make_jurisdiction()
    theirs = await make_jurisdiction()
    admin = await client_for(mine.admin)
    people = (await admin.get("/api/v1/people")).json()
    assert mine.officer.id in {p["id"] for p in people}
    assert theirs.officer.id not in {p["id"] for p in people}

    outside = await admin.post("/api/v1/units", json={
        "name": "Tổ dân phố ngoài phạm vi", "code": f"x-{theirs.root.id}", "kind": "subunit",
        "parent_id": theirs.dept.id,
    })
    assert outside.status_code == 422, outside.text
    assert outside.json()["error"]["code"] == "unit_parent_outside_scope"
    top_level = await admin.post("/api/v1/units", json={
        "name": "Một xã mới", "code": f"top-{mine.root.id}", "kind": "commune", "parent_id": None,
    })
    assert top_level.status_code == 422, top_level.text

    person = await admin.post("/api/v1/people", json={
        "username": f"nguoi-ngoai-{theirs.root.id}", "full_name": "Người Ngoài Phạm Vi", "role": "officer",
        "unit_id": theirs.dept.id, "password": "mat-khau-du-dai-1",
    })
    assert person.status_code == 422, person.text
    assert person.json()["error"]["code"] == "unit_not_found"
