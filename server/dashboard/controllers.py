"""The leaders' desk: thin handlers over `server.dashboard.services`, for managers (leaders and unit heads) only."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from babel.numbers import format_decimal
from litestar import Controller, MediaType, Request, Response, get
from litestar.params import Parameter
from litestar.response import Template

from server.dashboard import charts, excel, services
from server.dashboard.services import Dashboard, Period
from server.desk.base import DeskController
from server.kpi.services import BUCKETS
from server.lib.errors import Invalid
from server.lib.guards import actor_of, managers_only
from server.lib.i18n import current_locale, format_date
from server.lib.i18n import gettext as _

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ID = Parameter(default=None, gt=0, le=2**31 - 1)


def number(value: int) -> str:
    return format_decimal(value, locale=current_locale.get())


def _day(value: str | None) -> dt.date | None:
    """Dates from a form or a link (yyyy-mm-dd, or dd/mm/yyyy as people type them); empty means not given."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise Invalid("date_invalid", "Ngày không hợp lệ") from error


class Links:
    """Builds the dashboard's links, keeping the period (and ?lang= when it was given) in each of them."""

    def __init__(self, request: Request, period: Period, unit_id: int | None = None, sort: str = "name") -> None:
        self.lang = request.query_params.get("lang")
        self.period = period
        self.unit_id = unit_id
        self.sort = sort

    def _url(self, path: str, params: dict[str, Any]) -> str:
        if self.lang:
            params["lang"] = self.lang
        clean = {k: v for k, v in params.items() if v not in (None, "", False)}
        return path + ("?" + urlencode(clean) if clean else "")

    def _period_params(self, period: Period | None = None) -> dict[str, Any]:
        period = period or self.period
        if period.kind == "custom":
            return {"period": "custom", "start": period.start.isoformat(), "end": period.end.isoformat()}
        return {"period": period.kind, "start": period.start.isoformat()}

    def dashboard(self, *, unit_id: int | None = None, sort: str | None = None, period: Period | None = None,
                  keep_unit: bool = True) -> str:
        unit = unit_id if unit_id is not None else (self.unit_id if keep_unit else None)
        sort = sort or self.sort
        return self._url("/dashboard", {**self._period_params(period), "unit_id": unit,
                                        "sort": None if sort == "name" else sort})

    def period_kind(self, kind: str) -> str:
        return self._url("/dashboard", {"period": kind, "unit_id": self.unit_id,
                                        "sort": None if self.sort == "name" else self.sort})

    def drill(self, bucket: str | None = None, *, unit_id: int | None = None, person_id: int | None = None,
              own: bool = False, week: Any = None) -> str:
        params: dict[str, Any] = {"bucket": bucket or "total"}
        if person_id is not None:
            params["person_id"] = person_id
        else:
            params["unit_id"] = unit_id if unit_id is not None else self.unit_id
            params["own"] = 1 if own else None
        start, end = (week.start, week.end) if week is not None else (self.period.start, self.period.end)
        params.update({"start": start.isoformat(), "end": end.isoformat()})
        return self._url("/dashboard/tasks", params)

    def report(self, suffix: str = "") -> str:
        return self._url(f"/dashboard/report{suffix}", {**self._period_params(), "unit_id": self.unit_id})

    def plain(self, path: str, **params: Any) -> str:
        return self._url(path, dict(params))


def _context(request: Request, data: Dashboard, unit_id: int | None) -> dict[str, Any]:
    links = Links(request, data.period, unit_id, data.sort)
    return {
        "d": data,
        "links": links,
        "buckets": BUCKETS,
        "label": charts.bucket_label,
        "colours": charts.COLOURS,
        "trend_svg": charts.trend_svg(data.weeks),
        "rate_bar": charts.rate_bar_svg,
        "units_table": excel.unit_table_rows(data),
        "period_title": f"{format_date(data.period.start)} – {format_date(data.period.end)}",
        "previous": links.dashboard(period=data.period.shifted(-1)),
        "next": links.dashboard(period=data.period.shifted(1)),
        "period_kinds": services.PERIODS[:-1],
        "num": number,
        "period_names": period_names(),
        "state_label": state_label,
    }


def state_label(state: str) -> str:
    return {
        "draft": _("Dự thảo"), "assigned": _("Mới giao"), "in_progress": _("Đang thực hiện"),
        "submitted": _("Chờ duyệt"), "returned": _("Trả lại"), "done": _("Hoàn thành"), "cancelled": _("Đã hủy"),
    }.get(state, state)


def period_names() -> dict[str, str]:
    return {"week": _("Tuần"), "month": _("Tháng"), "quarter": _("Quý"), "year": _("Năm"), "custom": _("Tùy chọn")}


