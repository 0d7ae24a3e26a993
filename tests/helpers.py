"""Helpers the tests over HTTP share that build nothing (the factories build): reading the desk's pages."""

from __future__ import annotations

import re
from typing import Any

CSRF_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def desk_token(client: Any, path: str) -> str:
    """The CSRF token of a desk page's form, read from the page as a browser would."""
    page = await client.get(path)
    assert page.status_code == 200, page.text[:300]
    return CSRF_TOKEN.search(page.text).group(1)  # type: ignore[union-attr]
