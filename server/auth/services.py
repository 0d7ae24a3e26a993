"""Signing in: argon2id verification and a per-username throttle beside the per-IP rate limit."""

from __future__ import annotations

import asyncio

from litestar.stores.base import Store

from server.auth.passwords import hash_password, needs_rehash, verify_password
from server.lib.errors import DomainError, Unauthenticated
from server.people.services import Actor, get_actor
from server.people.tables import Person

MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60


class TooManyAttempts(DomainError):
    status_code = 429


def _failures_key(username: str) -> str:
    return f"login-failures:{username}"


async def authenticate(store: Store, username: str, password: str) -> Actor:
    username = (username or "").strip().lower()
    key = _failures_key(username)
    failures = int((await store.get(key)) or 0)
    if failures >= MAX_FAILURES:
        raise TooManyAttempts("login_locked", "Đăng nhập sai quá nhiều lần; hãy thử lại sau 15 phút")
    row = (
        await Person.select(Person.id, Person.password_hash, Person.active).where(Person.username == username).first()
        if username
        else None
    )
    # argon2 takes ~0.5 s of CPU by design: keep it off the event loop so other requests go on.
    ok = await asyncio.to_thread(verify_password, row["password_hash"] if row else None, password or "")
    if not ok or row is None or not row["active"]:
        await store.set(key, str(failures + 1), expires_in=LOCKOUT_SECONDS)
        raise Unauthenticated("login_failed", "Tên đăng nhập hoặc mật khẩu không đúng")
    await store.delete(key)
    if needs_rehash(row["password_hash"]):
        new_hash = await asyncio.to_thread(hash_password, password)
        await Person.update({Person.password_hash: new_hash}).where(Person.id == row["id"])
    actor = await get_actor(row["id"])
    if actor is None:  # pragma: no cover - just checked active
        raise Unauthenticated("login_failed", "Tên đăng nhập hoặc mật khẩu không đúng")
    return actor
