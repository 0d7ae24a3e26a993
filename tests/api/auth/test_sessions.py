"""Issue 13, findings 1, 4 and 6: a session id that cannot be fixed, no session for a request with none to
keep, and a password, role or active change that ends the person's other sessions. Since issue 11 the session
is a sealed cookie (auth.sessions): tests/api/auth/test_signed_sessions.py checks what that changes."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.app import create_app
from server.auth import sessions as sessions_module
from server.settings import get_settings
from tests.api.conftest import API_HEADERS
from tests.factories import PASSWORD, client_address, make_person

COOKIE = "dieuhanh_session"
TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def session_files() -> set[str]:
    folder = Path(get_settings().data_dir) / "sessions"
    return {p.name for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def fresh_client(app: Any, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=client_address()), base_url="http://testserver.local", **kwargs
    )


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/v1/auth/login", json={"username": username, "password": password},
                             headers=API_HEADERS)


async def session_works(app: Any, session_id: str) -> bool:
    """Whether a session id, presented by another browser, is signed in."""
    async with fresh_client(app, headers=API_HEADERS) as other:
        other.cookies.set(COOKIE, session_id)
        return (await other.get("/api/v1/auth/me")).status_code == 200


async def test_sign_in_issues_a_new_id_and_the_old_one_is_worthless(app: Any, j: Any) -> None:
    async with fresh_client(app, headers=API_HEADERS) as browser:
        # An id planted before sign-in (a shared computer, a link) is not adopted.
        browser.cookies.set(COOKIE, "a" * 64, domain="testserver.local")
        assert (await sign_in(browser, j.officer.username)).status_code == 200
        first = browser.cookies.get(COOKIE)
        assert first and first != "a" * 64
        assert not await session_works(app, "a" * 64)
        assert await session_works(app, first)

        # Signing in as someone else on the same browser: a new id, and the first person's is gone.
        assert (await sign_in(browser, j.head.username)).status_code == 200
        second = browser.cookies.get(COOKIE)
        assert second and second != first
        assert not await session_works(app, first)
        assert (await browser.get("/api/v1/auth/me")).json()["username"] == j.head.username

        # Signing out ends the id itself, not only this browser's cookie.
        assert (await browser.post("/api/v1/auth/logout", headers=API_HEADERS)).status_code == 200
        assert not await session_works(app, second)


async def test_the_desk_form_issues_a_new_id_too(app: Any, j: Any) -> None:
    async with fresh_client(app) as browser:
        page = await browser.get("/login")
        assert COOKIE not in page.cookies  # no id handed to an anonymous visitor
        browser.cookies.set(COOKIE, "b" * 64, domain="testserver.local")
        signed = await browser.post("/login", data={
            "username": j.leader.username, "password": PASSWORD, "next": "/tasks",
            "_csrf_token": TOKEN.search(page.text).group(1),
        })
        assert signed.status_code == 303, signed.text[:300]
        new_id = signed.cookies.get(COOKIE)
        assert new_id and new_id != "b" * 64
        assert await session_works(app, new_id)
        assert not await session_works(app, "b" * 64)

        csrf = TOKEN.search((await browser.get("/tasks")).text).group(1)
        out = await browser.post("/logout", data={"_csrf_token": csrf})
        assert out.status_code == 303
        assert not await session_works(app, new_id)


async def test_no_session_is_stored_for_requests_without_one(app: Any) -> None:
    before = session_files()
    async with fresh_client(app) as anonymous:
        for path in ("/health", "/login", "/portal", "/static/desk.css", "/app/", "/sw.js",
                     "/open311/v2/services.json", "/portal/reports.json", "/tasks", "/api/v1/auth/me"):
            response = await anonymous.get(path, headers={"Accept": "text/html"})
            assert response.status_code < 500, (path, response.status_code)
            assert COOKIE not in response.cookies, path
        # A stale id is forgotten, not answered with a new session.
        anonymous.cookies.set(COOKIE, "c" * 64, domain="testserver.local")
        response = await anonymous.get("/portal")
        assert response.cookies.get(COOKIE) in (None, "null")
    assert session_files() == before


async def test_an_admin_password_change_ends_the_persons_sessions(app: Any, j: Any, client_for: Any) -> None:
    phone = await client_for(j.officer)
    laptop = await client_for(j.officer)
    admin = await client_for(j.admin)
    assert (await phone.get("/api/v1/auth/me")).status_code == 200
    changed = await admin.patch(f"/api/v1/people/{j.officer.id}", json={"password": "mat-khau-moi-dai-hon"})
    assert changed.status_code == 200, changed.text
    assert (await phone.get("/api/v1/auth/me")).status_code == 401
    assert (await laptop.get("/api/v1/auth/me")).status_code == 401
    # The new password works, the old one does not.
    async with fresh_client(app, headers=API_HEADERS) as again:
        assert (await sign_in(again, j.officer.username)).status_code == 401
        assert (await sign_in(again, j.officer.username, "mat-khau-moi-dai-hon")).status_code == 200
        assert (await again.get("/api/v1/auth/me")).status_code == 200
    assert (await admin.get("/api/v1/auth/me")).status_code == 200  # the admin's own session is untouched


async def test_a_role_change_and_a_deactivation_end_the_persons_sessions(j: Any, client_for: Any) -> None:
    demoted = await make_person(j.dept, role="unit_head", full_name="Lê Thị Giáng")
    leaving = await make_person(j.dept, role="officer", full_name="Phạm Văn Rời")
    demoted_client = await client_for(demoted)
    leaving_client = await client_for(leaving)
    admin = await client_for(j.admin)
    assert (await admin.patch(f"/api/v1/people/{demoted.id}", json={"role": "officer"})).status_code == 200
    assert (await demoted_client.get("/api/v1/auth/me")).status_code == 401
    assert (await admin.patch(f"/api/v1/people/{leaving.id}", json={"active": False})).status_code == 200
    assert (await leaving_client.get("/api/v1/auth/me")).status_code == 401
    again = await client_for(demoted)
    assert (await again.get("/api/v1/auth/me")).json()["role"] == "officer"


async def test_changing_your_own_password_keeps_this_session_and_ends_the_others(j: Any, client_for: Any) -> None:
    here = await client_for(j.admin)
    elsewhere = await client_for(j.admin)
    old_id = here.cookies.get(COOKIE)
    changed = await here.patch(f"/api/v1/people/{j.admin.id}", json={"password": "mat-khau-quan-tri-moi"})
    assert changed.status_code == 200, changed.text
    assert here.cookies.get(COOKIE) != old_id  # a new id for the changed privilege
    assert (await here.get("/api/v1/auth/me")).status_code == 200
    assert (await elsewhere.get("/api/v1/auth/me")).status_code == 401


REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str]]:
    """The app with its sessions in Redis (several processes), under key names of this run's own."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"Redis does not answer at {REDIS_URL}, and REQUIRE_REDIS is set")
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    prefix = f"dieuhanh-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("REDIS_PREFIX", prefix)
    get_settings.cache_clear()
    try:
        yield create_app(), prefix
    finally:
        monkeypatch.delenv("REDIS_URL")
        get_settings.cache_clear()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"{prefix}*", count=500):
            client.delete(key)


