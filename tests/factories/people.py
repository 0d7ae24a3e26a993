"""People and units: a unit, a person of a role, and a whole commune (Jurisdiction) with one person of each role."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from server.people.services import Actor, create_person, get_actor
from server.units.services import UnitInfo, create_unit
from tests.factories.common import PASSWORD, unique


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
