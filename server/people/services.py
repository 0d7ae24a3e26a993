"""People, their role and unit; `Actor` is who is acting, with the unit path that scopes what they see."""

from __future__ import annotations

from server.audit import services as audit
from server.lib import clock
from server.lib.actor import Actor
from server.lib.db import is_sqlite, write_transaction
from server.lib.errors import Conflict, Invalid, NotFound
from server.lib.passwords import hash_password
from server.lib.shortcache import ShortCache
from server.lib.vn_text import fold, person_sort_key
from server.people.tables import Person, Role
from server.units import events as unit_events
from server.units.tables import Unit

MIN_PASSWORD_LENGTH = 10


# Who a session belongs to is read on every request; up to 2 seconds of staleness on the other processes
# after an admin changes someone's role or unit, or deactivates them, is the price (update_person clears its
# own process's entry at once). The signed session's revocation delay is this (docs/decisions/0003).
ACTOR_CACHE_SECONDS = 2.0
_actors: ShortCache[int, Actor | None] = ShortCache(ACTOR_CACHE_SECONDS, limit=10_000)


async def get_actor(person_id: int) -> Actor | None:
    return await _actors.get(person_id, _load_actor)


def forget_actor(person_id: int | None = None) -> None:
    """Forget one cached person, or everybody (a unit moved, so every path below it changed)."""
    _actors.forget(person_id)


unit_events.on_tree_changed(forget_actor)  # a unit moved: every cached path below it is stale


async def _load_actor(person_id: int) -> Actor | None:
    row = (
        await Person.select(
            Person.id,
            Person.username,
            Person.full_name,
            Person.role,
            Person.unit,
            Person.locale,
            Person.session_epoch,
            Person.triage,
            Person.unit.path,
            Person.unit.name,
        )
        .where((Person.id == person_id) & (Person.active.eq(True)))
        .first()
    )
    if row is None:
        return None
    return Actor(
        id=row["id"],
        username=row["username"],
        full_name=row["full_name"],
        role=row["role"],
        unit_id=row["unit"],
        unit_path=row["unit.path"],
        unit_name=row["unit.name"],
        locale=row["locale"],
        session_epoch=row["session_epoch"],
        triage=row["triage"],
    )


def _public(row: dict) -> dict:
    return {
        "id": row["id"],
        "username": row["username"],
        "full_name": row["full_name"],
        "title": row["title"],
        "role": row["role"],
        "unit_id": row["unit"],
        "active": row["active"],
        "triage": row["triage"],
    }


async def list_people(*, unit_path: str | None = None, q: str = "", limit: int = 200) -> list[dict]:
    """People by given name, then the rest of the name, in Vietnamese collation (vn_text.person_sort_key).

    Sorted here, not in SQL: neither engine collates Vietnamese (Đ after D, tones second) and a jurisdiction
    holds a few thousand people at most, so every match is read and the first `limit` kept after sorting.
    """
    query = Person.select(
        Person.id, Person.username, Person.full_name, Person.title, Person.role, Person.unit, Person.active,
        Person.triage,
    )
    if unit_path is not None:
        query = query.where(Person.unit.is_in(Unit.select(Unit.id).where(Unit.path.like(f"{unit_path}%"))))
    if q:
        query = query.where(Person.search_text.like(f"%{fold(q)}%"))
    rows = sorted(await query, key=lambda row: (person_sort_key(row["full_name"]), row["id"]))
    return [_public(row) for row in rows[:limit]]


async def get_person(person_id: int) -> dict:
    row = await Person.select().where(Person.id == person_id).first()
    if row is None:
        raise NotFound("person_not_found", "Không tìm thấy cán bộ")
    return _public(row)


