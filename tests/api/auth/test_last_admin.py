"""Issue 13, finding 7: the last active administrator of a jurisdiction cannot be deactivated or demoted, by
themself or by another, and is told why in their language."""

from __future__ import annotations

from typing import Any

from tests.factories import make_jurisdiction, make_person


async def test_the_last_administrator_stays(j: Any, client_for: Any) -> None:
    admin = await client_for(j.admin)
    for change in ({"active": False}, {"role": "leader"}):
        refused = await admin.patch(f"/api/v1/people/{j.admin.id}", json=change)
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "last_administrator"
        assert error["message"].startswith("Đây là quản trị viên cuối cùng")
    english = await admin.patch(f"/api/v1/people/{j.admin.id}?lang=en", json={"active": False})
    assert english.json()["error"]["message"].startswith("This is the jurisdiction's last administrator")
    assert (await admin.get("/api/v1/auth/me")).json()["role"] == "admin"  # nothing changed

    # With a second administrator, either may go; then the one left is the last.
    second = await make_person(j.root, role="admin", full_name="Võ Thị Quản")
    second_client = await client_for(second)
    assert (await second_client.patch(f"/api/v1/people/{j.admin.id}", json={"role": "officer"})).status_code == 200
    for change in ({"active": False}, {"role": "officer"}):
        refused = await second_client.patch(f"/api/v1/people/{second.id}", json=change)
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "last_administrator"
    # Other changes to the last administrator (a new password) are allowed.
    ok = await second_client.patch(f"/api/v1/people/{second.id}", json={"password": "mat-khau-quan-tri-2"})
    assert ok.status_code == 200, ok.text


async def test_another_jurisdictions_administrator_does_not_count(j: Any, client_for: Any) -> None:
    elsewhere = await make_jurisdiction()
    assert elsewhere.admin.id != j.admin.id
    refused = await (await client_for(j.admin)).patch(f"/api/v1/people/{j.admin.id}", json={"active": False})
    assert refused.status_code == 409
