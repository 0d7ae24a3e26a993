from __future__ import annotations

import dataclasses
from typing import Any

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter

from server.lib.errors import Forbidden
from server.lib.guards import actor_of, api_header_middleware
from server.lib.idempotency import Answer, once
from server.lib.params import ID_MAX
from server.tasks import services
from server.tasks.queries import list_tasks_json
from server.tasks.refusals import refused
from server.tasks.schemas import (
    AssigneesBody,
    CommentBody,
    ExtensionBody,
    ExtensionDecision,
    ProgressBody,
    SubtaskCreate,
    TaskCreate,
    TransitionBody,
)

ID = Parameter(gt=0, le=ID_MAX)


class ChaseBody(msgspec.Struct, forbid_unknown_fields=True):
    """Nhắc việc: an optional word from the unit head or leader to the late officer(s)."""

    note: str = ""


class TaskApiController(Controller):
    path = "/tasks"
    tags = ["tasks"]
    middleware = [api_header_middleware]

    # The body is bytes the database wrote; the schema still says what they hold (the same page as before).
    @get("/", responses={200: ResponseSpec(data_container=dict[str, Any], description="A page of tasks")})
    async def list_tasks(
        self,
        request: Request,
        view: str = Parameter(default="mine", pattern="^(mine|scope)$"),
        states: list[str] | None = Parameter(query="state", default=None),
        q: str = Parameter(default="", max_length=200),
        overdue: bool = False,
        directive_id: int | None = Parameter(default=None, gt=0, le=ID_MAX),
        unit_id: int | None = Parameter(default=None, gt=0, le=ID_MAX),
        limit: int = Parameter(default=50, ge=1, le=200),
        offset: int = Parameter(default=0, ge=0, le=1_000_000),
    ) -> Response[bytes]:
        # The database writes the JSON and it is sent as it comes (docs/decisions/0004-list-sql.md): the same
        # fields as services.list_tasks, compared in tests/api/tasks/test_list_sql.py.
        body = await list_tasks_json(
            actor_of(request), view=view, states=states, q=q, overdue=overdue, directive_id=directive_id,
            unit_id=unit_id, limit=limit, offset=offset,
        )
        return Response(content=body, media_type=MediaType.JSON)

    @post("/", status_code=201)
    async def create(self, request: Request, data: TaskCreate) -> Response:
        actor = actor_of(request)
        return await once(
            request, actor, msgspec.to_builtins(data),
            lambda: services.create_task(actor, **msgspec.structs.asdict(data)), status_code=201,
        )

    @get("/{task_id:int}")
    async def detail(self, request: Request, task_id: int = ID) -> dict[str, Any]:
        return await services.get_task(actor_of(request), task_id)

    @get("/{task_id:int}/citizen-photos/{photo_id:int}/{size:str}")
    async def citizen_photo(
        self, request: Request, task_id: int = ID, photo_id: int = ID,
        size: str = Parameter(pattern="^(thumb|display)$"),
    ) -> Response[bytes]:
        """A photo of the citizen's report this task (or the task it is a part of) was made from: its stripped
        copy, for whoever may see this task. A part's officer sees these without seeing the parent."""
        from server.tasks.parts import report_code_of
        from server.tasks.sources import citizen_photo_bytes

        await services.get_visible(actor_of(request), task_id)
        data = await citizen_photo_bytes(await report_code_of(task_id), photo_id, size)
        return Response(content=data, media_type="image/webp",
                        headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"})

    @post("/{task_id:int}/subtasks", status_code=201)
    async def split(self, request: Request, data: SubtaskCreate, task_id: int = ID) -> Response:
        actor = actor_of(request)
        parent = await services.get_task(actor, task_id)
        if not parent["can_split"]:
            raise Forbidden("split_forbidden", "Bạn không có quyền chia việc của nhiệm vụ này")
        fields = msgspec.structs.asdict(data)
        fields["lead_unit_id"] = fields["lead_unit_id"] or parent["lead_unit_id"]
        return await once(
            request, actor, msgspec.to_builtins(data),
            lambda: services.create_task(actor, parent_id=task_id, **fields), status_code=201,
        )

    @post("/{task_id:int}/transitions", status_code=200)
    async def transition(self, request: Request, data: TransitionBody, task_id: int = ID) -> Response:
        actor = actor_of(request)
        return await once(
            request, actor, msgspec.to_builtins(data),
            lambda: services.transition(actor, task_id, **msgspec.structs.asdict(data)),
        )

    @post("/{task_id:int}/assignees", status_code=200)
    async def assignees(self, request: Request, data: AssigneesBody, task_id: int = ID) -> Response:
        actor = actor_of(request)
        return await once(
            request, actor, msgspec.to_builtins(data),
            lambda: services.set_assignees(actor, task_id, data.person_ids),
        )

    @post("/{task_id:int}/progress", status_code=201)
    async def progress(self, request: Request, data: ProgressBody, task_id: int = ID) -> Response:
        actor = actor_of(request)

        async def call() -> Answer:
            outcome = await services.report_progress(
                actor, task_id, client_id=request.headers.get("idempotency-key"), **msgspec.structs.asdict(data)
            )
            body = dataclasses.asdict(outcome)
            if outcome.refused_reason is None:
                return Answer(201, body)
            # Refused, but kept: the officer sees why, and the note stays on the server.
            return refused(outcome.refused_reason, body)

        return await once(request, actor, msgspec.to_builtins(data), call, status_code=201)

    @post("/{task_id:int}/comments", status_code=201)
    async def comment(self, request: Request, data: CommentBody, task_id: int = ID) -> Response:
        actor = actor_of(request)

        async def call() -> dict[str, bool]:
            await services.add_comment(actor, task_id, data.note)
            return {"ok": True}

        return await once(request, actor, msgspec.to_builtins(data), call, status_code=201)

    @post("/{task_id:int}/extensions", status_code=201)
    async def request_extension(self, request: Request, data: ExtensionBody, task_id: int = ID) -> Response:
        actor = actor_of(request)
        return await once(
            request, actor, msgspec.to_builtins(data),
            lambda: services.request_extension(actor, task_id, data.requested_deadline, data.reason),
            status_code=201,
        )

    @post("/{task_id:int}/chase", status_code=200)
    async def chase(self, request: Request, data: ChaseBody, task_id: int = ID) -> Response:
        """Remind the assignees (inbox and push); a repeat within the cooldown sends nothing and says when."""
        actor = actor_of(request)
        return await once(
            request, actor, msgspec.to_builtins(data), lambda: services.chase(actor, task_id, data.note)
        )


class ExtensionApiController(Controller):
    path = "/extensions"
    tags = ["tasks"]
    middleware = [api_header_middleware]

    @post("/{extension_id:int}/decision", status_code=200)
    async def decide(self, request: Request, data: ExtensionDecision, extension_id: int = ID) -> Response:
        actor = actor_of(request)
        return await once(
            request, actor, msgspec.to_builtins(data),
            lambda: services.decide_extension(actor, extension_id, approve=data.approve, note=data.note),
        )


class ApprovalApiController(Controller):
    path = "/approvals"
    tags = ["tasks"]

    @get("/")
    async def queue(self, request: Request) -> list[dict[str, Any]]:
        return await services.approval_queue(actor_of(request))


class SearchApiController(Controller):
    path = "/search"
    tags = ["search"]

    @get("/")
    async def search(self, request: Request, q: str = Parameter(min_length=1, max_length=200)) -> dict[str, Any]:
        """Tasks and directives, ignoring case and diacritics (`nuoc` finds `nước`)."""
        from server.directives.services import list_directives

        actor = actor_of(request)
        tasks = await services.list_tasks(actor, view="scope", q=q, limit=50)
        return {"tasks": tasks["items"], "directives": await list_directives(actor, q=q, limit=20)}
