from __future__ import annotations

from dataclasses import asdict
from typing import Any

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import Parameter

from server.lib.guards import actor_of, admin_only, api_header_middleware
from server.lib.params import ID_MAX
from server.units import services


class UnitCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    code: str
    kind: str
    parent_id: int | None = None


class UnitMove(msgspec.Struct, forbid_unknown_fields=True):
    parent_id: int | None


class UnitApiController(Controller):
    path = "/units"
    tags = ["units"]
    middleware = [api_header_middleware]

    @get("/")
    async def list_units(self, request: Request) -> list[dict[str, Any]]:
        """The units of the caller's own jurisdiction: another commune's organisation is not theirs to browse."""
        actor = actor_of(request)
        return [asdict(unit) for unit in await services.list_units(within_path=actor.jurisdiction_path)]

    @post("/", guards=[admin_only], status_code=201)
    async def create(self, request: Request, data: UnitCreate) -> dict[str, Any]:
        actor = actor_of(request)
        unit = await services.create_unit(
            name=data.name, code=data.code, kind=data.kind, parent_id=data.parent_id, actor_id=actor.id,
            scope_path=actor.jurisdiction_path,
        )
        return asdict(unit)

    @patch("/{unit_id:int}/parent", guards=[admin_only])
    async def move(
        self, request: Request, data: UnitMove, unit_id: int = Parameter(gt=0, le=ID_MAX)
    ) -> dict[str, Any]:
        actor = actor_of(request)
        return asdict(
            await services.move_unit(unit_id, data.parent_id, actor_id=actor.id, scope_path=actor.unit_path)
        )
