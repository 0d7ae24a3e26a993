"""The few seconds' cache of who a session belongs to: one load for every request that misses at once."""

from __future__ import annotations

import asyncio

import pytest

from server.lib.shortcache import ShortCache


class Loader:
    def __init__(self) -> None:
        self.calls = 0
        self.release = asyncio.Event()
        self.value = "v1"
        self.fail = False

    async def __call__(self, key: int) -> str:
        self.calls += 1
        await self.release.wait()
        if self.fail:
            raise RuntimeError("database gone")
        return f"{self.value}:{key}"


async def test_requests_that_miss_together_share_one_load() -> None:
    cache: ShortCache[int, str] = ShortCache(60)
    load = Loader()
    waiting = [asyncio.create_task(cache.get(7, load)) for _ in range(20)]
    await asyncio.sleep(0)
    load.release.set()
    assert await asyncio.gather(*waiting) == ["v1:7"] * 20
    assert load.calls == 1
    assert await cache.get(7, load) == "v1:7" and load.calls == 1  # kept


async def test_a_value_expires() -> None:
    cache: ShortCache[int, str] = ShortCache(0.0)
    load = Loader()
    load.release.set()
    await cache.get(1, load)
    await cache.get(1, load)
    assert load.calls == 2


async def test_a_load_in_flight_when_forgotten_answers_its_askers_but_is_not_kept() -> None:
    cache: ShortCache[int, str] = ShortCache(60)
    load = Loader()
    before = asyncio.create_task(cache.get(3, load))
    await asyncio.sleep(0)
    cache.forget(3)  # the person changed while their old row was being read
    load.value = "v2"
    after = asyncio.create_task(cache.get(3, load))  # asked after the change: a load of its own
    await asyncio.sleep(0)
    load.release.set()
    assert (await before).endswith(":3")  # answered, whatever it read
    assert await after == "v2:3"
    assert load.calls == 2
    assert await cache.get(3, load) == "v2:3" and load.calls == 2


async def test_when_the_leading_load_fails_each_waiter_loads_for_itself() -> None:
    cache: ShortCache[int, str] = ShortCache(60)
    load = Loader()
    load.fail = True
    leader = asyncio.create_task(cache.get(5, load))
    await asyncio.sleep(0)
    follower = asyncio.create_task(cache.get(5, load))
    await asyncio.sleep(0)
    load.release.set()
    with pytest.raises(RuntimeError):
        await leader
    with pytest.raises(RuntimeError):
        await follower  # it tried itself, and the database was still gone
    assert load.calls == 2
    load.fail = False
    assert await cache.get(5, load) == "v1:5"


async def test_a_cancelled_leader_does_not_leave_its_waiters_without_an_answer() -> None:
    cache: ShortCache[int, str] = ShortCache(60)
    load = Loader()
    leader = asyncio.create_task(cache.get(9, load))
    await asyncio.sleep(0)
    follower = asyncio.create_task(cache.get(9, load))
    await asyncio.sleep(0)
    leader.cancel()  # the phone that asked first went away
    await asyncio.sleep(0)
    load.release.set()
    assert await follower == "v1:9"
    assert load.calls == 2
