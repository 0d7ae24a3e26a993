"""The app's header at 390 px (issue 10, point 9): offline, the app's name and the signed-in person's full name
both show whole (they were cut to "Đ" when the offline sign took its place in the same row)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Page, expect

from tests.browser.app.conftest import open_app

SHOTS = Path("/tmp/shots")


async def _whole(page: Page, selector: str) -> bool:
    """Shown, and not cut: its text fits in its box."""
    return await page.evaluate(
        """sel => { const el = document.querySelector(sel); const box = el.getBoundingClientRect();
                    return box.width > 0 && el.scrollWidth <= Math.ceil(box.width) + 1; }""", selector)


async def test_offline_the_header_shows_the_apps_name_and_the_persons_full_name(phone: Any, j: Any) -> None:
    context = await phone(j.officer)
    page = await open_app(context, "/app/#/")
    await context.set_offline(True)
    await page.reload()
    await page.wait_for_selector("body[data-ready=yes]", state="attached")
    await expect(page.locator("#offline")).to_be_visible()
    await expect(page.locator(".brand")).to_have_text("Điều hành")
    await expect(page.locator("#user")).to_have_text(j.officer.full_name)
    assert await _whole(page, ".brand") and await _whole(page, "#user")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await page.screenshot(path=str(SHOTS / "offline-header-390.png"),
                          clip={"x": 0, "y": 0, "width": 390, "height": 160})
    await context.set_offline(False)
