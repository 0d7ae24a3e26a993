"""GET /api/v1/kpi: the same figures as the service, scoped by the unit tree, for managers only."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from server.kpi import services
from server.lib import clock
from server.lib.db import write_transaction
from server.people.services import Actor
from server.units.services import UnitInfo
from tests.api.conftest import API_HEADERS
from tests.factories import PASSWORD, client_address, make_commune
from tests.unit.kpi.kpi_data import Spec, Tree, insert_tasks, utc

TODAY = dt.datetime.now(dt.UTC).date()
START, END = TODAY - dt.timedelta(days=30), TODAY + dt.timedelta(days=30)
ACTIVE = ("active",)


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture(autouse=True)
def frozen_noon() -> Iterator[None]:
    """Noon in Hà Nội, so the server's "today" is TODAY however long the test takes."""
    clock.freeze(dt.datetime(TODAY.year, TODAY.month, TODAY.day, 5, tzinfo=dt.UTC))
    yield
    clock.freeze(None)


@dataclass
class Commune:
    """The parts of `make_jurisdiction` these tests use: fewer people, since each costs an argon2 hash."""

    root: UnitInfo
    dept: UnitInfo
    dept_sub: UnitInfo
    other_dept: UnitInfo
    leader: Actor
    head: Actor
    officer: Actor
    other_officer: Actor


async def _commune() -> Commune:
    units, people = await make_commune("leader", "head", "officer", "other_officer")
    return Commune(**units, **people)


async def _tasks(j: Commune) -> list[Spec]:
    tree = Tree(
        units={name: {"id": unit.id, "path": unit.path} for name, unit in vars(j).items() if hasattr(unit, "path")}
    )
    specs = [
        # dept: on time, late, within, overdue, and a cancelled one that counts nowhere
        Spec("done", ago(5), utc(ago(7)), "dept", person_rows=ACTIVE),
        Spec("done", ago(10), utc(ago(8)), "dept"),
        Spec("in_progress", ago(-5), None, "dept"),
        Spec("submitted", ago(3), None, "dept"),
        Spec("cancelled", TODAY, None, "dept", person_rows=ACTIVE),
        # dept's sub-unit: on time (due after the period, completed in it), within
        Spec("done", ago(-40), utc(ago(2)), "dept_sub", person_rows=ACTIVE),
        Spec("assigned", ago(-1), None, "dept_sub", person_rows=ACTIVE),
        # the other department: late, overdue; the commune itself: within
        Spec("done", ago(20), utc(ago(15), 17, 30), "other_dept"),
        Spec("returned", ago(1), None, "other_dept"),
        Spec("in_progress", ago(-20), None, "root"),
    ]
    async with write_transaction():
        await insert_tasks(tree, specs, person_id=j.officer.id, other_id=j.other_officer.id)
    return specs


@dataclass
class World:
    j: Commune
    leader: httpx.AsyncClient
    head: httpx.AsyncClient
    officer: httpx.AsyncClient
    anonymous: httpx.AsyncClient


@pytest.fixture(scope="module")
async def world(app: Any) -> AsyncIterator[World]:
    """One jurisdiction, its tasks and signed-in clients for the whole module: people are slow to make (argon2)."""
    j = await _commune()
    await _tasks(j)
    clients = []
    for actor in (j.leader, j.head, j.officer, None):
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=client_address()),
            base_url="http://testserver.local",
            headers=API_HEADERS,
        )
        if actor is not None:
            r = await client.post("/api/v1/auth/login", json={"username": actor.username, "password": PASSWORD})
            assert r.status_code == 200, r.text
        clients.append(client)
    yield World(j, *clients)
    for client in clients:
        await client.aclose()


def _query(**params: object) -> dict[str, object]:
    return {"start": START.isoformat(), "end": END.isoformat(), **params}


