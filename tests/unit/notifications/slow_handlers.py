"""A deliberately slow, idempotent job handler, loaded into worker subprocesses by WORKER_HANDLER_MODULES."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from server.notifications import jobs, services


async def slow_notify(payload: dict[str, Any]) -> None:
    await asyncio.sleep(float(os.environ.get("SLOW_SECONDS", "0.5")))
    await services.notify(payload["person"], "comment", payload["key"], dedupe_key=payload["key"])


jobs.register("slow_notify", slow_notify)
