"""Issue 13, finding 3: the sign-in throttle holds under concurrency, slows the attacker and not the owner, and
believes X-Forwarded-For only from the proxies TRUSTED_PROXIES names."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from server.app import create_app
from server.auth import services as auth
from server.settings import get_settings
from tests.api.conftest import API_HEADERS
from tests.factories import PASSWORD, client_address


@pytest.fixture
def counted_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password that reaches argon2."""
    real = auth.verify_password
    calls: list[str] = []

    def spy(password_hash: str | None, password: str) -> bool:
        calls.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", spy)
    return calls


def client_at(app: Any, address: str, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 50000)),
                             base_url="http://testserver.local", headers=API_HEADERS, **kwargs)


async def login(client: httpx.AsyncClient, username: str, password: str, **kwargs: Any) -> int:
    response = await client.post("/api/v1/auth/login", json={"username": username, "password": password}, **kwargs)
    return response.status_code


async def test_twenty_wrong_passwords_four_at_a_time_are_checked_five_times(
    app: Any, j: Any, counted_checks: list[str]
) -> None:
    address = client_address()[0]
    async with client_at(app, address) as attacker:
        statuses: list[int] = []
        for _round in range(5):
            statuses += await asyncio.gather(*(login(attacker, j.leader.username, f"sai-{n}") for n in range(4)))
    assert len(counted_checks) == auth.PER_SOURCE_LIMIT
    assert statuses.count(401) == auth.PER_SOURCE_LIMIT
    assert statuses.count(429) == 20 - auth.PER_SOURCE_LIMIT


async def test_twenty_at_once_are_checked_five_times(app: Any, j: Any, counted_checks: list[str]) -> None:
    async with client_at(app, client_address()[0]) as attacker:
        statuses = await asyncio.gather(*(login(attacker, j.officer.username, f"sai-{n}") for n in range(20)))
    assert len(counted_checks) == auth.PER_SOURCE_LIMIT
    assert sorted(statuses) == [401] * auth.PER_SOURCE_LIMIT + [429] * (20 - auth.PER_SOURCE_LIMIT)


async def test_a_strangers_guesses_do_not_lock_the_leader_out(app: Any, j: Any) -> None:
    async with client_at(app, client_address()[0]) as stranger, client_at(app, client_address()[0]) as leader:
        for n in range(auth.PER_SOURCE_LIMIT + 3):
            assert await login(stranger, j.leader.username, f"doan-{n}") in (401, 429)
        assert await login(stranger, j.leader.username, PASSWORD) == 429  # even the right one, from there
        assert await login(leader, j.leader.username, PASSWORD) == 200  # from her own address


async def test_guesses_from_many_addresses_meet_the_per_person_ceiling(app: Any, j: Any,
                                                                       counted_checks: list[str]) -> None:
    statuses = []
    for _n in range(auth.PER_PERSON_LIMIT + 5):
        async with client_at(app, client_address()[0]) as one:
            statuses.append(await login(one, j.head.username, "sai-mat-khau"))
    assert len(counted_checks) == auth.PER_PERSON_LIMIT
    assert statuses.count(429) == 5


async def test_forwarded_for_is_believed_only_from_a_trusted_proxy(
    monkeypatch: pytest.MonkeyPatch, j: Any, counted_checks: list[str]
) -> None:
    untrusted = create_app()
    async with client_at(untrusted, "127.0.0.1") as loopback:
        for n in range(auth.PER_SOURCE_LIMIT + 3):
            # A fresh made-up address each time: not a fresh bucket.
            await login(loopback, j.officer.username, f"sai-{n}", headers={**API_HEADERS,
                                                                           "X-Forwarded-For": f"10.9.8.{n}"})
    assert len(counted_checks) == auth.PER_SOURCE_LIMIT

    counted_checks.clear()
    monkeypatch.setenv("TRUSTED_PROXIES", "10.200.0.0/16")
    get_settings.cache_clear()
    try:
        behind_proxy = create_app()
    finally:
        monkeypatch.delenv("TRUSTED_PROXIES")
        get_settings.cache_clear()
    async with client_at(behind_proxy, "10.200.0.1") as proxy:
        for n in range(auth.PER_SOURCE_LIMIT + 1):
            # The client prepends a lie; the proxy appends the address it saw, which is the one believed.
            headers = {**API_HEADERS, "X-Forwarded-For": f"1.2.3.{n}, 203.0.113.7"}
            await login(proxy, j.head.username, f"sai-{n}", headers=headers)
        assert len(counted_checks) == auth.PER_SOURCE_LIMIT
        other = {**API_HEADERS, "X-Forwarded-For": "203.0.113.8"}
        assert await login(proxy, j.head.username, PASSWORD, headers=other) == 200


async def test_signing_in_often_does_not_meet_the_per_person_ceiling(app: Any, j: Any) -> None:
    """Only failures add up towards it: an officer who signs in on many phones and desks is never locked."""
    for _n in range(auth.PER_PERSON_LIMIT + 2):
        async with client_at(app, client_address()[0]) as desk:
            assert await login(desk, j.receptionist.username, PASSWORD) == 200
