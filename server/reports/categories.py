"""The categories a citizen chooses from, each with its published response time and default unit.
"""

from __future__ import annotations

import re
from typing import Any

from server.audit import services as audit
from server.lib.db import write_transaction
from server.lib.errors import Invalid, NotFound
from server.people.services import Actor
from server.reports.tables import (
    Category,
)


async def list_categories(active_only: bool = True) -> list[dict[str, Any]]:
    query = Category.select().order_by(Category.sort_order, Category.name)
    if active_only:
        query = query.where(Category.active.eq(True))
    return list(await query)


async def get_category(category_id: int) -> dict[str, Any]:
    row = await Category.select().where(Category.id == category_id).first()
    if row is None:
        raise NotFound("category_not_found", "Không tìm thấy lĩnh vực")
    return row


async def save_category(actor: Actor | None, *, code: str, name: str, target_days: int, description: str = "",
                        group_name: str = "", default_unit_id: int | None = None, active: bool = True,
                        sort_order: int = 0) -> dict[str, Any]:
    code = (code or "").strip().lower()
    name = (name or "").strip()
    if not re.fullmatch(r"[a-z0-9_\-]{1,32}", code) or not name:
        raise Invalid("category_invalid", "Cần mã (chữ thường, số) và tên lĩnh vực")
    if not 1 <= target_days <= 365:
        raise Invalid("target_days_invalid", "Thời hạn phải từ 1 đến 365 ngày làm việc")
    values = {Category.name: name, Category.target_days: target_days, Category.description: description.strip(),
              Category.group_name: group_name.strip(), Category.default_unit: default_unit_id,
              Category.active: active, Category.sort_order: sort_order}
    async with write_transaction():
        existing = await Category.select(Category.id).where(Category.code == code).first()
        if existing:
            await Category.update(values).where(Category.id == existing["id"])
            category_id = existing["id"]
        else:
            rows = await Category.insert(Category(code=code, **{c._meta.name: v for c, v in values.items()})).returning(
                Category.id)
            category_id = rows[0]["id"]
        await audit.record(actor_id=actor.id if actor else None, action="report_category.save",
                           entity="report_category", entity_id=category_id, after={"code": code, "name": name,
                                                                                   "target_days": target_days})
    return await get_category(category_id)
