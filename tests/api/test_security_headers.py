"""Issue 13, finding 8: a strict CSP and the other security headers on every page; HSTS and Secure cookies
when BASE_URL is https; no inline script anywhere a page could need one."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.app import create_app
from server.settings import PROJECT_ROOT, get_settings
from tests.factories import PASSWORD, client_address

TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def directives(csp: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}


def assert_strict(response: httpx.Response) -> None:
    where = response.request.url.path
    csp = response.headers.get("content-security-policy")
    assert csp, f"no CSP on {where}"
    policy = directives(csp)
    assert policy["script-src"] == ["'self'"], where
    assert "'unsafe-inline'" not in policy["default-src"] and "'unsafe-eval'" not in csp
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert "https://tile.openstreetmap.org" in policy["img-src"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in ("strict-origin-when-cross-origin", "same-origin")


async def test_every_kind_of_page_has_the_headers(j: Any, client_for: Any) -> None:
    anonymous = await client_for(None, headers={})
    for path in ("/login", "/portal", "/portal/report", "/app/", "/app/offline.html", "/no-such-page", "/health"):
        response = await anonymous.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        assert_strict(response)
        assert "strict-transport-security" not in response.headers  # plain http: no HSTS
    leader = await client_for(j.leader, headers={})
    for path in ("/tasks", "/dashboard"):
        response = await leader.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert "text/html" in response.headers["content-type"]
        assert_strict(response)


async def test_https_adds_hsts_and_secure_on_every_cookie(monkeypatch: pytest.MonkeyPatch, j: Any) -> None:
    monkeypatch.setenv("BASE_URL", "https://dieuhanh.example.gov.vn")
    get_settings.cache_clear()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(), client=client_address()),
                                     base_url="https://testserver.local") as browser:
            await browse_over_https(browser, j)
    finally:
        monkeypatch.delenv("BASE_URL")
        get_settings.cache_clear()


async def browse_over_https(browser: httpx.AsyncClient, j: Any) -> None:
    page = await browser.get("/login")
    assert page.headers["strict-transport-security"].startswith("max-age=")
    signed = await browser.post("/login", data={"username": j.officer.username, "password": PASSWORD,
                                                "_csrf_token": TOKEN.search(page.text).group(1)})
    assert signed.status_code == 303
    language = await browser.get("/lang/en?next=/login")
    cookies = [*page.headers.get_list("set-cookie"), *signed.headers.get_list("set-cookie"),
               *language.headers.get_list("set-cookie")]
    names = {cookie.split("=", 1)[0] for cookie in cookies}
    assert {"dieuhanh_csrf", "dieuhanh_session", "lang"} <= names
    for cookie in cookies:
        assert "secure" in cookie.lower().replace(" ", "").split(";"), cookie


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_no_page_carries_an_inline_script_or_handler() -> None:
    pages = [*PROJECT_ROOT.joinpath("server").rglob("templates/**/*.html"),
             *PROJECT_ROOT.joinpath("citizen_portal").rglob("templates/**/*.html"),
             *PROJECT_ROOT.joinpath("pwa").glob("*.html")]
    assert len(pages) > 10
    for page in pages:
        text = Path(page).read_text(encoding="utf-8")
        assert not INLINE_SCRIPT.search(text), f"inline <script> in {page}"
        assert not INLINE_HANDLER.search(text), f"on…= handler in {page}"
