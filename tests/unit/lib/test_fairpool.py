"""The pool wrapper gives connections in the order they were asked for, in both of Piccolo's ways of asking."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server.lib.fairpool import FairPool


class BargingPool:
    """asyncpg's behaviour in small: a released connection goes to whoever asks first, not to the first waiter."""

    def __init__(self, size: int) -> None:
        self.free: asyncio.Queue[int] = asyncio.Queue()
        for n in range(size):
            self.free.put_nowait(n)
        self.closed = False

    async def acquire(self) -> int:
        return await self.free.get()

    async def release(self, connection: int) -> None:
        self.free.put_nowait(connection)

    async def close(self) -> None:
        self.closed = True


async def test_connections_go_to_the_requests_in_the_order_they_asked() -> None:
    pool = FairPool(BargingPool(1), 1)
    served: list[int] = []

    async def request(n: int) -> None:
        async with pool.acquire():
            served.append(n)
            await asyncio.sleep(0)

    first = await pool.acquire()  # the one connection is taken: everyone below waits
    waiting = [asyncio.create_task(request(n)) for n in range(5)]
    await asyncio.sleep(0)
    late = asyncio.create_task(request(99))  # runs just after the connection comes back: it must not barge in
    await pool.release(first)
    await asyncio.gather(*waiting, late)
    assert served == [0, 1, 2, 3, 4, 99]


async def test_a_failed_acquire_gives_its_turn_back() -> None:
    class Broken(BargingPool):
        async def acquire(self) -> int:
            raise ConnectionError("database gone")

    pool = FairPool(Broken(1), 1)
    for _ in range(3):
        with pytest.raises(ConnectionError):
            await pool.acquire()
    pool.pool = BargingPool(1)
    connection: Any = await asyncio.wait_for(pool.acquire(), 1)  # the turn was not kept by the failures
    assert connection == 0


async def test_the_pools_own_methods_pass_through() -> None:
    inner = BargingPool(2)
    pool = FairPool(inner, 2)
    await pool.close()
    assert inner.closed
