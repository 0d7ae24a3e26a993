"""The real app, lifespan and all, served by uvicorn inside the test's event loop: services called by the
test raise their events in the same process as the streams, and the streams are read over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import uvicorn

from bench.local import free_port
from tests.api.live.sse import EventStream, open_stream, signed_in_client
from tests.factories import PASSWORD, Jurisdiction, make_jurisdiction


class LiveServer:
    def __init__(self, app: Any, url: str) -> None:
        self.app = app
        self.url = url
        self.clients: dict[int, httpx.AsyncClient] = {}
        self.streams: list[EventStream] = []

    async def client(self, person: Any) -> httpx.AsyncClient:
        if person.id not in self.clients:
            self.clients[person.id] = await signed_in_client(self.url, person, PASSWORD)
        return self.clients[person.id]

    async def stream(self, person: Any, **params: Any) -> EventStream:
        stream = await open_stream(await self.client(person), **params)
        self.streams.append(stream)
        return stream


@pytest.fixture
async def live_server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[LiveServer]:
    from server.app import create_app
    from server.lib.db import start_pool

    monkeypatch.setenv("LIVE_HEARTBEAT_SECONDS", "0.5")
    app = create_app()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        assert not serving.done(), "uvicorn did not start"
        await asyncio.sleep(0.02)
    live = LiveServer(app, f"http://127.0.0.1:{port}")
    try:
        yield live
    finally:
        for stream in live.streams:
            await stream.close()
        for client in live.clients.values():
            await client.aclose()
        app.state.live.end_streams()
        server.should_exit = True
        await asyncio.wait_for(serving, 15)
        # The app's lifespan closed the database pool the test session opened: open it again.
        await start_pool()




@pytest.fixture
async def j2() -> Jurisdiction:
    """A second commune, for what must not cross from one to the other."""
    return await make_jurisdiction()


OpenStream = Callable[..., Awaitable[EventStream]]
