"""Issue 11: the session is a sealed cookie that carries who is acting (auth.sessions), checked without a store
read; revocation still reaches every process within seconds (docs/decisions/0003-signed-sessions.md)."""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any
from unittest import mock

import httpx

from server.auth import sessions
from server.auth.config import SESSION_MAX_AGE
from server.people.services import get_actor
from server.people.tables import Person
from server.settings import get_settings
from server.units.services import move_unit
from tests.api.conftest import API_HEADERS
from tests.factories import client_address, make_person

COOKIE = "dieuhanh_session"


def browser(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=client_address()),
                             base_url="http://testserver.local", headers=API_HEADERS)


def backend() -> sessions.SignedSessionBackend:
    config = sessions.SignedSessionConfig(
        secret=sessions.cookie_secret(get_settings().secret_key), max_age=SESSION_MAX_AGE, key=COOKIE
    )
    return sessions.SignedSessionBackend(config)


def opened(cookie: str) -> dict[str, Any]:
    return backend().load_data([cookie.encode()])


async def works(app: Any, cookie: str) -> bool:
    async with browser(app) as other:
        other.cookies.set(COOKIE, cookie)
        return (await other.get("/api/v1/auth/me")).status_code == 200


async def refused_within(app: Any, cookie: str, seconds: float) -> float | None:
    """How long until the cookie is refused, polling as another browser would; None if it never is."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if not await works(app, cookie):
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    return None


async def test_the_cookie_carries_the_person_sealed(j: Any, client_for: Any) -> None:
    client = await client_for(j.officer)
    cookie = client.cookies.get(COOKIE)
    assert j.officer.username.encode() not in base64.b64decode(cookie)  # sealed, not only signed
    data = opened(cookie)
    assert data["p"] == j.officer.id and data["e"] == j.officer.session_epoch
    carried = data["a"]  # what the request needs, compared with the person's current row
    assert (carried["role"], carried["unit_id"], carried["unit_path"], carried["triage"], carried["locale"]) == (
        "officer", j.officer.unit_id, j.officer.unit_path, False, j.officer.locale
    )
    # An unchanged session is not written again: no Set-Cookie on an ordinary request.
    response = await client.get("/api/v1/auth/me")
    assert response.status_code == 200 and COOKIE not in response.cookies


async def test_a_tampered_cookie_is_refused(app: Any, j: Any, client_for: Any) -> None:
    cookie = (await client_for(j.officer)).cookies.get(COOKIE)
    assert await works(app, cookie)
    raw = bytearray(base64.b64decode(cookie))
    raw[20] ^= 1  # one bit of the sealed data
    assert not await works(app, base64.b64encode(bytes(raw)).decode())
    # The expiry is authenticated too: pushing it a year on breaks the seal.
    longer = base64.b64decode(cookie).replace(b'"expires_at":', b'"expires_at":1', 1)
    assert not await works(app, base64.b64encode(longer).decode())
    assert not await works(app, cookie[:-8])
    assert not await works(app, "null")


async def test_an_expired_cookie_is_refused(app: Any, j: Any) -> None:
    actor = await get_actor(j.officer.id)
    assert actor is not None
    fresh = backend().dump_data(sessions.new_session(actor))[0].decode()
    assert await works(app, fresh)  # the same session, made now, is good
    month_ago = time.time() - SESSION_MAX_AGE - 60
    with mock.patch("litestar.middleware.session.client_side.time.time", return_value=month_ago):
        old = backend().dump_data(sessions.new_session(actor))[0].decode()
    assert not await works(app, old)


async def test_a_deactivation_by_another_process_is_refused_within_seconds(app: Any, j: Any, client_for: Any) -> None:
    leaving = await make_person(j.dept, role="officer", full_name="Phạm Văn Rời")
    cookie = (await client_for(leaving)).cookies.get(COOKIE)
    assert await works(app, cookie)
    # Another process deactivates them: this one's caches are not told, and no restart happens.
    await Person.update({Person.active: False}).where(Person.id == leaving.id)
    took = await refused_within(app, cookie, 5.0)
    assert took is not None and took <= 2.5, took


async def test_a_role_change_by_another_process_takes_effect_within_seconds(app: Any, j: Any, client_for: Any) -> None:
    head = await make_person(j.dept, role="unit_head", full_name="Lê Thị Giáng")
    cookie = (await client_for(head)).cookies.get(COOKIE)
    await Person.update({Person.role: "officer", Person.session_epoch: Person.session_epoch + 1}).where(
        Person.id == head.id
    )
    took = await refused_within(app, cookie, 5.0)
    assert took is not None and took <= 2.5, took
    again = await client_for(head)
    assert (await again.get("/api/v1/auth/me")).json()["role"] == "officer"


async def test_a_role_change_takes_effect_on_the_next_request(app: Any, j: Any, client_for: Any) -> None:
    promoted = await make_person(j.dept, role="officer", full_name="Trương Văn Lên")
    client = await client_for(promoted)
    assert (await client.get("/api/v1/people")).json()[0]["id"] == promoted.id  # an officer sees only themself
    admin = await client_for(j.admin)
    assert (await admin.patch(f"/api/v1/people/{promoted.id}", json={"role": "unit_head"})).status_code == 200
    assert (await client.get("/api/v1/people")).status_code == 401  # the session of the old role is over
    again = await client_for(promoted)
    assert (await again.get("/api/v1/auth/me")).json()["role"] == "unit_head"
    assert len((await again.get("/api/v1/people")).json()) > 1  # a unit head sees their unit


async def test_signing_out_ends_that_session_only_on_every_process(app: Any, j: Any, client_for: Any) -> None:
    phone = await client_for(j.officer)
    laptop = await client_for(j.officer)
    phone_cookie = phone.cookies.get(COOKIE)
    assert (await phone.post("/api/v1/auth/logout")).status_code == 200
    assert not phone.cookies.get(COOKIE)
    assert not await works(app, phone_cookie)  # a copy of the cookie is worth nothing
    # Another process knows it from the shared store (here: this process with its caches emptied).
    sessions.forget_checks()
    assert not await works(app, phone_cookie)
    assert (await laptop.get("/api/v1/auth/me")).status_code == 200


async def test_a_moved_unit_refreshes_the_session_without_ending_it(app: Any, j: Any, client_for: Any) -> None:
    client = await client_for(j.officer)
    sealed = opened(client.cookies.get(COOKIE))
    before = sealed["a"]["unit_path"]
    await move_unit(j.dept.id, j.other_dept.id)  # the officer's sub-unit moves with its department
    response = await client.get("/api/v1/auth/me")
    assert response.status_code == 200
    resealed = opened(response.cookies[COOKIE])
    after = resealed["a"]["unit_path"]
    assert after != before and after.startswith(f"{j.other_dept.path}{j.dept.id}/")
    # The same session, resealed now: an end of it must outlive the new cookie.
    assert resealed["s"] == sealed["s"] and resealed["t"] >= sealed["t"]


async def test_a_session_in_use_is_resealed_once_a_day_so_it_expires_only_unused(app: Any, j: Any) -> None:
    actor = await get_actor(j.officer.id)
    assert actor is not None
    # Signed in 29 days ago and used since: without a reseal its cookie would expire tomorrow.
    then = time.time() - 29 * 24 * 3600
    with mock.patch("litestar.middleware.session.client_side.time.time", return_value=then), \
            mock.patch("server.auth.sessions.time.time", return_value=then):
        old = backend().dump_data(sessions.new_session(actor))[0].decode()
    async with browser(app) as phone:
        phone.cookies.set(COOKIE, old)
        response = await phone.get("/api/v1/auth/me")
        assert response.status_code == 200
        resealed = opened(response.cookies[COOKIE])
        assert resealed["s"] == opened(old)["s"]  # the same session, not a new sign-in
        assert resealed["t"] >= time.time() - 60
        max_age = next(c for c in response.headers.get_list("set-cookie") if c.startswith(COOKIE))
        assert f"Max-Age={SESSION_MAX_AGE}" in max_age
        # Resealed once: the next request writes nothing.
        again = await phone.get("/api/v1/auth/me")
        assert again.status_code == 200 and COOKIE not in again.cookies
    # A month after the reseal (the app not opened since), the cookie is refused as any expired one.
    later = time.time() + SESSION_MAX_AGE + 60
    with mock.patch("litestar.middleware.session.client_side.time.time", return_value=later):
        assert not backend().load_data([response.cookies[COOKIE].encode()])
