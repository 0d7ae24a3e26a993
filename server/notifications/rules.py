"""Each jurisdiction's reminder rules: the offsets before a deadline, when the unit head and then the leaders are
told of a late task, the digest's time; the nearest unit at or above a task's unit that has rules decides.
"""

from __future__ import annotations

from typing import Any

from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Invalid, NotFound
from server.notifications import reminders
from server.notifications.tables import ReminderRules

# The default reminder thresholds (reminders.DEFAULT_RULES); each jurisdiction may set its own (ReminderRules).
REMINDER_RULES: dict[str, Any] = dict(reminders.DEFAULT_RULES)


JURISDICTION_KINDS = ("province", "district", "commune")


MAX_OFFSET_DAYS = 30


MAX_ESCALATION_DAYS = 60


def _parse_hhmm(value: str) -> tuple[int, int]:
    hour, _, minute = (value or "").partition(":")
    return int(hour), int(minute)


def _rules_of_row(row: dict[str, Any]) -> dict[str, Any]:
    offsets = [int(part) for part in row["before_days"].split(",") if part.strip()]
    return {
        "before_days": tuple(sorted({d for d in offsets if d > 0}, reverse=True)),
        "on_the_day": 0 in offsets,
        "head_after": row["head_after"],
        "leader_after": row["leader_after"],
        "digest_at": _parse_hhmm(row["digest_at"]),
    }


def _public_rules(unit: dict[str, Any], rules: dict[str, Any], *, own: bool) -> dict[str, Any]:
    offsets = [*rules["before_days"], *([0] if rules["on_the_day"] else [])]
    hour, minute = rules["digest_at"]
    return {
        "unit_id": unit["id"],
        "unit_name": unit["name"],
        "before_days": offsets,
        "head_after": rules["head_after"],
        "leader_after": rules["leader_after"],
        "digest_at": f"{hour:02d}:{minute:02d}",
        # False: the unit has no rules of its own and follows the nearest unit above it, or the defaults.
        "own": own,
    }


async def rules_by_path() -> dict[str, dict[str, Any]]:
    """Every jurisdiction's rules, by the path of its unit."""
    rows = await ReminderRules.select(ReminderRules.all_columns(), ReminderRules.unit.path)
    return {row["unit.path"]: _rules_of_row(row) for row in rows}


def rules_lookup(by_path: dict[str, dict[str, Any]]) -> reminders.RulesFor:
    """unit path → the rules of the nearest unit at or above it that has some, else the defaults."""
    paths = sorted(by_path, key=len, reverse=True)
    # A tick asks for every open task's unit: a province has a few hundred units and a few jurisdictions with
    # rules, so each unit's answer is worked out once. The answers are shared: callers only read them.
    known: dict[str, dict[str, Any]] = {}

    def rules_for(unit_path: str) -> dict[str, Any]:
        rules = known.get(unit_path)
        if rules is None:
            nearest = next((path for path in paths if unit_path.startswith(path)), None)
            rules = reminders.rules_with({**REMINDER_RULES, **(by_path[nearest] if nearest else {})})
            known[unit_path] = rules
        return rules

    return rules_for


async def _jurisdiction_unit(actor: Any, unit_id: int | None) -> dict[str, Any]:
    """The unit whose rules the admin reads or sets: theirs by default; one in their scope, else 404."""
    from server.units.tables import Unit

    unit_id = unit_id or actor.unit_id
    row = await Unit.select(Unit.id, Unit.name, Unit.path, Unit.kind).where(Unit.id == unit_id).first()
    if row is None or not row["path"].startswith(actor.unit_path):
        raise NotFound("unit_not_found", "Không tìm thấy đơn vị")
    return row


async def jurisdiction_units(actor: Any) -> list[dict[str, Any]]:
    """The units in the admin's scope that may have reminder rules of their own (province, district, commune)."""
    from server.units.tables import Unit

    return list(await Unit.select(Unit.id, Unit.name, Unit.path).where(
        Unit.kind.is_in(list(JURISDICTION_KINDS)) & Unit.path.like(f"{actor.unit_path}%") & Unit.active.eq(True)
    ).order_by(Unit.path))


async def get_reminder_rules(actor: Any, unit_id: int | None = None) -> dict[str, Any]:
    unit = await _jurisdiction_unit(actor, unit_id)
    own = await ReminderRules.exists().where(ReminderRules.unit == unit["id"])
    return _public_rules(unit, rules_lookup(await rules_by_path())(unit["path"]), own=own)


async def set_reminder_rules(
    actor: Any,
    unit_id: int | None,
    *,
    before_days: list[int],
    head_after: int,
    leader_after: int,
    digest_at: str,
) -> dict[str, Any]:
    """Set a jurisdiction's thresholds (its admin): reminder offsets in working days (0 = on the day),
    escalation to the unit head after `head_after` and to the leaders after `leader_after` working days
    overdue, the digest's time. The scheduler uses them from its next tick."""
    unit = await _jurisdiction_unit(actor, unit_id)
    if unit["kind"] not in JURISDICTION_KINDS:
        raise Invalid("reminder_rules_unit", "Chỉ đặt ngưỡng nhắc việc cho UBND tỉnh, huyện hoặc xã")
    offsets = sorted(set(before_days), reverse=True)
    if not offsets or len(offsets) > 5 or any(not 0 <= d <= MAX_OFFSET_DAYS for d in offsets):
        raise Invalid("reminder_offsets_invalid", "Số ngày nhắc trước hạn phải từ 0 đến 30 (tối đa 5 mốc)")
    if not 1 <= head_after <= MAX_ESCALATION_DAYS or not 1 <= leader_after <= MAX_ESCALATION_DAYS:
        raise Invalid("escalation_days_invalid", "Số ngày quá hạn để báo cáo cấp trên phải từ 1 đến 60")
    if leader_after < head_after:
        raise Invalid("escalation_order_invalid", "Báo lãnh đạo không được sớm hơn báo trưởng đơn vị")
    try:
        hour, minute = _parse_hhmm(digest_at.strip())
        valid_time = 0 <= hour <= 23 and 0 <= minute <= 59 and len(digest_at.strip()) <= 5
    except ValueError:
        valid_time = False
    if not valid_time:
        raise Invalid("digest_time_invalid", "Giờ gửi tóm tắt không hợp lệ (giờ:phút)")
    values = {
        ReminderRules.before_days: ",".join(str(d) for d in offsets),
        ReminderRules.head_after: head_after,
        ReminderRules.leader_after: leader_after,
        ReminderRules.digest_at: f"{hour:02d}:{minute:02d}",
        ReminderRules.updated_at: clock.now(),
        ReminderRules.updated_by: actor.id,
    }
    async with write_transaction():
        changed = await ReminderRules.update(values).where(ReminderRules.unit == unit["id"]).returning(
            ReminderRules.id)
        if not changed:
            await ReminderRules.insert(ReminderRules(unit=unit["id"], **{c._meta.name: v for c, v in values.items()}))
        from server.audit import services as audit

        await audit.record(actor_id=actor.id, actor_name=actor.full_name, action="reminder_rules.set",
                           entity="unit", entity_id=unit["id"],
                           after={c._meta.name: v for c, v in values.items() if c is not ReminderRules.updated_at})
    return await get_reminder_rules(actor, unit["id"])
