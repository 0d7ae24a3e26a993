"""Giao việc (a new task, for leaders and unit heads) and splitting a task among officers."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from server.desk.base import DeskController
from server.directives.services import list_directives
from server.lib.actor import Actor
from server.lib.db import write_transaction
from server.lib.errors import DomainError, Forbidden, Invalid
from server.lib.guards import actor_of, managers_only
from server.lib.i18n import gettext as _
from server.lib.params import ID_MAX
from server.lib.web import Kept, int_list, optional_int, page, parse_date, read_form, see_other
from server.people.services import list_people
from server.tasks import services
from server.tasks.tables import Priority
from server.units.services import UnitInfo, list_units

DEFAULT_PARTS = 3
MAX_PARTS = 20


async def _people_under(path: str, units: list[UnitInfo]) -> list[dict[str, Any]]:
    names = {unit.id: unit.name for unit in units}
    people = await list_people(unit_path=path, limit=1000)
    return [{**person, "unit_name": names.get(person["unit_id"], "")} for person in people if person["active"]]


async def _new_form(actor: Actor, form: Kept, error: str | None = None, status_code: int = 200) -> Template:
    units = await list_units(active_only=True, within_path=actor.jurisdiction_path)
    root = actor.jurisdiction_path
    return page(
        "tasks/new.html",
        status_code=status_code,
        form=form,
        error=error,
        directives=await list_directives(actor, limit=200),
        lead_units=[unit for unit in units if unit.path.startswith(actor.unit_path)],
        other_units=[unit for unit in units if unit.path.startswith(root)],
        people=await _people_under(actor.unit_path, units),
        priorities=[priority.value for priority in Priority],
    )


async def _split_form(
    actor: Actor, task_id: int, form: Kept, parts: int, error: str | None = None, status_code: int = 200
) -> Template:
    task = await services.get_task(actor, task_id)
    if not task["can_split"]:
        raise Forbidden("split_forbidden", "Bạn không có quyền chia việc cho nhiệm vụ này")
    units = await list_units(active_only=True, within_path=actor.jurisdiction_path)
    lead = next((unit for unit in units if unit.id == task["lead_unit_id"]), None)
    lead_path = lead.path if lead else actor.unit_path
    return page(
        "tasks/split.html",
        status_code=status_code,
        task=task,
        form=form,
        error=error,
        parts=parts,
        more=min(parts + DEFAULT_PARTS, MAX_PARTS),
        units=[unit for unit in units if unit.path.startswith(lead_path)],
        people=await _people_under(lead_path, units),
    )


class AssignDeskController(DeskController):
    path = "/tasks"
    guards = [managers_only]

    @get("/new")
    async def new(
        self, request: Request, directive_id: Annotated[int | None, QueryParameter(gt=0, le=ID_MAX)] = None
    ) -> Template:
        form = Kept({"directive_id": [str(directive_id)]} if directive_id else {"priority": ["normal"]})
        return await _new_form(actor_of(request), form)

    @post("/new")
    async def create(self, request: Request) -> Template | Redirect:
        actor = actor_of(request)
        form = await read_form(request)
        try:
            lead_unit_id = optional_int(form.get("lead_unit_id"))
            if lead_unit_id is None:
                raise Invalid("lead_unit_required", "Cần chọn đơn vị chủ trì")
            task = await services.create_task(
                actor,
                title=form.get("title"),
                description=form.get("description"),
                directive_id=optional_int(form.get("directive_id")),
                lead_unit_id=lead_unit_id,
                coordinating_unit_ids=int_list(form.all("coordinating_unit_ids")),
                assignee_ids=int_list(form.all("assignee_ids")),
                deadline=parse_date(form.get("deadline")),
                deadline_working_days=optional_int(form.get("deadline_working_days")),
                priority=form.get("priority") or Priority.normal.value,
            )
        except DomainError as error:
            return await _new_form(actor, form, _(error.message), error.status_code)
        return see_other(f"/tasks/{task['id']}", ok="created")

    @get("/{task_id:int}/split")
    async def split_form(
        self,
        request: Request,
        task_id: FromPath[int],
        parts: Annotated[int, QueryParameter(ge=1, le=MAX_PARTS)] = DEFAULT_PARTS,
    ) -> Template:
        return await _split_form(actor_of(request), task_id, Kept(), parts)

    @post("/{task_id:int}/split")
    async def split(self, request: Request, task_id: FromPath[int]) -> Template | Redirect:
        actor = actor_of(request)
        form = await read_form(request)
        parts = min(max(optional_int(form.get("parts")) or DEFAULT_PARTS, 1), MAX_PARTS)
        try:
            rows = [index for index in range(parts) if form.get(f"title_{index}")]
            if not rows:
                raise Invalid("split_empty", "Cần nhập ít nhất một phần việc")
            parent = await services.get_task(actor, task_id)
            # All parts or none: a half-split task would confuse everyone.
            async with write_transaction():
                for index in rows:
                    assignee = optional_int(form.get(f"assignee_{index}"))
                    if assignee is None:
                        raise Invalid("split_assignee_required", "Mỗi phần việc cần có người thực hiện")
                    await services.create_task(
                        actor,
                        parent_id=task_id,
                        title=form.get(f"title_{index}"),
                        lead_unit_id=optional_int(form.get(f"unit_{index}")) or parent["lead_unit_id"],
                        assignee_ids=[assignee],
                        deadline=parse_date(form.get(f"deadline_{index}")),
                        priority=parent["priority"],
                    )
        except DomainError as error:
            return await _split_form(actor, task_id, form, parts, _(error.message), error.status_code)
        return see_other(f"/tasks/{task_id}", ok="split")