class DashboardController(DeskController):
    """HTML screens; DeskController brings the desk's HTML error pages (and keeps them out of the schema)."""

    path = "/dashboard"
    guards = [managers_only]
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request, period: str | None = None, start: str | None = None, end: str | None = None,
        unit_id: int | None = ID, sort: str = "name",
    ) -> Template:
        data = await services.dashboard(
            actor_of(request), unit_id=unit_id, period=period, start=_day(start), end=_day(end), sort=sort
        )
        return Template("dashboard/index.html", context=_context(request, data, unit_id))

    @get("/tasks")
    async def tasks(
        self, request: Request, bucket: str | None = None, start: str | None = None, end: str | None = None,
        period: str | None = None, unit_id: int | None = ID, person_id: int | None = ID, own: bool = False,
        offset: int = Parameter(default=0, ge=0, le=10**7),
    ) -> Template:
        result = await services.drilldown(
            actor_of(request), bucket=bucket, unit_id=unit_id, person_id=person_id, own=own, period=period,
            start=_day(start), end=_day(end), offset=offset,
        )
        chosen: Period = result["period"]
        links = Links(request, chosen, unit_id)
        base = {"bucket": bucket or "total", "unit_id": unit_id, "person_id": person_id, "own": 1 if own else None,
                "start": chosen.start.isoformat(), "end": chosen.end.isoformat()}
        page = {
            "previous": links.plain("/dashboard/tasks", **base, offset=max(0, offset - result["limit"]) or None)
            if offset > 0 else None,
            "next": links.plain("/dashboard/tasks", **base, offset=offset + result["limit"])
            if offset + result["limit"] < result["count"] else None,
        }
        back_unit = unit_id if person_id is None else None
        return Template("dashboard/tasks.html", context={
            "r": result, "label": charts.bucket_label, "page": page, "num": number, "state_label": state_label,
            "back": links.dashboard(unit_id=back_unit, period=Period("custom", chosen.start, chosen.end)),
            "period_title": f"{format_date(chosen.start)} – {format_date(chosen.end)}",
        })

    @get("/directives")
    async def directives(
        self, request: Request, signer: str = "", kind: str = "", start: str | None = None, end: str | None = None,
    ) -> Template:
        actor = actor_of(request)
        rows = await services.directive_rollups(actor, signer=signer, kind=kind, start=_day(start), end=_day(end))
        return Template("dashboard/directives.html", context={
            "rows": rows, "signers": await services.signers(actor), "state_label": state_label, "num": number,
            "filters": {"signer": signer, "kind": kind, "start": _day(start), "end": _day(end)},
            "dashboard_url": Links(request, services.resolve_period(None)).dashboard(),
        })

    @get("/report")
    async def report(
        self, request: Request, period: str | None = None, start: str | None = None, end: str | None = None,
        unit_id: int | None = ID,
    ) -> Template:
        data = await services.dashboard(
            actor_of(request), unit_id=unit_id, period=period, start=_day(start), end=_day(end), overdue_limit=5000
        )
        context = _context(request, data, unit_id)
        context["period_name"] = excel.period_label(data.period.kind)
        return Template("dashboard/report.html", context=context)

    @get("/report.xlsx")
    async def report_xlsx(
        self, request: Request, period: str | None = None, start: str | None = None, end: str | None = None,
        unit_id: int | None = ID,
    ) -> Response[bytes]:
        data = await services.dashboard(
            actor_of(request), unit_id=unit_id, period=period, start=_day(start), end=_day(end), overdue_limit=5000
        )
        return Response(
            content=excel.build_workbook(data),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{excel.filename(data)}"',
                     "Cache-Control": "no-store"},
        )


class DashboardApiController(Controller):
    path = "/api/v1/dashboard"
    tags = ["dashboard"]
    guards = [managers_only]

    @get("/", media_type=MediaType.JSON)
    async def figures(
        self, request: Request,
        period: str | None = Parameter(default=None, description="week, month, quarter, year or custom"),
        start: dt.date | None = None, end: dt.date | None = None, unit_id: int | None = ID,
        sort: str = Parameter(default="name", pattern=r"^-?[a-z_]{1,40}$"),
    ) -> dict[str, Any]:
        """The leaders' dashboard as data: the scope's figures, its sub-units, its people, the weeks, the overdue."""
        data = await services.dashboard(actor_of(request), unit_id=unit_id, period=period, start=start, end=end,
                                        sort=sort)
        return data.as_dict()

    @get("/tasks", media_type=MediaType.JSON)
    async def tasks(
        self, request: Request, start: dt.date, end: dt.date, bucket: str | None = None,
        unit_id: int | None = ID, person_id: int | None = ID, own: bool = False,
        offset: int = Parameter(default=0, ge=0, le=10**7), limit: int = Parameter(default=100, ge=1, le=500),
    ) -> dict[str, Any]:
        """The exact tasks behind one figure; `count` equals the figure."""
        result = await services.drilldown(
            actor_of(request), bucket=bucket, unit_id=unit_id, person_id=person_id, own=own, start=start, end=end,
            offset=offset, limit=limit,
        )
        chosen: Period = result["period"]
        result["period"] = {"kind": chosen.kind, "start": chosen.start, "end": chosen.end}
        return result
