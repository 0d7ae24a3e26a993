from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get
from litestar.params import Parameter

from server.kpi import services
from server.lib.errors import Invalid, NotFound
from server.lib.guards import actor_of, managers_only
from server.lib.params import ID_MAX
from server.people.tables import Person
from server.units.tables import Unit


class KpiApiController(Controller):
    path = "/kpi"
    tags = ["kpi"]
    guards = [managers_only]

    @get("/")
    async def figures(
        self,
        request: Request,
        start: dt.date,
        end: dt.date,
        unit_id: int | None = Parameter(default=None, gt=0, le=ID_MAX),
        person_id: int | None = Parameter(default=None, gt=0, le=ID_MAX),
    ) -> dict[str, Any]:
        """The four buckets and two rates for a unit subtree (default: your own) or a person in it."""
        actor = actor_of(request)
        if end < start or (end - start).days > 3660:
            raise Invalid("period_invalid", "Khoảng thời gian không hợp lệ")
        if person_id is not None and unit_id is not None:
            raise Invalid("scope_ambiguous", "Chọn một đơn vị hoặc một cán bộ, không chọn cả hai")
        if person_id is not None:
            person = await Person.select(Person.unit.path).where(Person.id == person_id).first()
            if person is None or not person["unit.path"].startswith(actor.unit_path):
                raise NotFound("person_not_found", "Không tìm thấy cán bộ")
            # Only the tasks led inside the viewer's subtree (issue 6: a unit head sees their unit's tasks), read from
            # the people's kept counts (server.kpi.people_counts).
            result = await services.kept_figures(start, end, person_id=person_id, within_path=actor.unit_path)
        else:
            path = actor.unit_path
            if unit_id is not None:
                unit = await Unit.select(Unit.path).where(Unit.id == unit_id).first()
                if unit is None or not unit["path"].startswith(actor.unit_path):
                    raise NotFound("unit_not_found", "Không tìm thấy đơn vị")
                path = unit["path"]
            # The kept counts (server.kpi.counts), not a count of the tasks: a province's year in milliseconds.
            result = await services.kept_figures(start, end, unit_path=path)
        return {"start": start, "end": end, "unit_id": unit_id, "person_id": person_id, **result.as_dict()}
