"""Factories: every test builds its own jurisdiction, so tests never depend on each other's rows."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

from server.people.services import Actor, create_person, get_actor
from server.units.services import UnitInfo, create_unit

PASSWORD = "mat-khau-thu-nghiem"
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}{uuid.uuid4().hex[:6]}"


async def make_unit(name: str = "Phòng Kinh tế", kind: str = "department", parent: UnitInfo | None = None) -> UnitInfo:
    return await create_unit(name=name, code=unique("u"), kind=kind, parent_id=parent.id if parent else None)


async def make_person(unit: UnitInfo, role: str = "officer", full_name: str = "Nguyễn Văn An") -> Actor:
    person = await create_person(
        actor_id=None, username=unique(role[:4]), full_name=full_name, role=role, unit_id=unit.id, password=PASSWORD
    )
    actor = await get_actor(person["id"])
    assert actor is not None
    return actor


@dataclass
class Jurisdiction:
    """A commune: a root, two departments (the first with a sub-unit), the one-stop desk, one person of each role."""

    root: UnitInfo
    dept: UnitInfo
    dept_sub: UnitInfo
    other_dept: UnitInfo
    leader: Actor
    head: Actor
    officer: Actor
    officer2: Actor
    other_head: Actor
    other_officer: Actor
    admin: Actor
    receptionist: Actor
    extra: dict[str, Any] = field(default_factory=dict)


async def make_jurisdiction() -> Jurisdiction:
    root = await make_unit("UBND xã Hoài Hương", "commune")
    dept = await make_unit("Phòng Tài nguyên và Môi trường", "department", root)
    dept_sub = await make_unit("Tổ Quản lý đất đai", "subunit", dept)
    other = await make_unit("Phòng Văn hóa - Xã hội", "department", root)
    # The receptionist sits in the one-stop desk, as in a real commune (and the demo's "TTHCC"), not at the root.
    one_stop = await make_unit("Bộ phận tiếp nhận và trả kết quả", "department", root)
    return Jurisdiction(
        root=root,
        dept=dept,
        dept_sub=dept_sub,
        other_dept=other,
        leader=await make_person(root, "leader", "Trần Thị Lãnh Đạo"),
        head=await make_person(dept, "unit_head", "Lê Văn Trưởng"),
        officer=await make_person(dept_sub, "officer", "Phạm Văn Cán"),
        officer2=await make_person(dept, "officer", "Võ Thị Bộ"),
        other_head=await make_person(other, "unit_head", "Đặng Văn Khác"),
        other_officer=await make_person(other, "officer", "Bùi Thị Ngoài"),
        admin=await make_person(root, "admin", "Hồ Quản Trị"),
        receptionist=await make_person(one_stop, "receptionist", "Ngô Tiếp Nhận"),
        extra={"one_stop": one_stop},
    )


async def make_task(
    j: Jurisdiction,
    *,
    title: str = "Kiểm tra tình trạng nước sinh hoạt",
    assignees: list[Actor] | None = None,
    deadline: dt.date | None = None,
    lead_unit: UnitInfo | None = None,
) -> dict[str, Any]:
    from server.lib import clock
    from server.tasks.services import create_task

    return await create_task(
        j.leader,
        title=title,
        lead_unit_id=(lead_unit or j.dept).id,
        assignee_ids=[a.id for a in (assignees if assignees is not None else [j.head])],
        deadline=deadline or clock.today_vn() + dt.timedelta(days=10),
    )


_addresses = itertools.count(1)


def client_address() -> tuple[str, int]:
    """A distinct client address per test client, as distinct phones would have: the per-address login
    limit then applies to each client, not to the whole suite at once."""
    n = next(_addresses)
    return (f"127.{(n // 62500) % 250 + 10}.{(n // 250) % 250}.{n % 250 + 1}", 40000 + n % 20000)
