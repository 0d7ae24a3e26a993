"""A value kept in this process for a few seconds, loaded once however many requests ask for it at that moment.

Every request asks who its session belongs to and whether the session was ended. Kept for two seconds, those
answers cost nothing, but at the moment one expires every request in flight for the same person missed it
together and each ran the same query: under 50 connections a person's row was read dozens of times a second
(seen in the profile of bench.run's officer's list). Here the first request to miss loads it and the others
wait for that load.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_FAILED = object()  # the leading load raised or was cancelled: each waiter loads for itself


class ShortCache(Generic[K, V]):
    def __init__(self, seconds: float, limit: int = 50_000) -> None:
        self.seconds = seconds
        self.limit = limit
        self._values: dict[K, tuple[float, V]] = {}
        self._pending: dict[K, asyncio.Future[object]] = {}
        self._generation = 0

    async def get(self, key: K, load: Callable[[K], Awaitable[V]]) -> V:
        kept = self._values.get(key)
        if kept is not None and kept[0] > time.monotonic():
            return kept[1]
        pending = self._pending.get(key)
        if pending is not None:
            shared = await asyncio.shield(pending)
            if shared is not _FAILED:
                return shared  # type: ignore[return-value]
            return await load(key)
        return await self._lead(key, load)

    async def _lead(self, key: K, load: Callable[[K], Awaitable[V]]) -> V:
        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        generation, started = self._generation, time.monotonic()
        try:
            value = await load(key)
        except BaseException:
            future.set_result(_FAILED)
            raise
        finally:
            if self._pending.get(key) is future:
                del self._pending[key]
        # A forget() while this load ran may mean it read the old row: it answers the requests that asked
        # before, but it is not kept for those that come after.
        if generation == self._generation:
            if len(self._values) >= self.limit:
                self._values.clear()
            self._values[key] = (started + self.seconds, value)
        future.set_result(value)
        return value

    def forget(self, key: K | None = None) -> None:
        """Forget one key, or every key; a load in flight is not kept, and the next request loads anew."""
        self._generation += 1
        if key is None:
            self._values.clear()
            self._pending.clear()
        else:
            self._values.pop(key, None)
            self._pending.pop(key, None)
