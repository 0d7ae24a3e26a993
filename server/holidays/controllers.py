from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, put
from litestar.params import Parameter

from server.holidays import services
from server.lib.guards import actor_of, admin_only, api_header_middleware


class CalendarDayBody(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    is_working_day: bool = False


class HolidayApiController(Controller):
    path = "/holidays"
    tags = ["holidays"]
    middleware = [api_header_middleware]

    @get("/")
    async def list_days(self, year: int | None = Parameter(default=None, ge=2000, le=2100)) -> list[dict[str, Any]]:
        return await services.list_days(year)

    @get("/working-days")
    async def add_working_days(
        self, start: dt.date, days: int = Parameter(ge=0, le=365)
    ) -> dict[str, Any]:
        calendar = await services.load_calendar()
        return {"start": start, "days": days, "deadline": calendar.add_working_days(start, days)}

    @put("/{day:date}", guards=[admin_only])
    async def set_day(self, request: Request, day: dt.date, data: CalendarDayBody) -> dict[str, Any]:
        await services.set_day(day, data.name, data.is_working_day, actor_id=actor_of(request).id)
        return {"day": day, "name": data.name.strip(), "is_working_day": data.is_working_day}

    @delete("/{day:date}", guards=[admin_only], status_code=200)
    async def delete_day(self, request: Request, day: dt.date) -> dict[str, bool]:
        await services.delete_day(day, actor_id=actor_of(request).id)
        return {"ok": True}
