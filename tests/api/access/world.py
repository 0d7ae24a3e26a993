"""Two jurisdictions, a signed-in client per role, and fresh objects on demand for the access tests.

"own" objects belong to `j.dept` (the unit_head's department; the officer is assigned), "other_unit" ones to
`j.other_dept` (same jurisdiction, another department), "other_jurisdiction" ones to a second commune `j2`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from server.lib import clock
from server.people.services import Actor
from server.units.services import UnitInfo
from tests.api.access.clients import Clients
from tests.factories import Jurisdiction, make_jurisdiction, make_task

ACTORS = ("anonymous", "admin", "leader", "unit_head", "officer", "receptionist")
OWN, OTHER_UNIT, OTHER_JURISDICTION = "own", "other_unit", "other_jurisdiction"
# A task of j.other_dept that j.dept coordinates (đơn vị phối hợp): its head sees it, but does not lead it.
COORDINATED = "coordinated"
_saturdays = itertools.count(0)


# Variants that are a place and a task state: "own_approve" is a submitted task of j.dept, and so on.
STATE_VARIANTS = {"own_approve": (OWN, "submitted"), "coordinated_in_progress": (COORDINATED, "in_progress")}


def split_variant(variant: str) -> tuple[str, str]:
    """(place variant, task state) of a variant name."""
    return STATE_VARIANTS.get(variant, (variant, "assigned"))


def person_of(j: Jurisdiction, actor: str) -> Actor | None:
    return {
        "anonymous": None,
        "admin": j.admin,
        "leader": j.leader,
        "unit_head": j.head,
        "officer": j.officer,
        "receptionist": j.receptionist,
    }[actor]


@dataclass
class Place:
    """Where an object of one variant lives: its jurisdiction, lead unit, a sub-unit, an assignee, a head."""

    j: Jurisdiction
    unit: UnitInfo
    sub_unit: UnitInfo
    assignee: Actor
    head: Actor


@dataclass
class World:
    j: Jurisdiction
    j2: Jurisdiction
    clients: Clients
    signed_in: dict[str, httpx.AsyncClient]
    cache: dict[Any, Any] = field(default_factory=dict)
    # Anonymous requests stop at the session middleware (401): they may share one object per variant.
    reuse_objects: bool = False

    def client(self, actor: str) -> httpx.AsyncClient:
        return self.signed_in[actor]

    def person(self, actor: str) -> Actor | None:
        return person_of(self.j, actor)

    def place(self, variant: str) -> Place:
        variant = split_variant(variant)[0]
        j, j2 = self.j, self.j2
        if variant == OWN:
            return Place(j, j.dept, j.dept_sub, j.officer, j.head)
        if variant in (OTHER_UNIT, COORDINATED):
            return Place(j, j.other_dept, j.other_dept, j.other_officer, j.other_head)
        if variant == OTHER_JURISDICTION:
            return Place(j2, j2.dept, j2.dept_sub, j2.officer, j2.head)
        raise KeyError(variant)

    async def task(
        self, variant: str, state: str = "assigned", *, fresh: bool = True, shareable: bool = True
    ) -> dict[str, Any]:
        """A task led by the variant's unit with its officer assigned, in `state` (assigned or submitted).

        Fresh by default; with fresh=False (reads) or for anonymous cases, one shared task per (variant, state)
        that no write case ever receives, so nothing changes it.
        """
        if not fresh or (self.reuse_objects and shareable):
            key = ("task", variant, state)
            if key not in self.cache:
                self.cache[key] = await self._new_task(variant, state)
            return self.cache[key]
        return await self._new_task(variant, state)

    async def _new_task(self, variant: str, state: str) -> dict[str, Any]:
        place = self.place(variant)
        if variant == COORDINATED:
            from server.tasks.services import create_task

            task = await create_task(
                place.j.leader, title="Kiểm tra nước sinh hoạt thôn 3", lead_unit_id=place.unit.id,
                coordinating_unit_ids=[self.j.dept.id], assignee_ids=[place.assignee.id],
                deadline=clock.today_vn() + dt.timedelta(days=10),
            )
        else:
            task = await make_task(
                place.j, lead_unit=place.unit, assignees=[place.assignee], title="Kiểm tra nước sinh hoạt thôn 3"
            )
        if state == "submitted":
            from server.tasks.services import transition

            await transition(place.assignee, task["id"], "submit", note="Đã xong")
        elif state == "in_progress":
            from server.tasks.services import transition

            await transition(place.assignee, task["id"], "start")
        elif state != "assigned":
            raise ValueError(state)
        return task

    async def extension(self, variant: str) -> dict[str, Any]:
        """A pending extension request on a fresh top-level task, asked by the lead unit's head."""
        from server.tasks.services import request_extension

        place = self.place(variant)
        task = await self.task(variant, shareable=False)  # a task takes one pending request at a time
        return await request_extension(place.head, task["id"], task["deadline"] + dt.timedelta(days=7), "Mưa lũ")

    async def directive(self, variant: str) -> dict[str, Any]:
        key = ("directive", variant)
        if key not in self.cache:
            from server.directives.services import create_directive

            place = self.place(variant)
            self.cache[key] = await create_directive(
                place.j.leader, number=f"{len(self.cache) + 1}/CT-UBND", issued_on=clock.today_vn(),
                signer="Trần Thị Lãnh Đạo", issuing_body="UBND xã", title="Chỉ thị về nước sạch mùa khô",
            )
        return self.cache[key]


async def last_job_id() -> int:
    from server.notifications.tables import Job

    row = await Job.select(Job.id).order_by(Job.id, ascending=False).first()
    return row["id"] if row else 0


async def forget_jobs_after(job_id: int) -> None:
    """Drop the background jobs (push and e-mail deliveries) these tests queued, so that tests of the job
    queue do not find hundreds of leftovers due now."""
    from server.notifications.tables import Job

    await Job.delete().where(Job.id > job_id)


def spare_saturday() -> dt.date:
    """A Saturday far in the future no other test uses: marking it off changes no working-day count."""
    first = dt.date(2099, 1, 3)  # a Saturday
    assert first.weekday() == 5
    return first + dt.timedelta(weeks=next(_saturdays))


async def build_world(app: Any) -> World:
    j, j2 = await make_jurisdiction(), await make_jurisdiction()
    clients = Clients(app)
    signed_in = {actor: await clients.signed_in(person_of(j, actor)) for actor in ACTORS}
    return World(j=j, j2=j2, clients=clients, signed_in=signed_in)


@pytest.fixture(scope="module", name="world")
async def world_fixture(app: Any) -> AsyncIterator[World]:
    """The world of a test module that imports this fixture (the access matrix, the bad-input probes,
    schemathesis): built once per module, its queued jobs forgotten afterwards."""
    jobs_before = await last_job_id()
    w = await build_world(app)
    yield w
    await w.clients.aclose()
    await forget_jobs_after(jobs_before)
