"""The unit tree as data: a subtree is every unit whose path starts with the root's path."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from server.audit import services as audit
from server.lib.db import write_transaction
from server.lib.errors import Invalid, NotFound
from server.lib.vn_text import fold
from server.units import events
from server.units.tables import Unit, UnitKind


@dataclass(frozen=True)
class UnitInfo:
    id: int
    name: str
    code: str
    kind: str
    parent_id: int | None
    path: str
    active: bool


def _info(row: dict) -> UnitInfo:
    return UnitInfo(
        id=row["id"],
        name=row["name"],
        code=row["code"],
        kind=row["kind"],
        parent_id=row["parent"],
        path=row["path"],
        active=row["active"],
    )


async def get_unit(unit_id: int) -> UnitInfo:
    row = await Unit.select().where(Unit.id == unit_id).first()
    if row is None:
        raise NotFound("unit_not_found", "Không tìm thấy đơn vị")
    return _info(row)


async def open_unit_path(unit_id: int) -> str:
    """The path of an open unit, which a task may be given to; a closed or unknown one is refused."""
    row = await Unit.select(Unit.path).where((Unit.id == unit_id) & Unit.active.eq(True)).first()
    if row is None:
        raise Invalid("unit_not_found", "Không tìm thấy đơn vị")
    return row["path"]


async def list_units(active_only: bool = False, *, within_path: str | None = None) -> list[UnitInfo]:
    query = Unit.select().order_by(Unit.path)
    if within_path is not None:
        query = query.where(Unit.path.like(f"{within_path}%"))
    if active_only:
        query = query.where(Unit.active.eq(True))
    return [_info(row) for row in await query]


async def subtree_ids(unit_id: int) -> list[int]:
    unit = await get_unit(unit_id)
    rows = await Unit.select(Unit.id).where(Unit.path.like(f"{unit.path}%"))
    return [row["id"] for row in rows]


async def is_in_subtree(unit_id: int, root_id: int) -> bool:
    unit = await Unit.select(Unit.path).where(Unit.id == unit_id).first()
    root = await Unit.select(Unit.path).where(Unit.id == root_id).first()
    return bool(unit and root and unit["path"].startswith(root["path"]))


async def create_unit(
    *, name: str, code: str, kind: str, parent_id: int | None, actor_id: int | None = None,
    scope_path: str | None = None,
) -> UnitInfo:
    """`scope_path`: an administrator's own unit tree; the new unit goes under a parent inside it."""
    name, code = name.strip(), code.strip()
    if not name or not code:
        raise Invalid("unit_fields_required", "Cần nhập tên và mã đơn vị")
    if len(name) > 255 or len(code) > 64:
        raise Invalid("text_too_long", "Nội dung quá dài")
    if kind not in {k.value for k in UnitKind}:
        raise Invalid("unit_kind_invalid", "Loại đơn vị không hợp lệ")
    async with write_transaction():
        if await Unit.exists().where(Unit.code == code):
            raise Invalid("unit_code_taken", "Mã đơn vị đã được dùng")
        parent_path = "/"
        if parent_id is not None:
            parent_path = (await get_unit(parent_id)).path
        if scope_path is not None and not (parent_id is not None and parent_path.startswith(scope_path)):
            raise Invalid("unit_parent_outside_scope", "Đơn vị cấp trên phải thuộc phạm vi quản lý của bạn")
        rows = await Unit.insert(
            Unit(name=name, code=code, kind=kind, parent=parent_id, path="", search_text=fold(f"{name} {code}"))
        ).returning(Unit.id)
        unit_id = rows[0]["id"]
        await Unit.update({Unit.path: f"{parent_path}{unit_id}/"}).where(Unit.id == unit_id)
        unit = await get_unit(unit_id)
        await audit.record(
            actor_id=actor_id, action="unit.create", entity="unit", entity_id=unit_id, after=asdict(unit)
        )
    return unit


async def move_unit(
    unit_id: int, new_parent_id: int | None, actor_id: int | None = None, scope_path: str | None = None
) -> UnitInfo:
    """Re-hang a subtree (a merger of communes): every descendant's path follows.

    `scope_path` limits an administrator to their own jurisdiction: both ends of the move must be in it.
    """
    async with write_transaction():
        unit = await get_unit(unit_id)
        if scope_path is not None and not unit.path.startswith(scope_path):
            raise NotFound("unit_not_found", "Không tìm thấy đơn vị")
        new_parent_path = "/"
        if new_parent_id is not None:
            new_parent = await get_unit(new_parent_id)
            if scope_path is not None and not new_parent.path.startswith(scope_path):
                raise NotFound("unit_not_found", "Không tìm thấy đơn vị")
            if new_parent.path.startswith(unit.path):
                raise Invalid("unit_cycle", "Không thể chuyển đơn vị vào chính cấp dưới của nó")
            new_parent_path = new_parent.path
        new_path = f"{new_parent_path}{unit.id}/"
        descendants = await Unit.select(Unit.id, Unit.path).where(Unit.path.like(f"{unit.path}%"))
        for row in descendants:
            await Unit.update({Unit.path: new_path + row["path"][len(unit.path) :]}).where(Unit.id == row["id"])
        await Unit.update({Unit.parent: new_parent_id}).where(Unit.id == unit.id)
        moved = await get_unit(unit_id)
        events.tree_changed()
        await audit.record(
            actor_id=actor_id,
            action="unit.move",
            entity="unit",
            entity_id=unit_id,
            before=asdict(unit),
            after=asdict(moved),
        )
    return moved
