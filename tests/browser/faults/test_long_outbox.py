"""An officer offline for days: more changes wait than the sync endpoint takes in one request (100)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from playwright.async_api import Browser

from bench.fault_run import HANOI, HEADERS, PHONE
from server.lib import clock
from server.tasks.tables import ProgressReport
from tests.browser.waits import wait_until
from tests.factories import PASSWORD, make_person, make_task

QUEUED = 130


async def test_an_outbox_longer_than_one_batch_reaches_the_server(browser: Browser, server_url: str, j: Any) -> None:
    officer = await make_person(j.dept_sub, "officer", "Vũ Văn Vắng Sóng")
    task = await make_task(j, title="Theo dõi mực nước sông", assignees=[officer],
                           deadline=clock.today_vn() + dt.timedelta(days=5))
    context = await browser.new_context(base_url=server_url, viewport=PHONE, locale="vi-VN", geolocation=HANOI,
                                        permissions=["geolocation", "background-sync"])
    try:
        response = await context.request.post(
            "/api/v1/auth/login", data={"username": officer.username, "password": PASSWORD}, headers=HEADERS
        )
        assert response.ok
        page = await context.new_page()
        await page.goto("/app/")
        await page.wait_for_selector("body[data-ready=yes]")
        await wait_until(page, "navigator.serviceWorker.controller !== null")
        await context.set_offline(True)
        await page.evaluate(
            """async ([n, id]) => { for (let i = 0; i < n; i++) {
                 const body = {note: `Mực nước lần ${i + 1}`, percent: null, captured_at: new Date().toISOString()};
                 await DH.app.queue('progress', id, body, {label: ''}); } }""",
            [QUEUED, task["id"]],
        )
        await context.set_offline(False)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if await ProgressReport.count().where(ProgressReport.task == task["id"]) == QUEUED:
                break
            await page.wait_for_timeout(250)
        assert await ProgressReport.count().where(ProgressReport.task == task["id"]) == QUEUED
        await wait_until(page, "DH.outbox.list().then(items => items.length === 0)")
    finally:
        await context.close()
