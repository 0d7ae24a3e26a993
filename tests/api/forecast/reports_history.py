"""Past citizen reports written straight into the tables, as years of triage would have left them: the learned
routing's examples and the duplicates' neighbours. The actions under test go through the app over HTTP."""

from __future__ import annotations

import datetime as dt
import random
import re
import string
from typing import Any

from server.lib import clock
from server.lib.vn_text import fold
from server.reports.tables import Report

TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def code() -> str:
    return "PA-" + "".join(random.choices(string.ascii_uppercase + string.digits, k=6))


async def past_report(category_id: int, description: str, *, unit_id: int | None = None, lat: float = 10.7531,
                      lon: float = 106.6702, days_ago: float = 30, status: str = "resolved") -> dict[str, Any]:
    """A report received `days_ago`, accepted for `unit_id` (and resolved) unless its status says otherwise."""
    at = clock.now() - dt.timedelta(days=days_ago)
    row = Report(code=code(), kind="report", category=category_id, description=description, latitude=lat,
                 longitude=lon, address="", status=status, received_at=at, updated_at=at, unit=unit_id,
                 triaged_at=at if status != "new" else None, search_text=fold(description), target_days=5,
                 reporter_phone="0900000000")
    await Report.insert(row)
    saved = await Report.select(Report.id, Report.code).where(Report.code == row.code).first()
    return {"id": saved["id"], "code": saved["code"]}


def article(html: str, report_id: int) -> str:
    """The queue's card of one report."""
    start = html.index(f'id="report-{report_id}"')
    end = html.find("<article", start)
    return html[start: end if end > 0 else len(html)]


async def token(client: Any, path: str) -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text[:300]
    found = TOKEN.search(page.text)
    assert found
    return found.group(1)
