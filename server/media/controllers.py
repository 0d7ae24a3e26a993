from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter

from server.directives.services import attach_file as attach_directive_file
from server.directives.services import directive_exists_in_scope
from server.lib.errors import Invalid, NotFound
from server.lib.guards import actor_of, api_header_guard, leader_only
from server.lib.responses import stored_file_response
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
        # Through the directives' service, which checks the scope and makes a PDF's text searchable.
        return await attach_directive_file(
            actor, directive_id, filename=upload.filename, data=await upload.read(),
            client_id=request.headers.get("idempotency-key"),
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
        """The original as uploaded, with its metadata: only for those who may see what it is attached to."""
        attachment = await _readable(request, attachment_id)
        data = await services.read_bytes(attachment["sha256"])
        return stored_file_response(data, attachment["content_type"], attachment["filename"])

    @get("/attachments/{attachment_id:int}/display")
    async def display(self, request: Request, attachment_id: int = ID) -> Response[bytes]:
        """An image attachment's 1600 px WebP copy, upright and without metadata (to look at a photo)."""
        return await _copy(request, attachment_id, "display")

    @get("/attachments/{attachment_id:int}/thumb")
    async def thumb(self, request: Request, attachment_id: int = ID) -> Response[bytes]:
        """An image attachment's 320 px WebP thumbnail, upright and without metadata (for lists)."""
        return await _copy(request, attachment_id, "thumb")


async def _readable(request: Request, attachment_id: int) -> dict[str, Any]:
    """The attachment, if the actor may see its owner: a directive's like the directive, a report's like its task.
    Anything else is "not found", so another unit's attachment does not even show that it exists."""
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
    return attachment


# A copy never changes for its attachment (the original is immutable): cache it long, privately (it is
# behind sign-in), and revalidate cheaply with the ETag, which is the copy's content hash.
COPY_CACHE = "private, max-age=31536000"


async def _copy(request: Request, attachment_id: int, kind: str) -> Response[bytes]:
    attachment = await _readable(request, attachment_id)
    copy = await services.derivative(attachment["id"], kind)
    etag = f'"{copy["sha256"]}"'
    headers = {"ETag": etag, "Cache-Control": COPY_CACHE, "X-Content-Type-Options": "nosniff"}
    if {etag, "*"} & _etags(request.headers.get("if-none-match", "")):
        return Response(content=b"", status_code=304, headers=headers)
    data = await services.derivative_bytes(copy)
    return Response(content=data, media_type=copy["content_type"], headers=headers)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _the_file(data: dict[str, Any]) -> UploadFile:
    """The uploaded file: the part named `data`, else the only file part there is."""
    named = data.get("data")
    if isinstance(named, UploadFile):
        return named
    files = [value for value in data.values() if isinstance(value, UploadFile)]
    if len(files) != 1:
        raise Invalid("file_required", "Cần chọn một tệp để tải lên")
    return files[0]
