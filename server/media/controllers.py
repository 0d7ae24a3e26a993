from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter

from server.directives.services import directive_exists_in_scope
from server.lib.errors import Invalid, NotFound
from server.lib.guards import actor_of, api_header_guard, leader_only
from server.media import services
from server.tasks.services import progress_report_task

ID = Parameter(gt=0, le=2**31 - 1)
# A mapping, not a bare UploadFile: Litestar fails with a 500 on a multipart body with no file part at all
# when the handler asks for one file; `_the_file` then answers that case with a clear 422.
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


class AttachmentApiController(Controller):
    path = "/"
    tags = ["attachments"]
    guards = [api_header_guard]

    @post("/directives/{directive_id:int}/attachments", guards=[leader_only], status_code=201)
    async def attach_to_directive(self, request: Request, data: Upload, directive_id: int = ID) -> dict[str, Any]:
        actor = actor_of(request)
        upload = _the_file(data)
        if not await directive_exists_in_scope(actor, directive_id):
            raise NotFound("directive_not_found", "Không tìm thấy văn bản chỉ đạo")
        return await services.attach(
            owner_kind="directive", owner_id=directive_id, filename=upload.filename, data=await upload.read(),
            actor_id=actor.id, client_id=request.headers.get("idempotency-key"),
        )

    @post("/progress/{report_id:int}/attachments", status_code=201)
    async def attach_to_progress(self, request: Request, data: Upload, report_id: int = ID) -> dict[str, Any]:
        actor = actor_of(request)
        upload = _the_file(data)
        await progress_report_task(actor, report_id, for_upload=True)
        return await services.attach(
            owner_kind="progress_report", owner_id=report_id, filename=upload.filename, data=await upload.read(),
            actor_id=actor.id, client_id=request.headers.get("idempotency-key"),
        )

    @get("/attachments/{attachment_id:int}")
    async def download(self, request: Request, attachment_id: int = ID) -> Response[bytes]:
        actor = actor_of(request)
        attachment = await services.get_attachment(attachment_id)
        if attachment["owner_kind"] == "directive":
            allowed = await directive_exists_in_scope(actor, attachment["owner_id"])
        else:
            try:
                await progress_report_task(actor, attachment["owner_id"], for_upload=False)
                allowed = True
            except NotFound:
                allowed = False
        if not allowed:
            raise NotFound("attachment_not_found", "Không tìm thấy tệp đính kèm")
        data = await services.read_bytes(attachment["sha256"])
        return Response(
            content=data,
            media_type=attachment["content_type"],
            headers={
                "Content-Disposition": f"inline; filename*=UTF-8''{_quote(attachment['filename'])}",
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, max-age=3600",
            },
        )


def _the_file(data: dict[str, Any]) -> UploadFile:
    """The uploaded file: the part named `data`, else the only file part there is."""
    named = data.get("data")
    if isinstance(named, UploadFile):
        return named
    files = [value for value in data.values() if isinstance(value, UploadFile)]
    if len(files) != 1:
        raise Invalid("file_required", "Cần chọn một tệp để tải lên")
    return files[0]


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
