"""A webhook receiver started by the tests: an aiohttp server on 127.0.0.1 (a free port) that records what it is
sent and answers what each path is told to (a list of statuses, one per request, the last repeated)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


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
class Receiver:
    received: list[Received] = field(default_factory=list)
    answers: dict[str, list[int]] = field(default_factory=dict)  # path → statuses in turn (default 200)
    redirects: dict[str, str] = field(default_factory=dict)  # path → Location of its 3xx
    origin: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.origin = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    async def _handle(self, request: web.Request) -> web.Response:
        self.received.append(Received(request.path, dict(request.headers), await request.read()))
        statuses = self.answers.get(request.path) or [200]
        status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
        headers = {"Location": self.redirects[request.path]} if request.path in self.redirects else {}
        return web.Response(status=status, headers=headers, text="ok")