async def create_person(
    *,
    actor_id: int | None,
    username: str,
    full_name: str,
    role: str,
    unit_id: int,
    password: str,
    title: str = "",
    email: str = "",
    phone: str = "",
    is_demo: bool = False,
    scope_path: str | None = None,
) -> dict:
    """`scope_path`: an administrator's own unit tree; the new person's unit must be inside it."""
    username = username.strip().lower()
    full_name = full_name.strip()
    if not username or not full_name:
        raise Invalid("person_fields_required", "Cần nhập tên đăng nhập và họ tên")
    if len(username) > 64 or len(phone) > 32 or max(len(full_name), len(title), len(email)) > 255:
        raise Invalid("text_too_long", "Nội dung quá dài")
    if len(password) > 1024:
        raise Invalid("password_too_long", "Mật khẩu quá dài")
    if role not in {r.value for r in Role}:
        raise Invalid("role_invalid", "Vai trò không hợp lệ")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid("password_too_short", f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự")
    async with write_transaction():
        unit = await Unit.select(Unit.path).where(Unit.id == unit_id).first()
        if unit is None or (scope_path is not None and not unit["path"].startswith(scope_path)):
            raise Invalid("unit_not_found", "Không tìm thấy đơn vị")
        if await Person.exists().where(Person.username == username):
            raise Invalid("username_taken", "Tên đăng nhập đã được dùng")
        rows = await Person.insert(
            Person(
                username=username,
                full_name=full_name,
                title=title,
                email=email,
                phone=phone,
                role=role,
                unit=unit_id,
                password_hash=hash_password(password),
                is_demo=is_demo,
                search_text=fold(f"{full_name} {username} {title}"),
                created_at=clock.now(),
            )
        ).returning(Person.id)
        person = await get_person(rows[0]["id"])
        await audit.record(
            actor_id=actor_id, action="person.create", entity="person", entity_id=person["id"], after=person
        )
    return person


_PRIVILEGE_COLUMNS = (Person.password_hash, Person.role, Person.unit, Person.active, Person.triage)


async def _keep_an_administrator(before: dict, *, role: str | None, active: bool | None) -> None:
    """The last active administrator of a jurisdiction cannot be demoted or deactivated, by themself or
    another: nobody would be left to manage its people, units and holidays.

    Called inside the write transaction, after the person's row was read: on SQLite the transaction is
    IMMEDIATE; on PostgreSQL the administrators' rows are locked, so two admins demoting each other at once
    cannot both see the other still in place."""
    if before["role"] != Role.admin.value or not before["active"]:
        return
    if (role is None or role == Role.admin.value) and active is not False:
        return
    unit = await Unit.select(Unit.path).where(Unit.id == before["unit_id"]).first()
    root = "/" + (unit["path"] if unit else "/").strip("/").split("/")[0] + "/"
    units_below = Unit.select(Unit.id).where(Unit.path.like(f"{root}%"))
    others = Person.select(Person.id).where(
        (Person.role == Role.admin.value)
        & Person.active.eq(True)
        & (Person.id != before["id"])
        & Person.unit.is_in(units_below)
    )
    if not is_sqlite():
        await Person.raw(
            "SELECT id FROM people WHERE role = {} AND active = true AND unit IN "
            "(SELECT id FROM units WHERE path LIKE {}) FOR UPDATE",
            Role.admin.value,
            f"{root}%",
        )
    if not await others.first():
        raise Conflict(
            "last_administrator",
            "Đây là quản trị viên cuối cùng của đơn vị: hãy giao quyền quản trị cho người khác trước khi "
            "khóa hoặc đổi vai trò tài khoản này",
        )


async def update_person(
    *,
    actor_id: int | None,
    person_id: int,
    role: str | None = None,
    unit_id: int | None = None,
    active: bool | None = None,
    password: str | None = None,
    triage: bool | None = None,
    scope_path: str | None = None,
) -> dict:
    async with write_transaction():
        before = await get_person(person_id)
        if scope_path is not None:
            # An administrator manages the people of their own jurisdiction only.
            unit_ids = [before["unit_id"]] + ([unit_id] if unit_id is not None else [])
            rows = await Unit.select(Unit.path).where(Unit.id.is_in(unit_ids))
            if len(rows) < len(set(unit_ids)) or not all(r["path"].startswith(scope_path) for r in rows):
                raise NotFound("person_not_found", "Không tìm thấy cán bộ")
        changes: dict = {}
        if role is not None:
            if role not in {r.value for r in Role}:
                raise Invalid("role_invalid", "Vai trò không hợp lệ")
            changes[Person.role] = role
        if unit_id is not None:
            if not await Unit.exists().where(Unit.id == unit_id):
                raise Invalid("unit_not_found", "Không tìm thấy đơn vị")
            changes[Person.unit] = unit_id
        if active is not None:
            changes[Person.active] = active
        if triage is not None:
            changes[Person.triage] = triage
        if password is not None:
            if len(password) < MIN_PASSWORD_LENGTH:
                raise Invalid("password_too_short", f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự")
            changes[Person.password_hash] = hash_password(password)
        if changes:
            await _keep_an_administrator(before, role=role, active=active)
            if any(column in changes for column in _PRIVILEGE_COLUMNS):
                # Every session of this person made before now ends, on every process (auth.config.retrieve_actor).
                changes[Person.session_epoch] = Person.session_epoch + 1
            await Person.update(changes).where(Person.id == person_id)
        after = await get_person(person_id)
        forget_actor(person_id)
        await audit.record(
            actor_id=actor_id, action="person.update", entity="person", entity_id=person_id, before=before, after=after
        )
    return after


async def demo_accounts_exist() -> bool:
    return await Person.exists().where(Person.is_demo.eq(True) & Person.active.eq(True))
