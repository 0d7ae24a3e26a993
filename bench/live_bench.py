"""Live fan-out: N idle streams, one task change; how long until all N have it, and how many database
queries the change cost (the streams' filter is in memory, so the count must not grow with N).

    DATABASE_URL=sqlite:////tmp/live_bench/db.sqlite DATA_DIR=/tmp/live_bench \
        python -m bench.live_bench 50 500 1000
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

import httpx
import uvicorn
from argon2 import PasswordHasher


async def main(sizes: list[int]) -> None:
    from piccolo.engine.finder import engine_finder

    from bench.local import free_port
    from server.app import create_app
    from server.lib.db import start_pool
    from server.migrate import migrate
    from server.tasks.services import report_progress
    from tests.api.live.sse import open_stream, signed_in_client
    from tests.factories import PASSWORD, make_jurisdiction, make_task

    await migrate()
    await start_pool()
    import server.people.services as people

    people.hash_password = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash  # type: ignore[assignment]
    j = await make_jurisdiction()
    engine = engine_finder()
    queries = {"n": 0}
    original = type(engine).run_querystring

    async def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        queries["n"] += 1
        return await original(self, *args, **kwargs)

    type(engine).run_querystring = counted  # type: ignore[method-assign]
    app = create_app()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.02)
    url = f"http://127.0.0.1:{port}"
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    for n in sizes:
        task = await make_task(j, assignees=[j.officer], lead_unit=j.dept)
        clients = []
        for person in (j.leader, j.other_head):
            client = await signed_in_client(url, person, PASSWORD)
            client._transport = httpx.AsyncHTTPTransport(limits=limits)  # many streams on one person's cookie
            clients.append(client)
        # Half may see the task (the leader's board), half may not (another department's head's board).
        streams = [await open_stream(clients[i % 2], units=True) for i in range(n)]
        seeing = streams[0::2]
        await asyncio.sleep(0.5)
        queries["n"] = 0
        started = time.perf_counter()
        await report_progress(j.officer, task["id"], note="bench", percent=10)
        for stream in seeing:
            await stream.next_of("task", wait=30)
        delivered = time.perf_counter() - started
        change_queries = queries["n"]
        await asyncio.sleep(0.3)
        leaked = sum(len([e for e in s.pending() if e.event == "task"]) for s in streams[1::2])
        print(f"{n} idle streams ({len(seeing)} may see the task): all delivered in {delivered * 1000:.0f} ms "
              f"(change + fan-out); database queries for the whole change: {change_queries}; leaked: {leaked}")
        for stream in streams:
            await stream.close()
        for client in clients:
            await client.aclose()
    app.state.live.end_streams()
    server.should_exit = True
    await serving


if __name__ == "__main__":
    os.environ.setdefault("SECRET_KEY", "bench")
    asyncio.run(main([int(a) for a in sys.argv[1:]] or [50, 500]))
