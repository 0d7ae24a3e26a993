"""Desk screens for directives (văn bản chỉ đạo) and meeting conclusions, with their tasks' roll-up."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from server.desk.base import DeskController
from server.directives import services
from server.directives.tables import DirectiveKind
from server.lib import clock
from server.lib.actor import Actor
from server.lib.errors import DomainError, Invalid
from server.lib.guards import actor_of, leader_only
from server.lib.i18n import gettext as _
from server.lib.responses import stored_file_response
from server.lib.web import Kept, flash_of, page, parse_date, read_form, see_other
from server.machine import importing
from server.tasks.revision import field_names
from server.tasks.services import list_tasks

KINDS = [kind.value for kind in DirectiveKind]
# The directive's fields a correction from the document system may change, as the desk names them.
REVISED_FIELDS = {"title": "Trích yếu", "summary": "Nội dung", "signer": "Người ký", "kind": "Loại văn bản"}
ROLLUP_STATES = ("assigned", "in_progress", "submitted", "returned", "done", "cancelled", "draft")
# The file part may be up to the attachments' 10 MB; the rest of the form is small. Above this, Litestar refuses
# the body before the service can say "too large" in words.
MAX_FORM_BYTES = 11_000_000


async def _pdf_of(request: Request) -> tuple[str, bytes] | None:
    """The PDF chosen on the form, checked by its bytes; None when no file was chosen."""
    upload = (await request.form()).get("document")
    if not isinstance(upload, UploadFile):
        return None
    data = await upload.read()
    if not data and not upload.filename:
        return None  # the file field left empty: browsers still send a nameless, empty part
    services.check_pdf(data)
    return upload.filename or "van-ban.pdf", data


def _new_page(actor: Actor, form: Kept, error: str | None = None, status_code: int = 200) -> Template:
    return page("directives/new.html", form=form, error=error, kinds=KINDS, status_code=status_code)


class DirectiveDeskController(DeskController):
    path = "/directives"

    @get("/")
    async def index(
        self,
        request: Request,
        q: Annotated[str, QueryParameter(max_length=200)] = "",
        kind: FromQuery[str] = "",
    ) -> Template:
        kind = kind if kind in KINDS else ""
        directives = await services.list_directives(actor_of(request), q=q, kind=kind or None, limit=200)
        return page("directives/list.html", directives=directives, q=q, kind=kind, kinds=KINDS)

    @get("/new", guards=[leader_only])
    async def new(self, request: Request) -> Template:
        actor = actor_of(request)
        defaults = {"issued_on": [clock.today_vn().isoformat()], "signer": [actor.full_name],
                    "issuing_body": [actor.unit_name], "kind": [DirectiveKind.document.value]}
        return _new_page(actor, Kept(defaults))

    @post("/new", guards=[leader_only], request_max_body_size=MAX_FORM_BYTES)
    async def create(self, request: Request) -> Template | Redirect:
        actor = actor_of(request)
        form = await read_form(request)
        try:
            issued_on = parse_date(form.get("issued_on"))
            if issued_on is None:
                raise Invalid("directive_date_required", "Cần nhập ngày ban hành")
            # Checked before the directive is written, so a wrong file leaves nothing half-saved.
            pdf = await _pdf_of(request)
            directive = await services.create_directive(
                actor,
                number=form.get("number"),
                issued_on=issued_on,
                signer=form.get("signer"),
                issuing_body=form.get("issuing_body"),
                title=form.get("title"),
                kind=form.get("kind") or DirectiveKind.document.value,
                summary=form.get("summary"),
            )
        except DomainError as error:
            return _new_page(actor, form, _(error.message), error.status_code)
        if pdf is not None:
            await services.attach_file(actor, directive["id"], filename=pdf[0], data=pdf[1], pdf_only=True)
        return see_other(f"/directives/{directive['id']}", ok="directive_created")

    @post("/{directive_id:int}/files", guards=[leader_only], request_max_body_size=MAX_FORM_BYTES)
    async def add_file(self, request: Request, directive_id: FromPath[int]) -> Template | Redirect:
        """A PDF added later, e.g. to a directive recorded before its signed copy arrived."""
        actor = actor_of(request)
        try:
            pdf = await _pdf_of(request)
            if pdf is None:
                raise Invalid("file_required", "Cần chọn một tệp để tải lên")
            await services.attach_file(actor, directive_id, filename=pdf[0], data=pdf[1], pdf_only=True)
        except DomainError as error:
            if error.status_code == 404:
                raise
            return await _detail_page(actor, directive_id, file_error=_(error.message), status_code=error.status_code)
        return see_other(f"/directives/{directive_id}", ok="file_added")

    @get("/{directive_id:int}/files/{attachment_id:int}")
    async def file(self, request: Request, directive_id: FromPath[int], attachment_id: FromPath[int]) -> Response:
        """A directive's file, for whoever may read the directive."""
        attachment, data = await services.directive_file(actor_of(request), directive_id, attachment_id)
        return stored_file_response(data, attachment["content_type"], attachment["filename"])

    @get("/{directive_id:int}")
    async def detail(self, request: Request, directive_id: FromPath[int], ok: FromQuery[str | None] = None) -> Template:
        return await _detail_page(actor_of(request), directive_id, ok=ok)


async def _detail_page(
    actor: Actor, directive_id: int, *, ok: str | None = None, file_error: str | None = None, status_code: int = 200
) -> Template:
    directive = await services.get_directive(actor, directive_id)
    corrections = await importing.revisions(directive_id)  # get_directive checked the scope
    items = (await list_tasks(actor, view="scope", directive_id=directive_id, limit=200))["items"]
    # The roll-up counts the directive's own tasks; the parts of a split task are on the task's page.
    tasks = [item for item in items if item["parent_id"] is None] or items
    return page(
        "directives/detail.html",
        directive=directive,
        rollup=directive["rollup"],
        rollup_states=[state for state in ROLLUP_STATES if directive["rollup"]["by_state"].get(state)],
        tasks=tasks,
        revisions=[_revision_summary(r) for r in corrections],
        ok=flash_of(ok),
        file_added=ok == "file_added",
        file_error=file_error,
        status_code=status_code,
    )


def _revision_summary(revision: dict[str, Any]) -> dict[str, Any]:
    """One correction sent by the document system, as the desk tells it: which fields, the PDF, the tasks."""
    changes = revision["changes"]
    actions: dict[str, int] = {}
    for task in changes.get("tasks", []):
        actions[task["action"]] = actions.get(task["action"], 0) + 1
    return {
        "revision": revision["revision"],
        "created_at": revision["created_at"],
        "key_name": revision["key_name"],
        "fields": [_(REVISED_FIELDS.get(name, name)) for name in sorted(changes.get("directive", {}))],
        "pdf_added": bool(changes.get("pdf_added")),
        "task_actions": actions,
        "task_fields": field_names(name for task in changes.get("tasks", []) for name in task.get("changes", {})),
    }
