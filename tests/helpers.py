"""Helpers the tests over HTTP share that build nothing (the factories build): reading the desk's pages, and a
local HTTP server that records what the app sends it (the Web Push service's and the webhooks' stand-ins)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from aiohttp import web

CSRF_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def desk_token(client: Any, path: str) -> str:
    """The CSRF token of a desk page's form, read from the page as a browser would."""
    page = await client.get(path)
    assert page.status_code == 200, page.text[:300]
    return CSRF_TOKEN.search(page.text).group(1)  # type: ignore[union-attr]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)

    def header(self, name: str) -> str:
        return {k.lower(): v for k, v in self.headers.items()}[name.lower()]


@dataclass
class RecordingServer:
    """An aiohttp server on 127.0.0.1 (a free port) that records every request to any path; `answer()` says what
    it replies (a subclass's choice), METHOD which requests it takes ("*": any)."""

    METHOD: ClassVar[str] = "*"
    received: list[Received] = field(default_factory=list)
    origin: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route(self.METHOD, "/{tail:.*}", self._record)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.origin = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _record(self, request: web.Request) -> web.Response:
        self.received.append(Received(request.path, dict(request.headers), await request.read()))
        return self.answer(request.path)

    def answer(self, path: str) -> web.Response:
        return web.Response(status=200)
