"""The leaders' desk: thin handlers over `server.dashboard.services`, for managers (leaders and unit heads) only."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from babel.numbers import format_decimal
from litestar import Controller, MediaType, Request, Response, get
from litestar.params import Parameter
from litestar.response import Redirect, Template

from server.dashboard import charts, excel, exports, services
from server.dashboard.services import Dashboard, Period
from server.forecast import services as forecast
from server.kpi.services import BUCKETS
from server.lib import clock
from server.lib.guards import actor_of, managers_only
from server.lib.i18n import current_locale, format_date
from server.lib.i18n import gettext as _
from server.lib.params import ID_MAX
from server.lib.web import PageController as DeskController
from server.lib.web import parse_date

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ID = Parameter(default=None, gt=0, le=ID_MAX)


def number(value: int) -> str:
    return format_decimal(value, locale=current_locale.get())


class Links:
    """Builds the dashboard's links, keeping the period (and ?lang= when it was given) in each of them."""

    def __init__(self, request: Request, period: Period, unit_id: int | None = None, sort: str = "name",
                 person_id: int | None = None) -> None:
        self.lang = request.query_params.get("lang")
        self.period = period
        self.unit_id = unit_id
        self.sort = sort
        self.person_id = person_id

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
        # On a person's page, the period's arrows stay on the person; a unit's link leaves them.
        person = self.person_id if unit_id is None and keep_unit else None
        sort = sort or self.sort
        return self._url("/dashboard", {**self._period_params(period), "unit_id": unit, "person_id": person,
                                        "sort": None if sort == "name" else sort})

    def person(self, person_id: int) -> str:
        """A person's own figures, for the same period."""
        return self._url("/dashboard", {**self._period_params(), "person_id": person_id})

    def period_kind(self, kind: str) -> str:
        return self._url("/dashboard", {"period": kind, "unit_id": self.unit_id, "person_id": self.person_id,
                                        "sort": None if self.sort == "name" else self.sort})

    def drill(self, bucket: str | None = None, *, unit_id: int | None = None, person_id: int | None = None,
              own: bool = False, week: Any = None) -> str:
        params: dict[str, Any] = {"bucket": bucket or "total"}
        if person_id is None and unit_id is None and not own:
            person_id = self.person_id  # a person's page: its figures open that person's tasks
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

    def people(self) -> str:
        return self._url("/dashboard/people", {**self._period_params(), "unit_id": self.unit_id,
                                               "sort": None if self.sort == "name" else self.sort})

    def plain(self, path: str, **params: Any) -> str:
        return self._url(path, dict(params))


def _context(request: Request, data: Dashboard, unit_id: int | None) -> dict[str, Any]:
    links = Links(request, data.period, unit_id, data.sort, data.person["id"] if data.person else None)
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
        "sort_href": lambda sort: links.dashboard(sort=sort),
    }


def state_label(state: str) -> str:
    return {
        "draft": _("Dự thảo"), "assigned": _("Mới giao"), "in_progress": _("Đang thực hiện"),
        "submitted": _("Chờ duyệt"), "returned": _("Trả lại"), "done": _("Hoàn thành"), "cancelled": _("Đã hủy"),
    }.get(state, state)


def period_names() -> dict[str, str]:
    return {"week": _("Tuần"), "month": _("Tháng"), "quarter": _("Quý"), "year": _("Năm"), "custom": _("Tùy chọn")}


async def _report_now_or_later(
    request: Request, period: str | None, start: str | None, end: str | None, unit_id: int | None
) -> Dashboard | Redirect:
    """A report's data, whole, when the scope is small; else a redirect to the worker's export of it."""
    actor = actor_of(request)
    export_id = await exports.request(
        actor, unit_id=unit_id, period=period, start=parse_date(start), end=parse_date(end)
    )
    if export_id is not None:
        return Redirect(Links(request, services.resolve_period(None)).plain(f"/dashboard/exports/{export_id}"))
    return await services.dashboard(
        actor, unit_id=unit_id, period=period, start=parse_date(start), end=parse_date(end), overdue_limit=5000,
        all_people=True,
    )


