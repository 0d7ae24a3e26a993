"""Machine keys: made by an admin and shown once, kept hashed, listed without the secret, scoped, limited in
rate per key, revoked at once."""

from __future__ import annotations

import datetime as dt
import hashlib

from server.lib import clock
from server.machine.tables import MachineKey
from tests.api.machine.helpers import import_files, make_key, metadata, system
from tests.factories import make_jurisdiction, unique


async def test_a_key_is_shown_once_kept_hashed_listed_without_it_and_revoked_at_once(j, client_for) -> None:
    made = await make_key(client_for, j, ["tasks:read", "directives:write"])
    key = made["key"]
    assert key.startswith("dh_") and len(key) > 40
    assert made["scopes"] == ["directives:write", "tasks:read"] and made["unit_id"] == j.root.id  # the root: default
    row = await MachineKey.select().where(MachineKey.id == made["id"]).first()
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(row.values())
    admin = await client_for(j.admin)
    listed = await admin.get("/api/v1/machine-keys")
    assert listed.status_code == 200
    assert key not in listed.text and row["key_hash"] not in listed.text
    mine = next(k for k in listed.json() if k["id"] == made["id"])
    assert mine["prefix"] == key[:8] and mine["active"] and mine["last_used_at"] is None

    sender = await system(client_for, key)
    used = await sender.post("/api/v1/import/directives", files=import_files(metadata(j, unique("1/CT-"))))
    assert used.status_code == 201, used.text
    mine = next(k for k in (await admin.get("/api/v1/machine-keys")).json() if k["id"] == made["id"])
    assert mine["last_used_at"] is not None

    revoked = await admin.delete(f"/api/v1/machine-keys/{made['id']}")
    assert revoked.status_code == 200 and revoked.json()["active"] is False and revoked.json()["revoked_at"]
    refused = await sender.post("/api/v1/import/directives", files=import_files(metadata(j, unique("2/CT-"))))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "machine_key_invalid"


async def test_bad_keys_are_401_and_a_missing_scope_403(j, client_for) -> None:
    files = import_files(metadata(j, unique("3/CT-")))
    for header in ({}, {"Authorization": "Bearer dh_not-a-key"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        anyone = await client_for(None, headers={**header, "X-Requested-With": "e-office"})
        answer = await anyone.post("/api/v1/import/directives", files=files)
        assert answer.status_code == 401, answer.text
        assert answer.headers["www-authenticate"].startswith("Bearer")
    # A person's session is no key either.
    leader = await client_for(j.leader)
    assert (await leader.post("/api/v1/import/directives", files=files)).status_code == 401
    reader = await system(client_for, (await make_key(client_for, j, ["tasks:read"]))["key"])
    # A changing call without the API's header is refused, as every changing call of the API.
    bare = await client_for(None, headers={"Authorization": reader.headers["Authorization"]})
    assert (await bare.post("/api/v1/import/directives", files=files)).json()["error"]["code"] == "api_header_missing"
    answer = await reader.post("/api/v1/import/directives", files=files, headers={"Accept-Language": "en"})
    assert answer.status_code == 403, answer.text
    assert answer.json()["error"]["code"] == "machine_scope_missing"
    assert "directives:write" in answer.json()["error"]["message"]
    vi = await reader.post("/api/v1/import/directives", files=files)
    assert vi.json()["error"]["message"] == "Khoá API này không có quyền directives:write"
    assert (await reader.get("/api/v1/machine/reports")).status_code == 403
    assert (await reader.get("/api/v1/import/directives/2147483647")).status_code == 404


async def test_each_key_is_limited_in_rate_on_its_own(j, client_for) -> None:
    slow = await system(client_for, (await make_key(client_for, j, ["reports:read"], rate_per_minute=3))["key"])
    other = await system(client_for, (await make_key(client_for, j, ["reports:read"], rate_per_minute=3))["key"])
    statuses = [(await slow.get("/api/v1/machine/reports", params={"limit": 1})).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = await slow.get("/api/v1/machine/reports")
    assert limited.json()["error"]["code"] == "machine_key_rate_limited"
    assert 1 <= limited.json()["error"]["details"]["retry_after"] <= 60
    assert limited.headers["retry-after"] == str(limited.json()["error"]["details"]["retry_after"])
    assert (await other.get("/api/v1/machine/reports")).status_code == 200


async def test_a_keys_rate_window_follows_the_servers_clock(j, client_for) -> None:
    """The minute is the server's clock's (server.lib.clock), which the tests and faketime move: a minute later
    on that clock, the key may ask again."""
    start = clock.now()
    clock.freeze(start)
    try:
        sender = await system(client_for, (await make_key(client_for, j, ["reports:read"], rate_per_minute=2))["key"])
        statuses = [(await sender.get("/api/v1/machine/reports", params={"limit": 1})).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        clock.freeze(start + dt.timedelta(seconds=30))
        assert (await sender.get("/api/v1/machine/reports", params={"limit": 1})).status_code == 429
        clock.freeze(start + dt.timedelta(seconds=61))
        assert (await sender.get("/api/v1/machine/reports", params={"limit": 1})).status_code == 200
    finally:
        clock.freeze(None)


async def test_only_the_admin_manages_keys_of_their_own_jurisdiction(j, client_for) -> None:
    made = await make_key(client_for, j, ["tasks:read"], unit_id=j.dept.id)
    assert made["unit_id"] == j.dept.id
    for person in (j.leader, j.head, j.officer):
        client = await client_for(person)
        assert (await client.get("/api/v1/machine-keys")).status_code == 403
        assert (await client.delete(f"/api/v1/machine-keys/{made['id']}")).status_code == 403
    stranger = await client_for((await make_jurisdiction()).admin)
    assert made["id"] not in [k["id"] for k in (await stranger.get("/api/v1/machine-keys")).json()]
    assert (await stranger.delete(f"/api/v1/machine-keys/{made['id']}")).status_code == 404
    admin = await client_for(j.admin)
    bad = await admin.post("/api/v1/machine-keys", json={"name": "X", "scopes": ["tasks:write"]})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "machine_scope_unknown"
    foreign_unit = await admin.post("/api/v1/machine-keys", json={
        "name": "X", "scopes": ["tasks:read"], "unit_id": (await make_jurisdiction()).root.id})
    assert foreign_unit.status_code == 404


async def test_a_key_of_a_department_gives_tasks_to_that_department_only(j, client_for) -> None:
    sender = await system(client_for, (await make_key(client_for, j, ["directives:write"], unit_id=j.dept.id))["key"])
    answer = await sender.post("/api/v1/import/directives", files=import_files(metadata(j, unique("4/CT-"))))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "unit_code_outside_scope"
    assert answer.json()["error"]["details"]["unit_codes"] == [j.other_dept.code]
