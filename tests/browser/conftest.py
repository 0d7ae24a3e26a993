"""Browser tests: the real app in a uvicorn subprocess (same database as the tests), driven by headless Chromium.

The root conftest sets DATABASE_URL, DATA_DIR and SECRET_KEY at import and migrates the database in the
session fixture `migrated_database`; the server started here inherits that environment, so the people the
factories create in this process can sign in there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from bench.local import free_port, is_healthy
from tests.factories import PASSWORD, Jurisdiction, make_jurisdiction

ROOT = Path(__file__).resolve().parents[2]
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
START_TIMEOUT = 30.0




@pytest.fixture(scope="session")
def server_url(migrated_database: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("server") / "uvicorn.log"
    env = {**os.environ, "BASE_URL": url, "PYTHONUNBUFFERED": "1"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not is_healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the app did not start:\n{log_path.read_text(errors='replace')}")
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("Chromium is not installed")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=executable, args=["--disable-dev-shm-usage"])
        yield chromium
        await chromium.close()


@pytest.fixture(scope="session")
async def j() -> Jurisdiction:
    """One commune for the browser tests (people and units only); every test makes its own tasks."""
    return await make_jurisdiction()


@pytest.fixture(scope="session")
def _signed_in_states() -> dict[int, Any]:
    return {}


@pytest.fixture
async def new_context(browser: Browser, server_url: str) -> AsyncIterator[Callable[..., Awaitable[BrowserContext]]]:
    """Fresh browser contexts (separate cookies: one per person), closed after the test."""
    contexts: list[BrowserContext] = []

    async def make(viewport: dict[str, int] | None = None, **options: Any) -> BrowserContext:
        context = await browser.new_context(
            base_url=server_url, viewport=viewport or DESK, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
            **options,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        await context.close()


@pytest.fixture
async def open_as(
    new_context: Callable[..., Awaitable[BrowserContext]], _signed_in_states: dict[int, Any]
) -> Callable[..., Awaitable[Page]]:
    """A page signed in as `actor` in a context of its own. The first time a person signs in through the
    form; later contexts reuse that session's cookies (signing in costs an argon2 verification, ~0.6 s).
    Tests that sign out must use `sign_in` instead, which makes a session of its own."""

    async def open_page(actor: Any, path: str = "/tasks", **options: Any) -> Page:
        state = _signed_in_states.get(actor.id)
        if state is None:
            context = await new_context(**options)
            page = await sign_in(context, actor, path)
            _signed_in_states[actor.id] = await context.storage_state()
            return page
        context = await new_context(storage_state=state, **options)
        page = await context.new_page()
        await page.goto(path)
        return page

    return open_page


async def sign_in(context: BrowserContext, actor: object, path: str = "/tasks") -> Page:
    """Sign in through the login form, the way a person does, and land on `path`."""
    page = await context.new_page()
    await page.goto(path)
    await page.get_by_label("Tên đăng nhập").fill(actor.username)  # type: ignore[attr-defined]
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(f"**{path}")
    return page
