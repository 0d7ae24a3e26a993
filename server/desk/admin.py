"""Minimal administration for the admin role: units, people, the holiday calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated

from litestar import Request, get, post
from litestar.params import FromQuery, QueryParameter
from litestar.response import Redirect, Template

from server.desk.base import DeskController
from server.holidays import services as holidays
from server.lib import clock
from server.lib.actor import Actor
from server.lib.errors import DomainError, Invalid
from server.lib.guards import actor_of, admin_only
from server.lib.i18n import gettext as _
from server.lib.web import Kept, flash_of, optional_int, page, parse_date, read_form, see_other
from server.people import services as people
from server.people.tables import Role
from server.units import services as units
from server.units.tables import UnitKind

ROLES = [role.value for role in Role]
KINDS = [kind.value for kind in UnitKind]


async def _units_page(
    actor: Actor, form: Kept, ok: str | None = None, error: str | None = None, status_code: int = 200
) -> Template:
    return page(
        "admin/units.html", units=await units.list_units(within_path=actor.jurisdiction_path), kinds=KINDS,
        form=form, ok=flash_of(ok), error=error,
        status_code=status_code,
    )


async def _people_page(
    actor: Actor, form: Kept, q: str = "", ok: str | None = None, error: str | None = None, status_code: int = 200
) -> Template:
    unit_list = await units.list_units(active_only=True, within_path=actor.jurisdiction_path)
    names = {unit.id: unit.name for unit in unit_list}
    found = await people.list_people(unit_path=actor.jurisdiction_path, q=q, limit=500)
    rows = [{**person, "unit_name": names.get(person["unit_id"], "")} for person in found]
    return page(
        "admin/people.html", people=rows, units=unit_list, roles=ROLES, q=q, form=form, ok=flash_of(ok), error=error,
        status_code=status_code,
    )


async def _holidays_page(
    year: int, form: Kept, ok: str | None = None, error: str | None = None, status_code: int = 200
) -> Template:
    return page(
        "admin/holidays.html", year=year, days=await holidays.list_days(year), form=form, ok=flash_of(ok),
        error=error, status_code=status_code,
    )


async def _change_holiday(
    form: Kept, change: Callable[[dt.date], Awaitable[None]], *, kept: Kept, ok: str
) -> Template | Redirect:
    """Set or delete one day of the calendar, then back to its year; an error shows the page again."""
    year = clock.today_vn().year
    try:
        day = parse_date(form.get("day"))
        if day is None:
            raise Invalid("date_required", "Cần chọn ngày")
        year = day.year
        await change(day)
    except DomainError as error:
        return await _holidays_page(year, kept, error=_(error.message), status_code=error.status_code)
    return see_other("/admin/holidays", year=year, ok=ok)


class AdminDeskController(DeskController):
    path = "/admin"
    guards = [admin_only]

    @get("/")
    async def index(self) -> Redirect:
        return see_other("/admin/units")

    @get("/units")
    async def unit_list(self, request: Request, ok: FromQuery[str | None] = None) -> Template:
        return await _units_page(actor_of(request), Kept({"kind": ["department"]}), ok=ok)

    @post("/units")
    async def unit_create(self, request: Request) -> Template | Redirect:
        form = await read_form(request)
        try:
            await units.create_unit(
                name=form.get("name"), code=form.get("code"), kind=form.get("kind"),
                parent_id=optional_int(form.get("parent_id")), actor_id=actor_of(request).id,
                scope_path=actor_of(request).jurisdiction_path,
            )
        except DomainError as error:
            return await _units_page(actor_of(request), form, error=_(error.message), status_code=error.status_code)
        return see_other("/admin/units", ok="unit_created")

    @get("/people")
    async def people_list(
        self, request: Request, q: Annotated[str, QueryParameter(max_length=200)] = "",
        ok: FromQuery[str | None] = None,
    ) -> Template:
        return await _people_page(actor_of(request), Kept({"role": ["officer"]}), q=q, ok=ok)

    @post("/people")
    async def person_create(self, request: Request) -> Template | Redirect:
        form = await read_form(request)
        try:
            unit_id = optional_int(form.get("unit_id"))
            if unit_id is None:
                raise Invalid("unit_required", "Cần chọn đơn vị")
            await people.create_person(
                actor_id=actor_of(request).id, username=form.get("username"), full_name=form.get("full_name"),
                role=form.get("role"), unit_id=unit_id, password=form.get("password"), title=form.get("title"),
                scope_path=actor_of(request).jurisdiction_path,
            )
        except DomainError as error:
            return await _people_page(actor_of(request), form, error=_(error.message), status_code=error.status_code)
        return see_other("/admin/people", ok="person_created")

    @post("/people/{person_id:int}/triage")
    async def person_triage(self, request: Request, person_id: int) -> Template | Redirect:
        """Name a person a triage officer, or no longer: they route citizens' reports and petitions."""
        form = await read_form(request)
        actor = actor_of(request)
        try:
            await people.update_person(actor_id=actor.id, person_id=person_id, triage=form.get("triage") == "1",
                                       scope_path=actor.jurisdiction_path)
        except DomainError as error:
            return await _people_page(actor, Kept({"role": ["officer"]}), error=_(error.message),
                                      status_code=error.status_code)
        return see_other("/admin/people", ok="person_updated")

    @get("/holidays")
    async def holiday_list(
        self,
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
        edit: FromQuery[str | None] = None,
        ok: FromQuery[str | None] = None,
    ) -> Template:
        year = year or clock.today_vn().year
        form = Kept()
        if edit:
            day = next((d for d in await holidays.list_days(year) if d["day"].isoformat() == edit), None)
            if day:
                form = Kept({"day": [edit], "name": [day["name"]],
                             "is_working_day": ["1"] if day["is_working_day"] else []})
        return await _holidays_page(year, form, ok=ok)

    @post("/holidays")
    async def holiday_set(self, request: Request) -> Template | Redirect:
        form = await read_form(request)

        async def save(day: dt.date) -> None:
            await holidays.set_day(day, form.get("name"), bool(form.get("is_working_day")),
                                   actor_id=actor_of(request).id)

        return await _change_holiday(form, save, kept=form, ok="day_saved")

    @post("/holidays/delete")
    async def holiday_delete(self, request: Request) -> Template | Redirect:
        form = await read_form(request)

        async def delete(day: dt.date) -> None:
            await holidays.delete_day(day, actor_id=actor_of(request).id)

        return await _change_holiday(form, delete, kept=Kept(), ok="day_deleted")
