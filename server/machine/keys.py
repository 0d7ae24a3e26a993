"""API keys for other systems: made by an admin, shown once, kept as a digest, scoped, rate-limited, revocable.

A key acts as the system it was given to, never as a person: `system_actor()` is an Actor with no person id
(nothing it writes names a person: created_by, the task's history and the audit's actor_id stay empty) and
"hệ thống: <name>" as its name, which the audit chain records. It acts within the unit chosen when it was made
(by default the root of the admin's jurisdiction), with a leader's powers over that subtree, and only on the
routes its scopes open (server/machine/auth.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.audit import services as audit
from server.lib import clock
from server.lib.actor import Actor, Role
from server.lib.apikeys import key_digest, new_key
from server.lib.db import write_transaction
from server.lib.errors import Invalid, NotFound
from server.lib.i18n import gettext as _
from server.machine.tables import MachineKey
from server.units.tables import Unit

# The named permissions a key may hold, and what each lets the system do (shown on the admin's page).
SCOPES: dict[str, str] = {
    "directives:write": "Nhập văn bản chỉ đạo và nhiệm vụ của văn bản",
    "tasks:read": "Đọc tình hình các nhiệm vụ của văn bản đã nhập",
    "reports:read": "Đọc phản ánh công khai của người dân",
}
KEY_PREFIX = "dh_"
DEFAULT_RATE = 60
MAX_RATE = 6000
WINDOW_SECONDS = 60
SYSTEM_NAME = "hệ thống: {name}"


@dataclass(frozen=True)
class KeyHolder:
    """The key that signed a request, as the guard found it."""

    id: int
    name: str
    scopes: frozenset[str]
    unit_id: int
    unit_path: str
    unit_name: str


def system_actor(holder: KeyHolder) -> Actor:
    # id None: every column that names the person acting (created_by, task_events.actor, audit actor_id) is
    # nullable and stays empty; a visibility query's "assigned to me" compares with NULL and matches nothing.
    return Actor(
        id=None,  # type: ignore[arg-type]
        username=f"machine-key-{holder.id}",
        full_name=SYSTEM_NAME.format(name=holder.name),
        role=Role.leader.value,
        unit_id=holder.unit_id,
        unit_path=holder.unit_path,
        unit_name=holder.unit_name,
    )


def _clean_scopes(scopes: list[str]) -> list[str]:
    chosen = sorted({scope.strip() for scope in scopes if scope and scope.strip()})
    unknown = [scope for scope in chosen if scope not in SCOPES]
    if unknown:
        raise Invalid("machine_scope_unknown", _("Quyền không hợp lệ: {scopes}", scopes=", ".join(unknown)),
                      scopes=unknown)
    if not chosen:
        raise Invalid("machine_scope_required", "Cần chọn ít nhất một quyền cho khoá")
    return chosen


def _public(row: dict[str, Any]) -> dict[str, Any]:
    """A key as anyone may see it: never the key, never its digest."""
    return {
        "id": row["id"],
        "name": row["name"],
        "prefix": row["key_prefix"],
        "scopes": row["scopes"].split(),
        "unit_id": row["unit"],
        "unit_name": row.get("unit.name", ""),
        "rate_per_minute": row["rate_per_minute"],
        "created_at": row["created_at"],
        "last_used_at": row["last_used_at"],
        "revoked_at": row["revoked_at"],
        "active": row["active"],
    }


def _columns() -> list[Any]:
    return [
        MachineKey.id, MachineKey.name, MachineKey.key_prefix, MachineKey.scopes, MachineKey.unit,
        MachineKey.unit.name, MachineKey.rate_per_minute, MachineKey.created_at, MachineKey.last_used_at,
        MachineKey.revoked_at, MachineKey.active,
    ]


def _in_jurisdiction(actor: Actor) -> Any:
    return MachineKey.unit.path.like(f"{actor.jurisdiction_path}%")


async def list_keys(actor: Actor) -> list[dict[str, Any]]:
    """The keys of the admin's jurisdiction, the revoked ones too (when they were last used stays useful)."""
    rows = await MachineKey.select(*_columns()).where(_in_jurisdiction(actor)).order_by(MachineKey.id)
    return [_public(row) for row in rows]


