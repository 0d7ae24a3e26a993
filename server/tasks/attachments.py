"""A progress report's photos: uploaded by the officer who wrote the report, read like the report's task."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.params import Parameter

from server.lib.actor import Actor
from server.lib.errors import NotFound
from server.lib.guards import actor_of, api_header_middleware
from server.lib.params import ID_MAX
from server.media import services as media
from server.media.owners import register_owner
from server.media.uploads import Upload, the_file
from server.tasks.queries import progress_report_task


class ProgressAttachmentApiController(Controller):
    path = "/progress"
    tags = ["attachments"]
    middleware = [api_header_middleware]

    @post("/{report_id:int}/attachments", status_code=201)
    async def attach(self, request: Request, data: Upload, report_id: int = Parameter(gt=0, le=ID_MAX)
                     ) -> dict[str, Any]:
        actor = actor_of(request)
        upload = the_file(data)
        await progress_report_task(actor, report_id, for_upload=True)
        return await media.attach(
            owner_kind="progress_report", owner_id=report_id, filename=upload.filename, data=await upload.read(),
            actor_id=actor.id, client_id=request.headers.get("idempotency-key"),
        )


async def may_read_progress_photo(actor: Actor, report_id: int) -> bool:
    try:
        await progress_report_task(actor, report_id, for_upload=False)
    except NotFound:
        return False
    return True


# The attachments' routes (media) ask this when a progress report's photo is read.
register_owner("progress_report", may_read_progress_photo)
