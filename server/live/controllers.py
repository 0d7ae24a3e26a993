"""The live stream: server-sent events for the signed-in person, through the session cookie."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import Parameter
from litestar.response import ServerSentEvent

from server.lib.errors import Forbidden, NotFound
from server.lib.guards import actor_of
from server.lib.params import ID_MAX
from server.live.audience import person_channel, task_channel, unit_channel
from server.live.hub import LiveUpdates
from server.live.publisher import unread_count
from server.tasks.services import task_ids_visible


class LiveApiController(Controller):
    path = "/live"
    tags = ["live"]

    @get("/", media_type="text/event-stream", opt={"skip_compression": True})
    async def stream(
        self,
        request: Request,
        task: int | None = Parameter(default=None, gt=0, le=ID_MAX, description="a task whose changes to follow"),
        units: bool = Parameter(default=False, description="follow the tasks of the person's units (dashboards)"),
    ) -> ServerSentEvent:
        """Server-sent events: `ready` (the unread count), `inbox` (a new unread count), `task` (a task one may
        see changed: its id and the kind of change), `resync` (fetch everything again), `bye` (reconnect)."""
        actor = actor_of(request)
        live: LiveUpdates = request.app.state.live
        names = [person_channel(actor.id)]
        if task is not None:
            # The same 404 as the task itself: another unit's task does not even show that it exists.
            if not await task_ids_visible(actor, [task]):
                raise NotFound("task_not_found", "Không tìm thấy nhiệm vụ")
            names.append(task_channel(task))
        if units:
            if not actor.manages_units:
                raise Forbidden("role", "Bạn không có quyền truy cập chức năng này")
            names.append(unit_channel(actor.unit_id))
        first = {"unread": await unread_count(actor.id)}
        return ServerSentEvent(
            live.stream(actor, names, first),
            headers={"X-Accel-Buffering": "no"},  # nginx: pass each event on at once
        )
