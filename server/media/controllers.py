from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import Parameter

from server.lib.errors import NotFound
from server.lib.guards import actor_of, api_header_middleware
from server.lib.params import ID_MAX
from server.lib.responses import stored_file_response
from server.media import owners, services

ID = Parameter(gt=0, le=ID_MAX)


class AttachmentApiController(Controller):
    path = "/"
    tags = ["attachments"]
    middleware = [api_header_middleware]

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
    """The attachment, if the actor may see its owner (the owner's domain says: media.owners). Anything else is
    "not found", so another unit's attachment does not even show that it exists."""
    attachment = await services.get_attachment(attachment_id)
    if not await owners.may_read(actor_of(request), attachment["owner_kind"], attachment["owner_id"]):
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
