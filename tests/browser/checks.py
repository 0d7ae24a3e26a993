"""What the browser tests check: a task's state read back from the server's database, a screen that fits the
phone, and the patience of their expectations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect

from server.tasks.tables import Task
from tests.browser.conftest import PHONE


async def task_state(task_id: int) -> str:
    row = await Task.select(Task.state).where(Task.id == task_id).first()
    return row["state"]


async def task_is(task_id: int, state: str) -> bool:
    return await task_state(task_id) == state


async def no_horizontal_scroll(page: Page, where: str) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{where}: the page is {width} px wide on a {PHONE['width']} px phone"


@pytest.fixture(autouse=True, name="_patient_expectations")
def patient_expectations() -> Iterator[None]:
    """Screens that wait for the server get 15 s (as the phone contexts' actions do), not expect's 5 s: the
    test machine is shared, and a slow answer is not a wrong one. Autouse in a module that imports it."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)
