from __future__ import annotations

import re
from typing import Any

import httpx

from tests.unit.reports.helpers import SECRET_EMAIL, SECRET_NAME, jpeg_with_gps

CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf_token(client: httpx.AsyncClient, path: str = "/portal/report") -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text[:500]
    match = CSRF_RE.search(page.text)
    assert match, "the form has no CSRF token"
    return match.group(1)


async def post_report(client: httpx.AsyncClient, category_id: int, *, phone: str = "0987654321",
                      photos: list[bytes] | None = None, **overrides: Any) -> httpx.Response:
    token = await csrf_token(client)
    data = {"_csrf_token": token, "category": str(category_id),
            "description": "Ống nước bị vỡ trước nhà văn hoá ấp Mỹ Thuận", "latitude": "10.7531",
            "longitude": "106.6702", "address": "Ấp Mỹ Thuận 1", "name": SECRET_NAME, "phone": phone,
            "email": SECRET_EMAIL, "consent": "1", "website": ""}
    data.update(overrides)
    files = [("photos", (f"anh{i}.jpg", p, "image/jpeg")) for i, p in enumerate(photos or [jpeg_with_gps()])]
    return await client.post("/portal/report", data=data, files=files)
