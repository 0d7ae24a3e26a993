from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from server.directives import services
from server.lib.guards import actor_of, api_header_middleware, leader_only
from server.lib.idempotency import once
from server.lib.params import ID_MAX
from server.media.owners import register_owner
from server.media.uploads import Upload, the_file


class DirectiveCreate(msgspec.Struct, forbid_unknown_fields=True):
    number: str
    issued_on: dt.date
    signer: str
    issuing_body: str
    title: str
    kind: str = "document"
    summary: str = ""


class DirectiveApiController(Controller):
    path = "/directives"
    tags = ["directives"]
    middleware = [api_header_middleware]

    @get("/")
    async def list_directives(
        self,
        request: Request,
        q: str = Parameter(default="", max_length=200),
        kind: str | None = Parameter(default=None, pattern="^(document|meeting_conclusion)$"),
        signer: str = Parameter(default="", max_length=200),
        limit: int = Parameter(default=50, ge=1, le=200),
        offset: int = Parameter(default=0, ge=0, le=1_000_000),
    ) -> list[dict[str, Any]]:
        return await services.list_directives(
            actor_of(request), q=q, kind=kind, signer=signer, limit=limit, offset=offset
        )

    @post("/", guards=[leader_only], status_code=201)
    async def create(self, request: Request, data: DirectiveCreate) -> Response:
        actor = actor_of(request)
        return await once(
            request, actor, msgspec.to_builtins(data),
            lambda: services.create_directive(actor, **msgspec.structs.asdict(data)), status_code=201,
        )

    @get("/{directive_id:int}")
    async def detail(self, request: Request, directive_id: int = Parameter(gt=0, le=ID_MAX)) -> dict[str, Any]:
        return await services.get_directive(actor_of(request), directive_id)

    @post("/{directive_id:int}/attachments", guards=[leader_only], status_code=201, tags=["attachments"])
    async def attach(
        self, request: Request, data: Upload, directive_id: int = Parameter(gt=0, le=ID_MAX)
    ) -> dict[str, Any]:
        """A file for the directive (its PDF's text becomes searchable), for a leader who may see it."""
        upload = the_file(data)
        return await services.attach_file(
            actor_of(request), directive_id, filename=upload.filename, data=await upload.read(),
            client_id=request.headers.get("idempotency-key"),
        )


# A directive's attachments are read like the directive (the attachments' routes ask media.owners).
register_owner("directive", services.directive_exists_in_scope)