async def test_leader_sees_the_service_figures_for_any_unit_and_person(world: World) -> None:
    j, leader = world.j, world.leader
    cases = [
        ({}, {"unit_path": j.root.path}, (2, 2, 3, 2)),
        ({"unit_id": j.dept.id}, {"unit_path": j.dept.path}, (2, 1, 2, 1)),
        ({"unit_id": j.other_dept.id}, {"unit_path": j.other_dept.path}, (0, 1, 0, 1)),
        ({"person_id": j.officer.id}, {"person_id": j.officer.id}, (2, 0, 1, 0)),
    ]
    for params, scope, buckets in cases:
        r = await leader.get("/api/v1/kpi", params=_query(**params))
        assert r.status_code == 200, r.text
        body = r.json()
        want = await services.figures(START, END, **scope)  # type: ignore[arg-type]
        assert (want.done_on_time, want.done_late, want.in_progress_on_time, want.in_progress_overdue) == buckets
        assert body == {
            "start": START.isoformat(),
            "end": END.isoformat(),
            "unit_id": params.get("unit_id"),
            "person_id": params.get("person_id"),
            **want.as_dict(),
        }
    r = await leader.get("/api/v1/kpi", params=_query(unit_id=j.dept.id))
    assert (r.json()["total"], r.json()["completion_rate"], r.json()["on_time_rate"]) == (6, 0.5, 2 / 6)


async def test_a_unit_head_sees_their_subtree_only(world: World) -> None:
    j, head = world.j, world.head
    r = await head.get("/api/v1/kpi", params=_query())
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 6  # their own department and its sub-unit
    r = await head.get("/api/v1/kpi", params=_query(unit_id=j.dept_sub.id))
    assert r.status_code == 200 and (r.json()["done_on_time"], r.json()["in_progress_on_time"]) == (1, 1)
    for unit in (j.other_dept, j.root):
        r = await head.get("/api/v1/kpi", params=_query(unit_id=unit.id))
        assert r.status_code == 404, r.text
        assert r.json()["error"]["code"] == "unit_not_found"
    r = await head.get("/api/v1/kpi", params=_query(person_id=j.other_officer.id))
    assert r.status_code == 404 and r.json()["error"]["code"] == "person_not_found"
    r = await head.get("/api/v1/kpi", params=_query(person_id=j.officer.id))
    assert r.status_code == 200 and r.json()["total"] == 3


async def test_unknown_unit_or_person_is_not_found(world: World) -> None:
    leader = world.leader
    for params in ({"unit_id": 2**31 - 1}, {"person_id": 2**31 - 1}):
        r = await leader.get("/api/v1/kpi", params=_query(**params))
        assert r.status_code == 404, r.text
        assert r.json()["error"]["code"] in {"unit_not_found", "person_not_found"}


async def test_officers_and_strangers_are_refused(world: World) -> None:
    r = await world.officer.get("/api/v1/kpi", params=_query())
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "role" and r.json()["error"]["message"]
    r = await world.anonymous.get("/api/v1/kpi", params=_query())
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_signed_in"


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"start": "2025-12-31", "end": "2025-12-01"}, 422, "period_invalid"),
        ({"start": "2015-01-01", "end": "2025-12-31"}, 422, "period_invalid"),  # over ten years
        ({"start": "31/12/2025", "end": "2025-12-31"}, 400, "invalid_input"),
        ({"start": "2025-02-30", "end": "2025-03-31"}, 400, "invalid_input"),
        ({"end": "2025-12-31"}, 400, "invalid_input"),
        ({"start": "2025-12-01", "end": "2025-12-31", "unit_id": "0"}, 400, "invalid_input"),
        ({"start": "2025-12-01", "end": "2025-12-31", "unit_id": "abc"}, 400, "invalid_input"),
    ],
)
async def test_bad_periods_give_error_json(world: World, params, status, code) -> None:
    r = await world.leader.get("/api/v1/kpi", params=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    error = r.json()["error"]
    assert error["code"] == code and error["message"]


async def test_a_one_day_period(world: World) -> None:
    one_day = ago(3).isoformat()  # the day the department's overdue task was due
    r = await world.leader.get("/api/v1/kpi", params={"start": one_day, "end": one_day})
    assert r.status_code == 200, r.text
    assert (r.json()["in_progress_overdue"], r.json()["total"], r.json()["completion_rate"]) == (1, 1, 0.0)
    r = await world.leader.get("/api/v1/kpi", params={"start": "2000-01-01", "end": "2000-01-01"})
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 0 and r.json()["completion_rate"] is None and r.json()["on_time_rate"] is None
