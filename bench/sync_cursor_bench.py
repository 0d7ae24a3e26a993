"""The phone's sync (`GET /api/v1/sync/tasks?since=…`) for a typical officer, in-process: a cursor carrying the list
version against one with the time only, median of 30 after 3 warm-ups. `LIST_CACHE_BYTES=0` turns the kept ids
off, which with the time-only cursor is the sync as it was before the versions.

    .venv/bin/python -m bench.sync_cursor_bench       # the PostgreSQL bench (bench/results/generated.json)
    LIST_CACHE_BYTES=0 .venv/bin/python -m bench.sync_cursor_bench
    URL=sqlite:////tmp/dieuhanh_bench.sqlite REPORT=bench/results/generated-sqlite.json \
        .venv/bin/python -m bench.sync_cursor_bench
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ["DATABASE_URL"] = os.environ.get("URL", "postgres://postgres@127.0.0.1:5432/dieuhanh_bench")
os.environ["PICCOLO_CONF"] = "server.piccolo_conf"
os.environ.setdefault("SECRET_KEY", "bench")
os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="dieuhanh-sync-bench-")


async def main(username: str) -> None:
    from server.lib.db import start_pool
    from server.people.services import get_actor
    from server.people.tables import Person
    from server.sync.batch import tasks_since
    await start_pool()
    person = (await Person.select(Person.id).where(Person.username == username).first())["id"]
    actor = await get_actor(person)
    assert actor is not None
    first = await tasks_since(actor, None)
    cursor = first["cursor"]
    for name, since in (("version cursor", cursor), ("time-only cursor", cursor.partition("~")[0])):
        times = []
        for _ in range(33):
            began = time.perf_counter()
            answer = await tasks_since(actor, since)
            times.append((time.perf_counter() - began) * 1000)
        print(f"{name}: median {statistics.median(times[3:]):.2f} ms, items {len(answer['items'])},"
              f" ids {len(answer['ids'])}")


if __name__ == "__main__":
    report = json.loads(Path(os.environ.get("REPORT", "bench/results/generated.json")).read_text())
    asyncio.run(main(report["typical_officers"][0]["username"]))
