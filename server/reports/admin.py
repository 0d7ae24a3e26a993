"""Admin data for reports: routing rules, areas and Open311 API keys (categories are in services)."""

from __future__ import annotations

import json
import secrets
from typing import Any

from server.audit import services as audit
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Invalid, NotFound
from server.people.services import Actor
from server.reports.routing import parse_polygon
from server.reports.tables import Area, Category, Open311Key, RoutingRule
from server.units.tables import Unit

DEMO_KEY_NAME = "Demo (dữ liệu mẫu)"


async def list_rules() -> list[dict[str, Any]]:
    return list(await RoutingRule.select(RoutingRule.all_columns(), RoutingRule.category.name,
                                         RoutingRule.area.name, RoutingRule.unit.name).order_by(RoutingRule.id))


async def add_rule(actor: Actor | None, *, unit_id: int, category_id: int | None = None, area_id: int | None = None,
                   priority: int = 0) -> int:
    if not await Unit.exists().where(Unit.id == unit_id):
        raise Invalid("unit_not_found", "Không tìm thấy đơn vị")
    if category_id and not await Category.exists().where(Category.id == category_id):
        raise NotFound("category_not_found", "Không tìm thấy lĩnh vực")
    if area_id and not await Area.exists().where(Area.id == area_id):
        raise NotFound("area_not_found", "Không tìm thấy khu vực")
    async with write_transaction():
        rows = await RoutingRule.insert(RoutingRule(unit=unit_id, category=category_id, area=area_id,
                                                    priority=priority)).returning(RoutingRule.id)
        await audit.record(actor_id=actor.id if actor else None, action="report_rule.add", entity="report_rule",
                           entity_id=rows[0]["id"], after={"unit": unit_id, "category": category_id, "area": area_id})
    return rows[0]["id"]


async def delete_rule(actor: Actor | None, rule_id: int) -> None:
    async with write_transaction():
        await RoutingRule.delete().where(RoutingRule.id == rule_id)
        await audit.record(actor_id=actor.id if actor else None, action="report_rule.delete", entity="report_rule",
                           entity_id=rule_id)


async def list_areas() -> list[dict[str, Any]]:
    return list(await Area.select().order_by(Area.name))


async def add_area(actor: Actor | None, *, name: str, polygon: str = "", unit_id: int | None = None) -> int:
    name = name.strip()
    if not name:
        raise Invalid("area_name_required", "Cần tên khu vực")
    try:
        points = parse_polygon(polygon)
    except (ValueError, TypeError, IndexError, json.JSONDecodeError):
        raise Invalid("polygon_invalid", "Đa giác không hợp lệ: cần danh sách [vĩ độ, kinh độ]") from None
    if points and len(points) < 3:
        raise Invalid("polygon_invalid", "Đa giác không hợp lệ: cần danh sách [vĩ độ, kinh độ]")
    async with write_transaction():
        rows = await Area.insert(Area(name=name, polygon=json.dumps(points) if points else "",
                                      unit=unit_id)).returning(Area.id)
        await audit.record(actor_id=actor.id if actor else None, action="report_area.add", entity="report_area",
                           entity_id=rows[0]["id"], after={"name": name})
    return rows[0]["id"]


async def list_keys() -> list[dict[str, Any]]:
    return list(await Open311Key.select().order_by(Open311Key.id))


async def create_key(actor: Actor | None, name: str, key: str | None = None) -> str:
    name = name.strip() or "Open311"
    key = key or secrets.token_urlsafe(24)
    async with write_transaction():
        rows = await Open311Key.insert(Open311Key(key=key, name=name[:255], created_at=clock.now())).returning(
            Open311Key.id)
        await audit.record(actor_id=actor.id if actor else None, action="open311_key.create", entity="open311_key",
                           entity_id=rows[0]["id"], after={"name": name})
    return key


async def set_key_active(actor: Actor | None, key_id: int, active: bool) -> None:
    async with write_transaction():
        await Open311Key.update({Open311Key.active: active}).where(Open311Key.id == key_id)
        await audit.record(actor_id=actor.id if actor else None, action="open311_key.set_active",
                           entity="open311_key", entity_id=key_id, after={"active": active})


async def key_id_for(key: str) -> int | None:
    if not key:
        return None
    row = await Open311Key.select(Open311Key.id).where((Open311Key.key == key) & Open311Key.active.eq(True)).first()
    return row["id"] if row else None


async def ensure_demo_open311_key() -> str:
    """The demo's Open311 API key (created once; the same key is returned afterwards) for `make run` to print."""
    row = await Open311Key.select(Open311Key.key).where(Open311Key.name == DEMO_KEY_NAME).first()
    if row:
        return row["key"]
    return await create_key(None, DEMO_KEY_NAME)
