"""The late-risk forecast as data, for managers: the at-risk list of a unit subtree and one task's risk."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, get
from litestar.params import Parameter

from server.forecast import services
from server.lib.guards import actor_of, managers_only
from server.lib.params import ID_MAX
from server.tasks import services as tasks

ID = Parameter(default=None, gt=0, le=ID_MAX)


class ForecastApiController(Controller):
    path = "/forecast"
    tags = ["forecast"]
    guards = [managers_only]

    @get("/at-risk", media_type=MediaType.JSON)
    async def at_risk(self, request: Request, unit_id: int | None = ID) -> dict[str, Any]:
        """Open tasks of the subtree (default: your own unit's) likely to miss their deadline, riskiest first, with
        the reasons; `status` is `not_enough_history` when the jurisdiction's history is too short to learn from."""
        actor = actor_of(request)
        path = await services.scope_path(actor, unit_id)
        return await services.panel(actor, path)

    @get("/tasks/{task_id:int}", media_type=MediaType.JSON)
    async def task(self, request: Request, task_id: int = Parameter(gt=0, le=ID_MAX)) -> dict[str, Any]:
        """One task's risk (null when it has none, or when you do not manage its lead unit)."""
        actor = actor_of(request)
        await tasks.get_visible(actor, task_id)
        status = await services.model_status(actor.jurisdiction_path)
        return {"task_id": task_id, "status": status["status"], "risk": await services.task_risk(actor, task_id)}
