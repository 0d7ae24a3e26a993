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


# Who sits where in a commune, under which name: person → (unit, role, full name). The receptionist sits in the
# one-stop desk, as in a real commune (and the demo's "TTHCC"), not at the root.
COMMUNE_PEOPLE: dict[str, tuple[str, str, str]] = {
    "leader": ("root", "leader", "Trần Thị Lãnh Đạo"),
    "head": ("dept", "unit_head", "Lê Văn Trưởng"),
    "officer": ("dept_sub", "officer", "Phạm Văn Cán"),
    "officer2": ("dept", "officer", "Võ Thị Bộ"),
    "other_head": ("other_dept", "unit_head", "Đặng Văn Khác"),
    "other_officer": ("other_dept", "officer", "Bùi Thị Ngoài"),
    "admin": ("root", "admin", "Hồ Quản Trị"),
    "receptionist": ("one_stop", "receptionist", "Ngô Tiếp Nhận"),
}


async def make_commune(*people: str) -> tuple[dict[str, UnitInfo], dict[str, Actor]]:
    """A commune's units (root, dept with its dept_sub, other_dept; the one-stop desk when the receptionist is
    wanted) and the people named, in COMMUNE_PEOPLE's order (all of them when none is named). A test that
    needs few people asks for few: each costs an argon2 hash."""
    wanted = [name for name in COMMUNE_PEOPLE if not people or name in people]
    root = await make_unit("UBND xã Hoài Hương", "commune")
    dept = await make_unit("Phòng Tài nguyên và Môi trường", "department", root)
    units = {"root": root, "dept": dept, "dept_sub": await make_unit("Tổ Quản lý đất đai", "subunit", dept),
             "other_dept": await make_unit("Phòng Văn hóa - Xã hội", "department", root)}
    if "receptionist" in wanted:
        units["one_stop"] = await make_unit("Bộ phận tiếp nhận và trả kết quả", "department", root)
    actors = {}
    for name in wanted:
        unit, role, full_name = COMMUNE_PEOPLE[name]
        actors[name] = await make_person(units[unit], role, full_name)
    return units, actors


async def make_jurisdiction() -> Jurisdiction:
    units, people = await make_commune()
    one_stop = units.pop("one_stop")
    return Jurisdiction(**units, **people, extra={"one_stop": one_stop})
