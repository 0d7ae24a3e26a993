"""Admin data for reports: routing rules, areas and Open311 API keys (categories are in services)."""

from __future__ import annotations

import json
from typing import Any

from server.audit import services as audit
from server.lib import clock
from server.lib.apikeys import key_digest as _key_digest
from server.lib.apikeys import new_key
from server.lib.db import write_transaction
from server.lib.errors import Conflict, Invalid, NotFound
from server.people.services import Actor
from server.reports.routing import AreaError, validate_geometry
from server.reports.tables import Area, Category, Open311Key, RoutingRule
from server.units.tables import Unit

DEMO_KEY_NAME = "Demo (dữ liệu mẫu)"
# Only the digest is in the database: the demo key itself is kept beside the data for `make run` to print.
DEMO_KEY_FILE = "demo-open311-key"


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


AREA_ERRORS = {
    "not_json": "Vùng không hợp lệ: không phải GeoJSON",
    "not_polygon": "Vùng không hợp lệ: cần một Polygon hoặc MultiPolygon GeoJSON",
    "one_feature": "Vùng không hợp lệ: FeatureCollection phải có đúng một vùng",
    "polygon_invalid": "Vùng không hợp lệ: thiếu tọa độ",
    "ring_invalid": "Vùng không hợp lệ: mỗi đường bao là một danh sách điểm [kinh độ, vĩ độ]",
    "position_invalid": "Vùng không hợp lệ: mỗi điểm là [kinh độ, vĩ độ]",
    "coordinates_out_of_range": "Vùng không hợp lệ: kinh độ từ -180 đến 180, vĩ độ từ -90 đến 90",
    "ring_too_short": "Vùng không hợp lệ: cần ít nhất 3 điểm khác nhau",
    "ring_not_closed": "Vùng không hợp lệ: điểm cuối phải trùng điểm đầu (đường bao khép kín)",
    "ring_degenerate": "Vùng không hợp lệ: các điểm thẳng hàng, vùng không có diện tích",
    "ring_self_intersects": "Vùng không hợp lệ: đường bao tự cắt nhau",
    "hole_outside": "Vùng không hợp lệ: lỗ nằm ngoài vùng",
    "too_large": "Vùng quá lớn: tối đa 1.000 điểm",
}
AREA_KINDS = ("commune", "polygon")


async def list_areas() -> list[dict[str, Any]]:
    return list(await Area.select(Area.all_columns(), Area.unit.name).order_by(Area.name))


async def get_area(area_id: int) -> dict[str, Any]:
    row = await Area.select(Area.all_columns(), Area.unit.name).where(Area.id == area_id).first()
    if row is None:
        raise NotFound("area_not_found", "Không tìm thấy khu vực")
    return row


def check_geometry(polygon: str) -> str:
    """The admin's GeoJSON, validated and normalised; the older list of [lat, lon] points is converted."""
    text = (polygon or "").strip()
    if text.startswith("[["):  # the older form: [[lat, lon], ...], not closed
        try:
            points = [[float(p[1]), float(p[0])] for p in json.loads(text)]
        except (ValueError, TypeError, IndexError, KeyError):
            raise Invalid("polygon_invalid", AREA_ERRORS["not_polygon"]) from None
        text = json.dumps({"type": "Polygon", "coordinates": [[*points, points[0]]] if points else []})
    try:
        return validate_geometry(text)[0]
    except AreaError as error:
        raise Invalid("polygon_invalid", AREA_ERRORS.get(error.code, AREA_ERRORS["not_polygon"]),
                      reason=error.code) from None


async def save_area(actor: Actor | None, *, name: str, polygon: str = "", unit_id: int | None = None,
                    kind: str = "polygon", area_id: int | None = None) -> int:
    """Create or change an area. A commune names its unit; a drawn area needs its boundary."""
    name = (name or "").strip()[:255]
    if not name:
        raise Invalid("area_name_required", "Cần tên khu vực")
    if kind not in AREA_KINDS:
        raise Invalid("area_kind_invalid", "Loại khu vực không hợp lệ")
    geometry = check_geometry(polygon)
    if kind == "polygon" and not geometry:
        raise Invalid("polygon_required", "Cần vẽ vùng trên bản đồ hoặc nhập GeoJSON")
    if unit_id and not await Unit.exists().where(Unit.id == unit_id):
        raise Invalid("unit_not_found", "Không tìm thấy đơn vị")
    values = {Area.name: name, Area.polygon: geometry, Area.unit: unit_id or None, Area.kind: kind}
    after = {"name": name, "kind": kind, "unit": unit_id, "points": geometry.count("],[") + 1 if geometry else 0}
    async with write_transaction():
        if area_id is None:
            rows = await Area.insert(Area(**{c._meta.name: v for c, v in values.items()})).returning(Area.id)
            area_id = rows[0]["id"]
            action = "report_area.add"
        else:
            changed = await Area.update(values).where(Area.id == area_id).returning(Area.id)
            if not changed:
                raise NotFound("area_not_found", "Không tìm thấy khu vực")
            action = "report_area.change"
        await audit.record(actor_id=actor.id if actor else None, action=action, entity="report_area",
                           entity_id=area_id, after=after)
    return area_id