class DashboardController(DeskController):
    """HTML screens; DeskController brings the desk's HTML error pages (and keeps them out of the schema)."""

    path = "/dashboard"
    guards = [managers_only]
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request, period: str | None = None, start: str | None = None, end: str | None = None,
        unit_id: int | None = ID, sort: str = "name", person_id: int | None = ID,
    ) -> Template:
        if person_id is not None:  # a name in the people table: that person's own figures
            data = await services.person_dashboard(
                actor_of(request), person_id, period=period, start=parse_date(start), end=parse_date(end)
            )
            return Template("dashboard/index.html", context=_context(request, data, None))
        data = await services.dashboard(
            actor_of(request), unit_id=unit_id, period=period, start=parse_date(start), end=parse_date(end), sort=sort
        )
        context = _context(request, data, unit_id)
        # The late-risk forecast's list and per-unit figure for the same subtree (server/forecast).
        context["risk"] = await forecast.panel(actor_of(request), data.scope.path)
        return Template("dashboard/index.html", context=context)

    @get("/tasks")
    async def tasks(
        self, request: Request, bucket: str | None = None, start: str | None = None, end: str | None = None,
        period: str | None = None, unit_id: int | None = ID, person_id: int | None = ID, own: bool = False,
        offset: int = Parameter(default=0, ge=0, le=10**7),
    ) -> Template:
        result = await services.drilldown(
            actor_of(request), bucket=bucket, unit_id=unit_id, person_id=person_id, own=own, period=period,
            start=parse_date(start), end=parse_date(end), offset=offset,
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
        rows = await services.directive_rollups(
            actor, signer=signer, kind=kind, start=parse_date(start), end=parse_date(end)
        )
        return Template("dashboard/directives.html", context={
            "rows": rows, "signers": await services.signers(actor), "state_label": state_label, "num": number,
            "filters": {"signer": signer, "kind": kind, "start": parse_date(start), "end": parse_date(end)},
            "dashboard_url": Links(request, services.resolve_period(None)).dashboard(),
        })

    @get("/report")
    async def report(
        self, request: Request, period: str | None = None, start: str | None = None, end: str | None = None,
        unit_id: int | None = ID,
    ) -> Template | Redirect:
        """The printable A4 report: built now for a small scope, else by the worker (the page shows its progress)."""
        built = await _report_now_or_later(request, period, start, end, unit_id)
        return built if isinstance(built, Redirect) else _report_page(request, built, unit_id)

    @get("/report.xlsx")
    async def report_xlsx(
        self, request: Request, period: str | None = None, start: str | None = None, end: str | None = None,
        unit_id: int | None = ID,
    ) -> Response[bytes] | Redirect:
        """The .xlsx report: sent now for a small scope, else built by the worker (redirects to its progress)."""
        built = await _report_now_or_later(request, period, start, end, unit_id)
        return built if isinstance(built, Redirect) else _xlsx(excel.build_workbook(built), excel.filename(built))

    @get("/exports/{export_id:int}")
    async def export_status(self, request: Request, export_id: int) -> Template:
        """A report the worker builds: its progress (the page reloads itself until it is ready), then the files."""
        row = await exports.get(actor_of(request), export_id)
        links = Links(request, services.resolve_period(None))
        period = services.Period(row["period_kind"], clock.as_date(row["start"]),  # type: ignore[arg-type]
                                 clock.as_date(row["end"]))  # type: ignore[arg-type]
        return Template("dashboard/export.html", context={
            "e": row, "period_title": f"{format_date(period.start)} – {format_date(period.end)}",
            "period_name": excel.period_label(period.kind), "num": number,
            "xlsx_url": links.plain(f"/dashboard/exports/{export_id}/report.xlsx"),
            "print_url": links.plain(f"/dashboard/exports/{export_id}/print"),
            "dashboard_url": links.dashboard(unit_id=row["unit"], period=period),
        }, headers={"Refresh": "2"} if row["state"] in ("queued", "running") else None)

    @get("/exports/{export_id:int}/report.xlsx")
    async def export_xlsx(self, request: Request, export_id: int) -> Response[bytes]:
        name, content = await exports.content(actor_of(request), export_id)
        return _xlsx(content, name)

    @get("/exports/{export_id:int}/print")
    async def export_print(self, request: Request, export_id: int) -> Template:
        data = await exports.snapshot(actor_of(request), export_id)
        page = _report_page(request, data, data.scope.id)
        page.context["xlsx_url"] = Links(request, data.period).plain(f"/dashboard/exports/{export_id}/report.xlsx")
        return page

    @get("/people")
    async def people(
        self, request: Request, period: str | None = None, start: str | None = None, end: str | None = None,
        unit_id: int | None = ID, sort: str = "name", offset: int = Parameter(default=0, ge=0, le=10**7),
    ) -> Template:
        """The people table of a subtree too large to show on the dashboard, a page at a time."""
        result = await services.people_page(
            actor_of(request), unit_id=unit_id, period=period, start=parse_date(start), end=parse_date(end), sort=sort,
            offset=offset,
        )
        chosen: Period = result["period"]
        links = Links(request, chosen, unit_id, result["sort"])
        base = {**links._period_params(), "unit_id": unit_id, "sort": None if result["sort"] == "name" else sort}
        page = {
            "previous": links.plain("/dashboard/people", **base, offset=max(0, offset - result["limit"]) or None)
            if offset > 0 else None,
            "next": links.plain("/dashboard/people", **base, offset=offset + result["limit"])
            if offset + result["limit"] < result["count"] else None,
        }
        return Template("dashboard/people.html", context={
            "r": result, "page": page, "links": links, "num": number, "buckets": BUCKETS, "label": charts.bucket_label,
            "colours": charts.COLOURS, "rate_bar": charts.rate_bar_svg,
            "d": {"sort": result["sort"]},
            "sort_href": lambda key: links.plain("/dashboard/people",
                                                 **{**base, "sort": None if key == "name" else key}),
            "period_title": f"{format_date(chosen.start)} – {format_date(chosen.end)}",
            "back": links.dashboard(),
        })


def _xlsx(content: bytes, name: str) -> Response[bytes]:
    return Response(
        content=content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _report_page(request: Request, data: Dashboard, unit_id: int | None) -> Template:
    context = _context(request, data, unit_id)
    context["period_name"] = excel.period_label(data.period.kind)
    context["xlsx_url"] = context["links"].report(".xlsx")
    return Template("dashboard/report.html", context=context)


class DashboardApiController(Controller):
    path = "/api/v1/dashboard"
    tags = ["dashboard"]
    guards = [managers_only]

    @get("/", media_type=MediaType.JSON)
    async def figures(
        self, request: Request,
        period: str | None = Parameter(default=None, description="week, month, quarter, year or custom"),
        start: dt.date | None = None, end: dt.date | None = None, unit_id: int | None = ID,
        sort: str = Parameter(default="name", pattern=r"^-?[a-z_]{1,40}$"), person_id: int | None = ID,
    ) -> dict[str, Any]:
        """The leaders' dashboard as data: the scope's figures, its sub-units, its people, the weeks, the overdue;
        with `person_id`, that person's own figures, weeks and overdue tasks (`person` names them)."""
        if person_id is not None:
            return (await services.person_dashboard(actor_of(request), person_id, period=period, start=start,
                                                    end=end)).as_dict()
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
