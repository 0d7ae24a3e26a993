"""The live hub: Litestar's ChannelsPlugin (memory in one process, Redis Pub/Sub across processes), the
streams that are open in this process, and publishing from anywhere (a request, the worker, a test).

- One process (no REDIS_URL): MemoryChannelsBackend. A separate worker process cannot reach these
  streams; its reminders show up when the page next connects (the `ready` event carries the unread count).
- Several processes: RedisChannelsPubSubBackend on REDIS_URL; every web process subscribes to the
  channels its own streams need, and any process (the worker too) publishes.
- Shutdown: uvicorn waits for open responses before it runs the app's shutdown, and a stream never ends
  by itself, so the hub also listens for SIGTERM/SIGINT (chained to uvicorn's own handler) and ends
  every stream with a `bye` event at once; browsers then reconnect to a process that is up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import signal
import threading
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.plugins import InitPlugin
from litestar.response import ServerSentEventMessage

from server.live.audience import for_stream
from server.people.services import Actor

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.config.app import AppConfig

log = logging.getLogger("dieuhanh.live")

PUBLISH_TIMEOUT = 2.0
STREAM_BACKLOG = 50  # events waiting for one slow client; beyond that it is told to resync instead


@dataclass(frozen=True)
class LiveConfig:
    redis_url: str | None = None
    # Channel names start with it: one Redis may serve several deployments (or test runs) apart.
    prefix: str = "dieuhanh"
    # A comment line this often keeps proxies and NAT tables from closing an idle stream.
    heartbeat_seconds: float = 20.0
    # A stream ends after this long (the browser reconnects at once): a person whose role changed, or
    # who was deactivated, is read again, and no connection lives for ever.
    lifetime_seconds: float = 1800.0

    @classmethod
    def from_env(cls, redis_url: str | None) -> LiveConfig:
        return cls(
            redis_url=redis_url,
            prefix=os.environ.get("REDIS_PREFIX", "dieuhanh"),
            heartbeat_seconds=float(os.environ.get("LIVE_HEARTBEAT_SECONDS", "20")),
            lifetime_seconds=float(os.environ.get("LIVE_STREAM_SECONDS", "1800")),
        )


class _ResilientChannels(ChannelsPlugin):
    """The plugin's receiving task ends for good if the backend raises (Redis restarted, say); this one
    waits and listens again (redis-py subscribes the connection's channels again when it reconnects)."""

    async def _sub_worker(self) -> None:
        delay = 0.5
        while True:
            try:
                await super()._sub_worker()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("live: the channels backend failed; listening again in %.1f s", delay, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)


def _backend(config: LiveConfig) -> tuple[ChannelsBackend, Any]:
    """The channels backend, and its Redis client (None in memory) to close at the end."""
    if config.redis_url:
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        redis = Redis.from_url(config.redis_url)
        return RedisChannelsPubSubBackend(redis=redis, key_prefix=config.prefix), redis
    return MemoryChannelsBackend(), None


def _encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode()


class LiveUpdates(InitPlugin):
    """The app's live updates: register with `plugins=[live.channels, live]` (channels first: it must be
    started before this plugin's lifespan marks the hub as running)."""

    def __init__(self, config: LiveConfig) -> None:
        self.config = config
        self.backend, self._redis = _backend(config)
        self.channels = _ResilientChannels(
            backend=self.backend, arbitrary_channels_allowed=True,
            subscriber_max_backlog=STREAM_BACKLOG, subscriber_backlog_strategy="dropleft",
        )
        self.running = False
        self.stopping = False
        self._streams: set[asyncio.Queue[Any]] = set()

    # ------------------------------------------------------------ app wiring

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.state["live"] = self
        app_config.lifespan.append(self._lifespan)
        app_config.on_shutdown.append(self._close_backend)
        return app_config

    @asynccontextmanager
    async def _lifespan(self, app: Litestar) -> AsyncIterator[None]:
        restore = self._listen_for_exit_signals()
        self.running, self.stopping = True, False
        _running.append(self)
        try:
            yield
        finally:
            self.running = False
            with suppress(ValueError):
                _running.remove(self)
            self.end_streams()
            restore()

    async def _close_backend(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    def _listen_for_exit_signals(self) -> Any:
        """Chain a handler to SIGTERM and SIGINT that ends the streams; returns what restores the old ones."""
        if threading.current_thread() is not threading.main_thread():
            return lambda: None
        loop = asyncio.get_running_loop()
        previous: dict[int, Any] = {}

        def handler(signum: int, frame: Any) -> None:
            loop.call_soon_threadsafe(self.end_streams)
            before = previous.get(signum)
            if callable(before):
                before(signum, frame)  # uvicorn's: it stops serving, then waits for the streams to end
            elif before == signal.SIG_DFL:
                signal.signal(signum, signal.SIG_DFL)  # nobody stops gracefully: die as the signal says
                signal.raise_signal(signum)

        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.getsignal(signum)
            signal.signal(signum, handler)

        def restore() -> None:
            for signum, before in previous.items():
                if signal.getsignal(signum) is handler:
                    signal.signal(signum, before)

        return restore

    def end_streams(self) -> None:
        """Every open stream says goodbye and ends, and any stream opened from now on ends at once."""
        self.stopping = True
        for queue in list(self._streams):
            _clear(queue)
            queue.put_nowait(_BYE)

    # ------------------------------------------------------------ naming

    def channel(self, name: str) -> str:
        return f"{self.config.prefix}:{name}"

    # ------------------------------------------------------------ one stream

    async def stream(self, actor: Actor, names: Iterable[str], first: dict[str, Any]) -> AsyncIterator[Any]:
        """The events of one signed-in person's stream: `ready`, then theirs, a heartbeat, `bye` at the end."""
        ready = ServerSentEventMessage(event="ready", data=json.dumps(first), retry=5000)
        if not self.running or self.stopping:
            # No lifespan in this process (an app driven without it), or shutting down: come back later.
            yield ready
            yield ServerSentEventMessage(event="bye", data=json.dumps({"reason": "unavailable"}))
            return
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=STREAM_BACKLOG)
        channels = [self.channel(name) for name in names]
        # Subscribed before `ready` goes out: whatever happens after the client sees it reaches the client.
        subscriber = await self.channels.subscribe(channels)
        pump = asyncio.create_task(self._pump(subscriber, actor, queue))
        self._streams.add(queue)
        try:
            loop = asyncio.get_running_loop()
            # A little jitter, so that streams opened together do not all renew together.
            ends_at = loop.time() + self.config.lifetime_seconds * random.uniform(0.9, 1.0)
            yield ready
            while True:
                remaining = ends_at - loop.time()
                if remaining <= 0:
                    yield ServerSentEventMessage(event="bye", data=json.dumps({"reason": "renew"}))
                    return
                try:
                    item = await asyncio.wait_for(queue.get(), min(self.config.heartbeat_seconds, remaining))
                except TimeoutError:
                    yield ServerSentEventMessage(comment="ping", data=None)
                    continue
                if item is _BYE:
                    yield ServerSentEventMessage(event="bye", data=json.dumps({"reason": "shutdown"}))
                    return
                event, data = item
                yield ServerSentEventMessage(event=event, data=json.dumps(data))
        finally:
            self._streams.discard(queue)
            # The client may be gone (its disconnect cancels this generator): clean up even so.
            with anyio.CancelScope(shield=True):
                pump.cancel()
                with suppress(asyncio.CancelledError):
                    await pump
                await self.channels.unsubscribe(subscriber, channels)

    @staticmethod
    async def _pump(subscriber: Any, actor: Actor, queue: asyncio.Queue[Any]) -> None:
        async for raw in subscriber.iter_events():
            try:
                item = for_stream(actor, json.loads(raw))
            except (ValueError, KeyError, TypeError):
                log.warning("live: an unreadable message was dropped")
                continue
            if item is None:
                continue
            try:
                queue.put_nowait(item)
            except asyncio.QueueFull:
                # Too slow to keep up: forget the details, ask the page to fetch everything again.
                _clear(queue)
                queue.put_nowait(("resync", {}))

    # ------------------------------------------------------------ publishing

    async def publish(self, data: bytes, names: list[str]) -> None:
        await self.channels.wait_published(data, [self.channel(name) for name in names])


_BYE = object()


def _clear(queue: asyncio.Queue[Any]) -> None:
    while not queue.empty():
        queue.get_nowait()


# ---------------------------------------------------------------- publishing from any process

_running: list[LiveUpdates] = []
# Processes without a running app (the worker) publish through Redis directly, one client per event loop.
_standalone: dict[int, tuple[asyncio.AbstractEventLoop, ChannelsBackend, str, Any]] = {}


def _redis_url() -> str | None:
    from server.settings import get_settings

    return get_settings().redis_url


def can_publish() -> bool:
    return bool(_running) or bool(_redis_url())


async def publish(message: dict[str, Any], names: list[str]) -> None:
    """Publish to every running hub of this process (once per Redis), or through Redis when none runs."""
    data = _encode(message)
    targets: list[Any] = []
    seen_buses: set[tuple[str, str]] = set()
    for live in list(_running):
        if live.config.redis_url:
            bus = (live.config.redis_url, live.config.prefix)
            if bus in seen_buses:
                continue
            seen_buses.add(bus)
        targets.append(live.publish(data, names))
    if not targets:
        url = _redis_url()
        if not url:
            return
        backend, prefix = _standalone_backend(url)
        targets.append(backend.publish(data, [f"{prefix}:{name}" for name in names]))
    for target in targets:
        try:
            await asyncio.wait_for(target, PUBLISH_TIMEOUT)
        except Exception:
            log.warning("live: publishing failed", exc_info=True)


async def close_publisher() -> None:
    """Close this event loop's Redis connection of a process without a running app (the worker, at exit)."""
    cached = _standalone.pop(id(asyncio.get_running_loop()), None)
    if cached is not None and cached[3] is not None:
        await cached[3].aclose()


def _standalone_backend(url: str) -> tuple[ChannelsBackend, str]:
    loop = asyncio.get_running_loop()
    cached = _standalone.get(id(loop))
    if cached is not None and cached[0] is loop:
        return cached[1], cached[2]
    config = LiveConfig.from_env(url)
    backend, redis = _backend(config)
    _standalone[id(loop)] = (loop, backend, config.prefix, redis)
    return backend, config.prefix