def redis_session_keys(prefix: str) -> set[bytes]:
    import redis

    return set(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"{prefix}*sessions*", count=500))


async def test_sessions_in_redis_rotate_end_and_are_not_made_for_nothing(redis_app: tuple[Any, str], j: Any) -> None:
    """Several processes share Redis: nothing is kept there for a session, only a marker for an id that ended."""
    app, prefix = redis_app
    async with fresh_client(app) as anonymous:
        for path in ("/health", "/login", "/portal", "/static/desk.css", "/app/"):
            assert (await anonymous.get(path)).status_code < 500
    assert redis_session_keys(prefix) == set()

    async with fresh_client(app, headers=API_HEADERS) as phone, fresh_client(app, headers=API_HEADERS) as desk:
        phone.cookies.set(COOKIE, "d" * 64, domain="testserver.local")
        assert (await sign_in(phone, j.officer.username)).status_code == 200
        assert phone.cookies.get(COOKIE) != "d" * 64
        assert (await sign_in(desk, j.officer.username)).status_code == 200
        assert redis_session_keys(prefix) == set()  # a signed session needs no record
        first_desk_id = desk.cookies.get(COOKIE)
        assert (await sign_in(desk, j.officer.username)).status_code == 200  # again: a new id, the old one gone
        assert desk.cookies.get(COOKIE) != first_desk_id
        ended = redis_session_keys(prefix)
        assert len(ended) == 1 and b"ended-" in next(iter(ended))
        sessions_module.forget_checks()  # as another process would: it learns it from Redis
        assert not await session_works(app, first_desk_id)
        assert (await phone.get("/api/v1/auth/me")).status_code == 200

        async with fresh_client(app, headers=API_HEADERS) as admin:
            assert (await sign_in(admin, j.admin.username)).status_code == 200
            changed = await admin.patch(f"/api/v1/people/{j.officer.id}", json={"password": "mat-khau-redis-moi"})
            assert changed.status_code == 200, changed.text
        assert (await phone.get("/api/v1/auth/me")).status_code == 401
        assert (await desk.get("/api/v1/auth/me")).status_code == 401