async def add_area(actor: Actor | None, *, name: str, polygon: str = "", unit_id: int | None = None,
                   kind: str = "polygon") -> int:
    return await save_area(actor, name=name, polygon=polygon, unit_id=unit_id, kind=kind)


async def delete_area(actor: Actor | None, area_id: int) -> None:
    """Delete an area that no routing rule uses (delete its rules first: routing must not change silently)."""
    async with write_transaction():
        if await RoutingRule.exists().where(RoutingRule.area == area_id):
            raise Conflict("area_in_use", "Khu vực đang được dùng trong quy tắc chuyển; hãy xóa quy tắc trước")
        deleted = await Area.delete().where(Area.id == area_id).returning(Area.id)
        if not deleted:
            raise NotFound("area_not_found", "Không tìm thấy khu vực")
        await audit.record(actor_id=actor.id if actor else None, action="report_area.delete", entity="report_area",
                           entity_id=area_id)


async def list_keys() -> list[dict[str, Any]]:
    return list(await Open311Key.select(Open311Key.id, Open311Key.name, Open311Key.key_prefix, Open311Key.active,
                                        Open311Key.created_at).order_by(Open311Key.id))


async def create_key(actor: Actor | None, name: str, key: str | None = None) -> str:
    """A new key, returned once for the admin to hand over: only its digest is stored."""
    name = name.strip() or "Open311"
    key = key or new_key()
    async with write_transaction():
        rows = await Open311Key.insert(
            Open311Key(key=_key_digest(key), key_prefix=key[:4], name=name[:255], created_at=clock.now())
        ).returning(Open311Key.id)
        await audit.record(actor_id=actor.id if actor else None, action="open311_key.create", entity="open311_key",
                           entity_id=rows[0]["id"], after={"name": name, "prefix": key[:4]})
    return key


async def set_key_active(actor: Actor | None, key_id: int, active: bool) -> None:
    async with write_transaction():
        await Open311Key.update({Open311Key.active: active}).where(Open311Key.id == key_id)
        await audit.record(actor_id=actor.id if actor else None, action="open311_key.set_active",
                           entity="open311_key", entity_id=key_id, after={"active": active})


async def key_id_for(key: str) -> int | None:
    if not key:
        return None
    row = await Open311Key.select(Open311Key.id).where(
        (Open311Key.key == _key_digest(key)) & Open311Key.active.eq(True)
    ).first()
    return row["id"] if row else None


async def ensure_demo_open311_key() -> str:
    """The demo's Open311 API key, for `make run` to print: random, made once, kept in DATA_DIR (the database
    holds only its digest). Made again if that file is gone or no longer matches (a copied database)."""
    from server.settings import get_settings

    path = get_settings().data_dir / DEMO_KEY_FILE
    kept = path.read_text(encoding="utf-8").strip() if path.exists() else ""
    row = await Open311Key.select(Open311Key.id, Open311Key.key).where(Open311Key.name == DEMO_KEY_NAME).first()
    if row is not None and kept and row["key"] == _key_digest(kept):
        return kept
    key = new_key()
    if row is None:
        await create_key(None, DEMO_KEY_NAME, key=key)
    else:
        async with write_transaction():
            await Open311Key.update({Open311Key.key: _key_digest(key), Open311Key.key_prefix: key[:4]}).where(
                Open311Key.id == row["id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key + "\n", encoding="utf-8")
    path.chmod(0o600)
    return key


async def area_names() -> list[dict[str, Any]]:
    """The areas' ids and names only (a boundary can weigh 200 KB): the triage queue's filter."""
    return list(await Area.select(Area.id, Area.name).order_by(Area.name))
