from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import Parameter

from server.lib.guards import actor_of, admin_only, api_header_middleware
from server.lib.params import ID_MAX
from server.people import services
from server.people.sessions import end_session, start_session


class PersonCreate(msgspec.Struct, forbid_unknown_fields=True):
    username: str
    full_name: str
    role: str
    unit_id: int
    password: str
    title: str = ""
    email: str = ""
    phone: str = ""


class PersonUpdate(msgspec.Struct, forbid_unknown_fields=True):
    role: str | None = None
    unit_id: int | None = None
    active: bool | None = None
    password: str | None = None
    triage: bool | None = None  # a triage officer: routes citizens' reports and petitions


class PeopleApiController(Controller):
    path = "/people"
    tags = ["people"]
    middleware = [api_header_middleware]

    @get("/")
    async def list_people(self, request: Request, q: str = Parameter(default="", max_length=100)) -> list[dict]:
        """Admins see their jurisdiction; leaders and unit heads their subtree (to assign work); others themselves."""
        actor = actor_of(request)
        if actor.is_admin:
            return await services.list_people(unit_path=actor.jurisdiction_path, q=q)
        if actor.manages_units:
            return await services.list_people(unit_path=actor.unit_path, q=q)
        return [await services.get_person(actor.id)]

    @post("/", guards=[admin_only], status_code=201)
    async def create(self, request: Request, data: PersonCreate) -> dict[str, Any]:
        actor = actor_of(request)
        return await services.create_person(
            actor_id=actor.id, scope_path=actor.jurisdiction_path, **msgspec.structs.asdict(data)
        )

    @patch("/{person_id:int}", guards=[admin_only])
    async def update(
        self, request: Request, data: PersonUpdate, person_id: int = Parameter(gt=0, le=ID_MAX)
    ) -> dict[str, Any]:
        actor = actor_of(request)
        person = await services.update_person(
            actor_id=actor.id, person_id=person_id, scope_path=actor.unit_path, **msgspec.structs.asdict(data)
        )
        if person_id == actor.id:
            # Their own change ended their other sessions; this one goes on, under a new id, if they still may.
            fresh = await services.get_actor(actor.id)
            if fresh is None:
                end_session(request)
            elif fresh.session_epoch != actor.session_epoch:
                start_session(request, fresh)
        return person
