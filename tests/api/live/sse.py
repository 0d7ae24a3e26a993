"""A small server-sent events client for the tests: reads a stream in the background, event by event."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import httpx

API_HEADERS = {"X-Requested-With": "dieuhanh"}



@dataclass
class Event:
    event: str
    data: Any


class EventStream:
    """One open stream. `next()` waits for the next event; comments (heartbeats) are counted, not returned."""

    def __init__(self, client: httpx.AsyncClient, response: httpx.Response, context: Any) -> None:
        self.client = client
        self.response = response
        self._context = context
        self._events: asyncio.Queue[Event | None] = asyncio.Queue()
        self.heartbeats = 0
        self.heartbeat_seen = asyncio.Event()
        self.closed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        event, data = "message", []
        try:
            async for line in self.response.aiter_lines():
                if line.startswith(":"):
                    self.heartbeats += 1
                    self.heartbeat_seen.set()
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif line == "" and (data or event != "message"):
                    text = "\n".join(data)
                    self._events.put_nowait(Event(event, json.loads(text) if text else None))
                    event, data = "message", []
        except (httpx.HTTPError, asyncio.CancelledError):
            pass
        finally:
            self.closed.set()
            self._events.put_nowait(None)

    async def next(self, wait: float = 10.0) -> Event:
        item = await asyncio.wait_for(self._events.get(), wait)
        assert item is not None, "the stream ended"
        return item

    async def next_of(self, kind: str, wait: float = 10.0) -> Event:
        """The next event of this kind, skipping others."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            event = await self.next(max(0.01, deadline - loop.time()))
            if event.event == kind:
                return event

    def pending(self) -> list[Event]:
        items = []
        while not self._events.empty():
            item = self._events.get_nowait()
            if item is not None:
                items.append(item)
        return items

    async def close(self) -> None:
        self._reader.cancel()
        try:
            await self._context.__aexit__(None, None, None)
        except Exception:
            pass


async def open_stream(client: httpx.AsyncClient, **params: Any) -> EventStream:
    """Open GET /api/v1/live and wait for its `ready` event (the subscription exists from then on)."""
    context = client.stream("GET", "/api/v1/live", params={k: v for k, v in params.items() if v is not None},
                            timeout=httpx.Timeout(10.0, read=None))
    response = await context.__aenter__()
    assert response.status_code == 200, (response.status_code, await response.aread())
    assert response.headers["content-type"].startswith("text/event-stream")
    # Not compressed (a gzip state per idle connection would cost memory for nothing), not cached by proxies.
    assert "content-encoding" not in response.headers
    assert response.headers["cache-control"] == "no-cache" and response.headers["x-accel-buffering"] == "no"
    stream = EventStream(client, response, context)
    ready = await stream.next()
    assert ready.event == "ready", ready
    stream.ready = ready  # type: ignore[attr-defined]
    return stream


async def signed_in_client(base_url: str, person: Any, password: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base_url, headers=API_HEADERS, timeout=10.0)
    response = await client.post("/api/v1/auth/login", json={"username": person.username, "password": password})
    assert response.status_code == 200, response.text
    return client
