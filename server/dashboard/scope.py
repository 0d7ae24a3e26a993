"""What a leader may look at: a unit subtree of their own tree, or one person in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.lib.actor import Actor
from server.lib.errors import NotFound
from server.tasks.tables import Task

# ---------------------------------------------------------------- scope


@dataclass(frozen=True)
class Scope:
    id: int
    name: str
    path: str
    parent_id: int | None


async def units_under(path: str) -> list[dict[str, Any]]:
    return await Task.raw(
        "SELECT u.id, u.name, u.path, u.parent, u.code FROM units u WHERE u.path LIKE {} ORDER BY u.path", f"{path}%"
    )


async def scope_unit(actor: Actor, unit_id: int | None) -> Scope:
    """The actor's own subtree, or a unit inside it; anything else is not found (not forbidden)."""
    target = unit_id if unit_id is not None else actor.unit_id
    rows = await Task.raw("SELECT u.id, u.name, u.path, u.parent FROM units u WHERE u.id = {}", target)
    if not rows or not rows[0]["path"].startswith(actor.unit_path):
        raise NotFound("unit_not_found", "Không tìm thấy đơn vị")
    row = rows[0]
    return Scope(id=row["id"], name=row["name"], path=row["path"], parent_id=row["parent"])


async def scope_person(actor: Actor, person_id: int) -> dict[str, Any]:
    rows = await Task.raw(
        "SELECT p.id, p.full_name, p.unit, u.path, u.name AS unit_name FROM people p JOIN units u ON u.id = p.unit"
        " WHERE p.id = {}",
        person_id,
    )
    if not rows or not rows[0]["path"].startswith(actor.unit_path):
        raise NotFound("person_not_found", "Không tìm thấy cán bộ")
    return rows[0]
