"""Signing in: argon2id verification behind an atomic throttle, and what ends a person's sessions.

The throttle counts attempts, not failures, and counts them *before* the password is checked, with one
`INSERT … ON CONFLICT … RETURNING` per key: N concurrent guesses get N distinct counts, so at most
`PER_SOURCE_LIMIT` of them reach argon2 however they are sent (a read-then-write counter let 19 of 20 through).

Three keys per attempt, so that a stranger slows himself and not the owner:
- (username, address): `PER_SOURCE_LIMIT` attempts a window; a stranger's guesses lock only his own address;
- username: a higher ceiling, `PER_PERSON_LIMIT`, against guesses spread over many addresses;
- address: `PER_ADDRESS_LIMIT`, against one address trying many usernames.
A correct password resets the (username, address) key and gives back its attempt to the other two, so that
only failures add up there (an office behind one address signs in all day). The address is the peer's, or
the one a trusted proxy names (server.lib.middleware.proxy_middleware, TRUSTED_PROXIES).
"""

from __future__ import annotations

import asyncio
import random
import time

from server.auth.passwords import hash_password, needs_rehash, verify_password
from server.lib.errors import DomainError, Unauthenticated
from server.people.services import Actor, get_actor
from server.people.tables import LoginThrottle, Person

WINDOW_SECONDS = 15 * 60
PER_SOURCE_LIMIT = 5
PER_PERSON_LIMIT = 30
PER_ADDRESS_LIMIT = 100


class TooManyAttempts(DomainError):
    status_code = 429


_COUNT_SQL = (
    "INSERT INTO login_throttle (key, attempts, window_ends) VALUES ({}, 1, {}) "
    "ON CONFLICT (key) DO UPDATE SET "
    "attempts = CASE WHEN login_throttle.window_ends <= {} THEN 1 ELSE login_throttle.attempts + 1 END, "
    "window_ends = CASE WHEN login_throttle.window_ends <= {} THEN excluded.window_ends "
    "ELSE login_throttle.window_ends END "
    "RETURNING attempts"
)


async def _count(key: str, now: int) -> int:
    """One more attempt under `key`; returns the attempts in the current window, this one included."""
    rows = await LoginThrottle.raw(_COUNT_SQL, key[:320], now + WINDOW_SECONDS, now, now)
    return int(rows[0]["attempts"])


async def _forget(key: str) -> None:
    await LoginThrottle.delete().where(LoginThrottle.key == key[:320])


async def _give_back(key: str) -> None:
    await LoginThrottle.update({LoginThrottle.attempts: LoginThrottle.attempts - 1}).where(
        (LoginThrottle.key == key[:320]) & (LoginThrottle.attempts > 0)
    )


async def _sweep(now: int) -> None:
    """Rows of past windows are worthless; one attempt in a hundred clears them (an index on window_ends)."""
    if random.random() < 0.01:
        await LoginThrottle.delete().where(LoginThrottle.window_ends <= now)


def _keys(username: str, address: str) -> tuple[str, str, str]:
    return f"s:{username}@{address}", f"p:{username}", f"a:{address}"


async def _reserve_attempt(username: str, address: str) -> None:
    """Count this attempt; refuse it, unchecked, when a limit is passed."""
    now = int(time.time())
    source_key, person_key, address_key = _keys(username, address)
    locked = TooManyAttempts(
        "login_locked", "Đăng nhập sai quá nhiều lần; hãy thử lại sau 15 phút", retry_after=WINDOW_SECONDS
    )
    if await _count(source_key, now) > PER_SOURCE_LIMIT:
        raise locked
    if await _count(person_key, now) > PER_PERSON_LIMIT:
        raise locked
    if await _count(address_key, now) > PER_ADDRESS_LIMIT:
        raise locked
    await _sweep(now)


async def authenticate(username: str, password: str, address: str) -> Actor:
    username = (username or "").strip().lower()[:64]
    address = address or "unknown"
    await _reserve_attempt(username, address)
    row = (
        await Person.select(Person.id, Person.password_hash, Person.active).where(Person.username == username).first()
        if username
        else None
    )
    # argon2 takes ~0.5 s of CPU by design: keep it off the event loop so other requests go on.
    ok = await asyncio.to_thread(verify_password, row["password_hash"] if row else None, password or "")
    if not ok or row is None or not row["active"]:
        raise Unauthenticated("login_failed", "Tên đăng nhập hoặc mật khẩu không đúng")
    source_key, person_key, address_key = _keys(username, address)
    await _forget(source_key)
    await _give_back(person_key)
    await _give_back(address_key)
    if needs_rehash(row["password_hash"]):
        new_hash = await asyncio.to_thread(hash_password, password)
        await Person.update({Person.password_hash: new_hash}).where(Person.id == row["id"])
    actor = await get_actor(row["id"])
    if actor is None:  # pragma: no cover - just checked active
        raise Unauthenticated("login_failed", "Tên đăng nhập hoặc mật khẩu không đúng")
    return actor