async def create_key(
    actor: Actor, *, name: str, scopes: list[str], unit_id: int | None = None, rate_per_minute: int = DEFAULT_RATE
) -> dict[str, Any]:
    """A new key; the answer holds the key itself, which is shown this once (only its digest is stored)."""
    name = (name or "").strip()
    if not name:
        raise Invalid("machine_key_name_required", "Cần đặt tên cho khoá (tên hệ thống dùng khoá)")
    if len(name) > 255:
        raise Invalid("text_too_long", "Nội dung quá dài")
    chosen = _clean_scopes(scopes)
    if not 1 <= rate_per_minute <= MAX_RATE:
        raise Invalid("machine_rate_invalid", _("Giới hạn mỗi phút phải từ 1 đến {max}", max=MAX_RATE))
    scope_filter = Unit.path.like(f"{actor.jurisdiction_path}%") & Unit.active.eq(True)
    if unit_id is None:
        unit = await Unit.select(Unit.id).where(Unit.path == actor.jurisdiction_path).first()
    else:
        unit = await Unit.select(Unit.id).where((Unit.id == unit_id) & scope_filter).first()
    if unit is None:
        raise NotFound("unit_not_found", "Không tìm thấy đơn vị")
    key = new_key(KEY_PREFIX)
    async with write_transaction():
        rows = await MachineKey.insert(
            MachineKey(name=name, key_hash=key_digest(key), key_prefix=key[:8], scopes=" ".join(chosen),
                       unit=unit["id"], rate_per_minute=rate_per_minute, created_by=actor.id,
                       created_at=clock.now())
        ).returning(MachineKey.id)
        created = await _get(rows[0]["id"])
        await audit.record(actor_id=actor.id, actor_name=actor.full_name, action="machine_key.create",
                           entity="machine_key", entity_id=created["id"], after=created)
    return {**created, "key": key}


async def _get(key_id: int) -> dict[str, Any]:
    row = await MachineKey.select(*_columns()).where(MachineKey.id == key_id).first()
    if row is None:
        raise NotFound("machine_key_not_found", "Không tìm thấy khoá API")
    return _public(row)


async def revoke_key(actor: Actor, key_id: int) -> dict[str, Any]:
    """Revoke a key of the admin's jurisdiction: the next request with it is refused (the guard reads the row on
    every request; nothing caches a key). Revoking a revoked key changes nothing."""
    async with write_transaction():
        row = await MachineKey.select(MachineKey.id, MachineKey.active).where(
            (MachineKey.id == key_id) & _in_jurisdiction(actor)).first()
        if row is None:
            raise NotFound("machine_key_not_found", "Không tìm thấy khoá API")
        if row["active"]:
            await MachineKey.update({MachineKey.active: False, MachineKey.revoked_at: clock.now()}).where(
                MachineKey.id == key_id)
            await audit.record(actor_id=actor.id, actor_name=actor.full_name, action="machine_key.revoke",
                               entity="machine_key", entity_id=key_id, before={"active": True},
                               after={"active": False})
        return await _get(key_id)


async def holder_of(key: str) -> KeyHolder | None:
    """The active key with this secret, or None (unknown, revoked, or its unit closed)."""
    if not key or len(key) > 200:
        return None
    row = await MachineKey.select(
        MachineKey.id, MachineKey.name, MachineKey.scopes, MachineKey.unit, MachineKey.unit.path,
        MachineKey.unit.name, MachineKey.unit.active,
    ).where((MachineKey.key_hash == key_digest(key)) & MachineKey.active.eq(True)).first()
    if row is None or not row["unit.active"]:
        return None
    return KeyHolder(id=row["id"], name=row["name"], scopes=frozenset(row["scopes"].split()), unit_id=row["unit"],
                     unit_path=row["unit.path"], unit_name=row["unit.name"])


# One statement counts the request and notes the time of use: concurrent requests get distinct counts, on
# every process, and a window that has ended starts again at 1.
_COUNT_SQL = (
    "UPDATE machine_keys SET "
    "window_count = CASE WHEN window_ends <= {} THEN 1 ELSE window_count + 1 END, "
    "window_ends = CASE WHEN window_ends <= {} THEN {} ELSE window_ends END, "
    "last_used_at = {} "
    "WHERE id = {} RETURNING window_count, window_ends, rate_per_minute"
)


async def count_request(key_id: int) -> int:
    """Count one request of the key; 0 when it is within its rate, else the seconds until the next window."""
    now = int(clock.now().timestamp())  # the clock tests move, as every other "now"
    rows = await MachineKey.raw(_COUNT_SQL, now, now, now + WINDOW_SECONDS, clock.now(), key_id)
    if not rows:
        return 0
    row = rows[0]
    if int(row["window_count"]) > int(row["rate_per_minute"]):
        return max(1, int(row["window_ends"]) - now)
    return 0
