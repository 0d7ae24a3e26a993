"""The access matrix rows of machine access (server/machine): the admin's keys, and the routes other systems call
with a key instead of a session.

The keys are the admin's, over their own jurisdiction ("other_jurisdiction": a second commune's key, 404).
The routes a system calls take no session at all: every person, signed in or not, gets 401 there. On those
rows the "admin" column is a system holding a key the admin of the commune made (with the route's scope), which
is who may use them; tests/api/machine tests the keys themselves (revoked, other scopes, rate).
"""

from __future__ import annotations

import datetime as dt
import json

import httpx

from server.lib import clock
from tests.api.access.clients import API_HEADERS
from tests.api.access.requests import Call, builds
from tests.api.access.statuses import everyone, only
from tests.api.access.world import OTHER_JURISDICTION, OWN, World
from tests.factories import Jurisdiction, unique


def _system_row(status: int) -> dict[str, int]:
    return {**everyone(401), "admin": status}


EXPECTED = {
    "GET /api/v1/machine-keys": {"-": only(200, "admin")},
    "POST /api/v1/machine-keys": {"-": only(201, "admin")},
    "DELETE /api/v1/machine-keys/{key_id}": {OWN: only(200, "admin"), OTHER_JURISDICTION: only(404, "admin")},
    "POST /api/v1/import/directives": {"-": _system_row(201)},
    "GET /api/v1/import/directives/{directive_id}": {OWN: _system_row(200), OTHER_JURISDICTION: _system_row(404)},
    "GET /api/v1/machine/reports": {"-": _system_row(200)},
}


async def _key(j: Jurisdiction, scopes: list[str]) -> str:
    from server.machine import keys

    made = await keys.create_key(j.admin, name=unique("Hệ thống "), scopes=scopes, rate_per_minute=keys.MAX_RATE)
    return str(made["key"])


async def _as(w: World, actor: str, scopes: list[str]) -> httpx.AsyncClient:
    """The admin's column: a system with a fresh key of the commune; anyone else: their own client."""
    if actor != "admin":
        return w.client(actor)
    return w.clients.anonymous(headers={**API_HEADERS, "Authorization": f"Bearer {await _key(w.j, scopes)}"})


def _files(j: Jurisdiction) -> dict[str, tuple[str | None, str, str]]:
    later = (clock.today_vn() + dt.timedelta(days=20)).isoformat()
    meta = {"issuing_body": "UBND xã", "number": unique("99/CT-"), "issued_on": clock.today_vn().isoformat(),
            "title": "Chỉ thị thử quyền truy cập", "signer": "Trần Thị Lãnh Đạo",
            "tasks": [{"title": "Việc thử", "lead_unit": j.dept.code, "deadline": later}]}
    return {"metadata": (None, json.dumps(meta, ensure_ascii=False), "application/json")}


async def _imported(w: World, j: Jurisdiction) -> int:
    """A directive that came through the import into `j` (made once per commune)."""
    if ("imported", j.root.id) not in w.cache:
        sender = w.clients.anonymous(headers={**API_HEADERS,
                                              "Authorization": f"Bearer {await _key(j, ['directives:write'])}"})
        answer = await sender.post("/api/v1/import/directives", files=_files(j))
        assert answer.status_code == 201, answer.text
        w.cache[("imported", j.root.id)] = answer.json()["directive_id"]
    return int(w.cache[("imported", j.root.id)])


@builds("GET /api/v1/machine-keys")
async def _list(w: World, actor: str, variant: str) -> Call:
    return Call("GET", "/api/v1/machine-keys", w.client(actor))


@builds("POST /api/v1/machine-keys")
async def _create(w: World, actor: str, variant: str) -> Call:
    return Call("POST", "/api/v1/machine-keys", w.client(actor),
                json={"name": unique("Hệ thống "), "scopes": ["tasks:read"], "rate_per_minute": 60})


@builds("DELETE /api/v1/machine-keys/{key_id}")
async def _revoke(w: World, actor: str, variant: str) -> Call:
    from server.machine import keys

    j = w.j if variant == OWN else w.j2
    made = await keys.create_key(j.admin, name=unique("Hệ thống "), scopes=["tasks:read"])
    return Call("DELETE", f"/api/v1/machine-keys/{made['id']}", w.client(actor))


@builds("POST /api/v1/import/directives")
async def _import(w: World, actor: str, variant: str) -> Call:
    return Call("POST", "/api/v1/import/directives", await _as(w, actor, ["directives:write"]), files=_files(w.j))


@builds("GET /api/v1/import/directives/{directive_id}")
async def _read(w: World, actor: str, variant: str) -> Call:
    directive_id = await _imported(w, w.j if variant == OWN else w.j2)
    return Call("GET", f"/api/v1/import/directives/{directive_id}", await _as(w, actor, ["tasks:read"]))


@builds("GET /api/v1/machine/reports")
async def _reports(w: World, actor: str, variant: str) -> Call:
    return Call("GET", "/api/v1/machine/reports", await _as(w, actor, ["reports:read"]), params={"limit": 5})
