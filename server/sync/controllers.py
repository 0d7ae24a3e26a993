"""POST /api/v1/sync: the outbox in one request; GET /api/v1/sync/tasks: my tasks changed since a cursor."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import Parameter

from server.lib.guards import actor_of, api_header_middleware
from server.sync.batch import Batch, apply_batch, tasks_since


class SyncApiController(Controller):
    path = "/sync"
    tags = ["sync"]
    middleware = [api_header_middleware]

    @post("/", status_code=200)
    async def replay(self, request: Request, data: Batch) -> dict[str, Any]:
        """Each change is answered on its own ({id, status, body}); a replayed change gets its first answer."""
        return await apply_batch(actor_of(request), data)

    @get("/tasks")
    async def tasks(
        self, request: Request, since: str | None = Parameter(default=None, max_length=64)
    ) -> dict[str, Any]:
        return await tasks_since(actor_of(request), since)
