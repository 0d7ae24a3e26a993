"""Desk screens for tasks: my tasks, my unit's tasks, one task with its forms, and the approval queue."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from server.desk.base import DeskController
from server.forecast import services as forecast
from server.lib.actor import Actor
from server.lib.errors import DomainError, Invalid
from server.lib.guards import actor_of, managers_only
from server.lib.i18n import gettext as _
from server.lib.web import (
    Kept,
    deadline_status,
    flash_of,
    optional_int,
    page,
    parse_date,
    read_form,
    see_other,
)
from server.media import services as media
from server.tasks import parts as task_parts
from server.tasks import services
from server.tasks.refusals import REFUSALS
from server.tasks.tables import TaskState

GROUPS = ("overdue", "due_today", "due_soon", "later", "closed")
PAGE_SIZE = 100
MAX_PARTS_IN_TIMELINE = 20
# What a form on the task page may ask of transition(); "start" happens by itself with the first report.
FORM_ACTIONS = {"assign": "assigned", "submit": "submitted", "approve": "approved", "return": "returned",
                "cancel": "cancelled"}
MAX_DESK_PHOTOS = 6


async def _photos(request: Request) -> list[tuple[str, bytes]]:
    """The photos of a desk form (multipart), each checked by the media pipeline before anything is recorded:
    a report is never written with a photo that will then be refused."""
    form = await request.form()
    uploads = [value for value in form.getall("photos") if isinstance(value, UploadFile)] if "photos" in form else []
    photos = []
    for upload in uploads:
        data = await upload.read()
        if data:  # a file input left empty still sends a part with no bytes
            photos.append((upload.filename or "anh.jpg", data))
    if len(photos) > MAX_DESK_PHOTOS:
        raise Invalid("too_many_photos", "Tối đa 6 ảnh mỗi lần")
    for _name, data in photos:
        stored = await media.store_file(data)
        if not media.is_image(stored["content_type"]):
            raise Invalid("photo_not_image", "Chỉ nhận ảnh JPEG, PNG, WebP hoặc HEIC")
    return photos


async def _attach(actor: Actor, report_id: int, photos: list[tuple[str, bytes]]) -> None:
    for name, data in photos:
        await media.attach(owner_kind="progress_report", owner_id=report_id, filename=name, data=data,
                           actor_id=actor.id)


def public_choice(form: Kept) -> list[int] | None:
    """The "after" photos the approver ticked, or None when the form offered no choice (the default applies)."""
    if not form.get("photo_choice"):
        return None
    chosen = []
    for value in form.all("public_photo"):
        if not value.isdigit() or len(value) > 10:
            raise Invalid("public_photo_invalid", "Ảnh được chọn công khai không thuộc nhiệm vụ này")
        chosen.append(int(value))
    return chosen


def _grouped(items: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = {name: [] for name in GROUPS}
    for item in items:
        groups.setdefault(item["urgency"], []).append(item)
    return [(name, groups[name]) for name in GROUPS]


def _more_url(view: str, q: str, states: list[str], overdue: bool, offset: int) -> str:
    query: list[tuple[str, Any]] = [("view", view), ("q", q), *[("state", state) for state in states]]
    if overdue:
        query.append(("overdue", "true"))
    return "/tasks?" + urlencode([*query, ("offset", offset)])


async def task_page(
    actor: Actor,
    task_id: int,
    *,
    ok: str | None = None,
    refused: str | None = None,
    error: str | None = None,
    form: Kept | None = None,
    which: str | None = None,
    status_code: int = 200,
) -> Template:
    task = await services.get_task(actor, task_id)
    # The late-risk badge, for those who manage the task's unit (server/forecast).
    risk = await forecast.task_risk(actor, task_id)
    timeline = [{**event, "part": None} for event in task["history"]]
    # The parts' own steps belong to the story of the task too (split, report, approve a part).
    parts = task["subtasks"][:MAX_PARTS_IN_TIMELINE]
    part_histories = await services.histories(actor, [sub["id"] for sub in parts])
    for sub in parts:
        part = {"id": sub["id"], "title": sub["title"]}
        timeline += [{**event, "part": part} for event in part_histories.get(sub["id"], [])]
    timeline.sort(key=lambda event: event["received_at"])
    actions = task["allowed_actions"]
    open_task = task["state"] not in ("done", "cancelled")
    # The approver of a citizen's task chooses its public "after" photos among the task's and its parts'.
    public_photos = await task_parts.evidence_photos(task_id) if "approve" in actions and task["parent_id"] is None \
        and task["source"] in task_parts.REPORT_SOURCES else []
    return page(
        "tasks/detail.html",
        status_code=status_code,
        task=task,
        timeliness=deadline_status(task),
        ok=flash_of(ok),
        refused=_(REFUSALS[refused]) if refused in REFUSALS else None,
        error=error,
        form=form or Kept(),
        which=which,
        timeline=timeline,
        refusals={key: _(text) for key, text in REFUSALS.items()},
        can_extend=task["can_report"] and open_task and task["deadline"] is not None,
        # The approver of a task is whoever may cancel it while it is open (services.RULES["cancel"]).
        can_decide_extension="cancel" in actions,
        open_task=open_task,
        public_photos=public_photos,
        risk=risk,
    )


class TaskDeskController(DeskController):
    path = "/tasks"

    @get("/")
    async def index(
        self,
        request: Request,
        view: Annotated[str, QueryParameter(pattern="^(mine|scope)$")] = "mine",
        q: Annotated[str, QueryParameter(max_length=200)] = "",
        overdue: FromQuery[bool] = False,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
        ok: FromQuery[str | None] = None,
    ) -> Template:
        actor = actor_of(request)
        if not actor.manages_units:
            view = "mine"
        states = [s for s in request.query_params.getall("state", []) if s in {t.value for t in TaskState}]
        result = await services.list_tasks(
            actor, view=view, states=states or None, q=q, overdue=overdue, limit=PAGE_SIZE, offset=offset
        )
        return page(
            "tasks/list.html",
            view=view,
            q=q,
            states=states,
            overdue=overdue,
            groups=_grouped(result["items"]),
            total=len(result["items"]),
            more_url=_more_url(view, q, states, overdue, offset + PAGE_SIZE) if result["has_more"] else None,
            all_states=[state.value for state in TaskState],
            ok=flash_of(ok),
        )

    @get("/{task_id:int}")
    async def detail(
        self,
        request: Request,
        task_id: FromPath[int],
        ok: FromQuery[str | None] = None,
        refused: FromQuery[str | None] = None,
    ) -> Template:
        return await task_page(actor_of(request), task_id, ok=ok, refused=refused)

    @post("/{task_id:int}/transition")
    async def transition(self, request: Request, task_id: FromPath[int]) -> Template | Redirect:
        actor = actor_of(request)
        form = await read_form(request)
        action = form.get("action")
        try:
            if action not in FORM_ACTIONS:
                raise Invalid("action_unknown", "Thao tác không hợp lệ")
            photos = await _photos(request) if action == "submit" else []
            if photos:
                # The evidence sent with the result is a report of its own (100%), as the app sends it.
                outcome = await services.report_progress(actor, task_id, note=form.get("note"), percent=100)
                if outcome.refused_reason:
                    return see_other(f"/tasks/{task_id}", refused=outcome.refused_reason)
                await _attach(actor, outcome.report_id, photos)
            await services.transition(actor, task_id, action, note=form.get("note"), reason=form.get("reason"),
                                      public_photo_ids=public_choice(form) if action == "approve" else None)
        except DomainError as error:
            return await task_page(actor, task_id, error=_(error.message), form=form, which=action,
                                   status_code=error.status_code)
        return see_other(f"/tasks/{task_id}", ok=FORM_ACTIONS[action])

    @post("/{task_id:int}/progress")
    async def progress(self, request: Request, task_id: FromPath[int]) -> Template | Redirect:
        actor = actor_of(request)
        form = await read_form(request)
        try:
            photos = await _photos(request)
            outcome = await services.report_progress(
                actor, task_id, note=form.get("note"), percent=optional_int(form.get("percent"))
            )
            if outcome.refused_reason is None:
                await _attach(actor, outcome.report_id, photos)
        except DomainError as error:
            return await task_page(actor, task_id, error=_(error.message), form=form, which="progress",
                                   status_code=error.status_code)
        if outcome.refused_reason:
            return see_other(f"/tasks/{task_id}", refused=outcome.refused_reason)
        return see_other(f"/tasks/{task_id}", ok="progress")

    @post("/{task_id:int}/extensions")
    async def request_extension(self, request: Request, task_id: FromPath[int]) -> Template | Redirect:
        actor = actor_of(request)
        form = await read_form(request)
        try:
            requested = parse_date(form.get("requested_deadline"))
            if requested is None:
                raise Invalid("extension_date_required", "Cần chọn hạn mới")
            await services.request_extension(actor, task_id, requested, form.get("reason"))
        except DomainError as error:
            return await task_page(actor, task_id, error=_(error.message), form=form, which="extension",
                                   status_code=error.status_code)
        return see_other(f"/tasks/{task_id}", ok="extension")

    @post("/{task_id:int}/extensions/{extension_id:int}/decision")
    async def decide_extension(
        self, request: Request, task_id: FromPath[int], extension_id: FromPath[int]
    ) -> Template | Redirect:
        actor = actor_of(request)
        form = await read_form(request)
        approve = form.get("decision") == "approve"
        try:
            await services.decide_extension(actor, extension_id, approve=approve, note=form.get("note"))
        except DomainError as error:
            return await task_page(actor, task_id, error=_(error.message), form=form,
                                   which=f"extension-{extension_id}", status_code=error.status_code)
        return see_other(f"/tasks/{task_id}", ok="extension_approved" if approve else "extension_rejected")


async def _queue(actor: Actor) -> list[dict[str, Any]]:
    """The queue, each item with its latest accepted progress report and the note sent with the result."""
    items = await services.approval_queue(actor)  # each with its latest report, submit note and parent
    for item in items:
        # Judged as the leader will judge it: would approving now make it on time or late?
        item["timeliness"] = deadline_status({**item, "state": "done", "completed_at": item["submitted_at"]})
    return items


class ApprovalDeskController(DeskController):
    path = "/approvals"
    guards = [managers_only]

    @get("/")
    async def index(self, request: Request, ok: FromQuery[str | None] = None) -> Template:
        return page("approvals.html", items=await _queue(actor_of(request)), ok=flash_of(ok))

    @post("/{task_id:int}")
    async def decide(self, request: Request, task_id: FromPath[int]) -> Template | Redirect:
        actor = actor_of(request)
        form = await read_form(request)
        action = form.get("action")
        try:
            if action not in ("approve", "return"):
                raise Invalid("action_unknown", "Thao tác không hợp lệ")
            await services.transition(actor, task_id, action, reason=form.get("reason"),
                                      public_photo_ids=public_choice(form) if action == "approve" else None)
        except DomainError as error:
            return page("approvals.html", items=await _queue(actor), error=_(error.message), form=form,
                        which=task_id, status_code=error.status_code)
        return see_other("/approvals", ok=FORM_ACTIONS[action])
