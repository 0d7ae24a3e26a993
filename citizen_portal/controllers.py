"""The public portal: no account, works without JavaScript. Report → tracking code → /r/{code} → rating."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from litestar import Controller, MediaType, Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router

from citizen_portal.forms import optional_int, read_report_form, report_arguments
from citizen_portal.open_data import OpenDataController
from citizen_portal.place import map_bounds
from server.desk.base import DESK_EXCEPTION_HANDLERS
from server.lib import clock
from server.lib.errors import DomainError, Forbidden, NotFound
from server.lib.i18n import gettext as _
from server.lib.params import OFFSET_MAX, bounded_date, bounded_int
from server.reports import services, stats
from server.reports.tables import ReportKind
from server.units.tables import Unit

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_UPLOAD = 5 * 10_000_000 + 1_000_000
PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
PUBLIC_OPT = {"public": True}


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _page(name: str, status_code: int = 200, headers: dict[str, str] | None = None, **context: Any) -> Template:
    return Template(f"portal/{name}", context=context, status_code=status_code,
                    headers={"Referrer-Policy": "strict-origin-when-cross-origin", **(headers or {})})


def _period(date_from: str | None, date_to: str | None, default_days: int = 90) -> tuple[dt.date, dt.date]:
    today = clock.today_vn()

    end = bounded_date(date_to) or today
    start = bounded_date(date_from) or end - dt.timedelta(days=default_days)
    return (start, end) if start <= end else (end, start)


async def _units() -> list[dict[str, Any]]:
    return list(await Unit.select(Unit.id, Unit.name).where(Unit.active.eq(True)).order_by(Unit.name))


def _json(data: Any, status_code: int = 200) -> Response[Any]:
    return Response(content=data, media_type=MediaType.JSON, status_code=status_code)


def _public_item(item: dict[str, Any]) -> dict[str, Any]:
    """The public JSON of a report: built from an allow-list, never from the row itself."""
    return {
        "code": item["code"], "kind": item["kind"], "category": item["category_name"],
        "category_code": item["category_code"], "description": item["description"] if item["status"] != "rejected"
        else "", "address": item["address"], "latitude": item["latitude"], "longitude": item["longitude"],
        "status": item["status"], "unit": item["unit_name"], "received_at": item["received_at"],
        "first_answer_at": item["first_answer_at"], "resolved_at": item["resolved_at"],
        "target_days": item["target_days"], "working_days": item["working_days"],
        "public_answer": item["public_answer"], "public_reason": item["public_reason"], "rating": item["rating"],
        "petition_session": item["petition_session"], "url": f"/r/{item['code']}",
    }


async def _report_page(form: dict[str, str], error: str | None, status_code: int = 200) -> Template:
    # The notice states the retention period the code applies (services.PERSONAL_DATA_RETENTION_MONTHS).
    return _page("report.html", status_code=status_code, categories=await services.list_categories(), form=form,
                 error=error, retention_months=services.PERSONAL_DATA_RETENTION_MONTHS, map_bounds=await map_bounds())


class PortalController(Controller):
    path = "/"
    include_in_schema = False
    exception_handlers = DESK_EXCEPTION_HANDLERS
    opt = PUBLIC_OPT

    @get("/portal")
    async def home(self) -> Template:
        return _page("home.html", categories=await services.list_categories())

    @get("/portal/lookup")
    async def lookup(self, code: FromQuery[str] = "") -> Redirect:
        return Redirect(path=f"/r/{quote(services.normalise_code(code))}", status_code=303)

    @get("/portal/report")
    async def report_form(self) -> Template:
        return await _report_page({}, None)

    @post("/portal/report", request_max_body_size=MAX_UPLOAD)
    async def submit(self, request: Request) -> Template | Redirect:
        values: dict[str, str] = {}
        try:
            values, photos = await read_report_form(request)
            result = await services.submit_report(**report_arguments(values, photos, _client_ip(request)))
        except DomainError as error:
            status = 429 if error.code.startswith("rate_limited") else 422
            return await _report_page(values, _(error.message), status)
        # The photos' public copies are built by the worker (job queued with the report), not here.
        query = urlencode({"key": result["key"], "new": 1})
        return Redirect(path=f"/r/{result['code']}?{query}", status_code=303)

    @get("/r/{code:str}")
    async def report_page(self, code: FromPath[str], key: FromQuery[str] = "", new: FromQuery[int] = 0,
                          rated: FromQuery[int] = 0, error: FromQuery[str] = "") -> Template | Redirect | Response[Any]:
        if code.endswith(".json"):
            return await self._report_json(code.removesuffix(".json"))
        normal = services.normalise_code(code)
        if normal != code and services.CODE_RE.match(normal):
            return Redirect(path=f"/r/{normal}", status_code=301)
        # The reporter's private link also opens a report rejected as spam, to read why; the public gets a 404.
        report = await services.public_report(code, key=key[:64])
        return _page("detail.html", headers=PRIVATE_HEADERS, report=report, key=key[:64], new=bool(new),
                     rated=bool(rated), error=error[:200])

    async def _report_json(self, code: str) -> Response[Any]:
        report = await services.public_report(code)
        item = _public_item(report)
        item["timeline"] = [{"kind": e["kind"], "label": e["label"], "note": e["note"], "at": e["at"],
                             "working_days": e["working_days"]} for e in report["timeline"]]
        item["photos"] = [f"/r/{report['code']}/photos/{p['id']}.webp" for p in report["photos"]]
        item["after_photos"] = [f"/r/{report['code']}/photos/{p['id']}.webp" for p in report["after_photos"]]
        item["duplicate_of"] = report["duplicate_code"]
        return _json(item)

    @post("/r/{code:str}/rate")
    async def rate(self, request: Request, code: FromPath[str]) -> Redirect:
        form = await request.form()
        key = str(form.get("key") or "")
        try:
            await services.rate(code, key, optional_int(str(form.get("rating") or "")) or 0,
                                str(form.get("comment") or ""))
        except (Forbidden, DomainError) as error:
            if isinstance(error, NotFound):
                raise
            query = urlencode({"key": key, "error": _(error.message)})
            return Redirect(path=f"/r/{services.normalise_code(code)}?{query}", status_code=303)
        return Redirect(path=f"/r/{services.normalise_code(code)}?rated=1", status_code=303)

    @get("/r/{code:str}/photos/{name:str}")
    async def photo(self, code: FromPath[str], name: FromPath[str]) -> Response[bytes]:
        stem, _dot, ext = name.partition(".")
        size = "thumb" if stem.endswith("-thumb") else "full"
        photo_id = optional_int(stem.removesuffix("-thumb"))
        if photo_id is None or ext != "webp":
            raise NotFound("photo_not_found", "Không tìm thấy ảnh")
        data = await services.public_photo_bytes(code, photo_id, size)
        return Response(content=data, media_type="image/webp",
                        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"})

    @get("/portal/reports")
    async def reports(self, request: Request, q: FromQuery[str] = "", category: FromQuery[str] = "",
                      status: FromQuery[str] = "", unit: FromQuery[str] = "", date_from: FromQuery[str] = "",
                      date_to: FromQuery[str] = "",
                      offset: Annotated[int, Parameter(ge=0, le=OFFSET_MAX)] = 0) -> Template:
        listing = await self._listing(q, category, status, unit, date_from, date_to, offset)
        args = {k: v for k, v in request.query_params.items() if k != "offset"}
        return _page("list.html", listing=listing, categories=await services.list_categories(active_only=False),
                     map_bounds=await map_bounds(),
                     units=await _units(), filters={"q": q, "category": category, "status": status, "unit": unit,
                                                   "date_from": date_from, "date_to": date_to},
                     statuses=services.LISTED_STATUSES, labels=services.STATUS_LABELS, more=urlencode(args))

    @get("/portal/reports.json")
    async def reports_json(self, q: FromQuery[str] = "", category: FromQuery[str] = "",
                           status: FromQuery[str] = "", unit: FromQuery[str] = "", date_from: FromQuery[str] = "",
                           date_to: FromQuery[str] = "",
                           offset: Annotated[int, Parameter(ge=0, le=OFFSET_MAX)] = 0) -> Response[Any]:
        listing = await self._listing(q, category, status, unit, date_from, date_to, offset)
        return _json({"total": listing["total"], "offset": listing["offset"], "limit": listing["limit"],
                      "items": [_public_item(item) for item in listing["items"]]})

    async def _listing(self, q: str, category: str, status: str, unit: str, date_from: str, date_to: str,
                       offset: int) -> dict[str, Any]:
        # An id or a date out of bounds is ignored like one that is not a number or not a date.
        return await services.public_list(category_id=bounded_int(category), status=status or None,
                                          unit_id=bounded_int(unit), date_from=bounded_date(date_from),
                                          date_to=bounded_date(date_to),
                                          q=q[:200], offset=max(0, offset))

    @get("/portal/stats")
    async def stats_page(self, date_from: FromQuery[str] = "", date_to: FromQuery[str] = "") -> Template:
        start, end = _period(date_from, date_to, 365)
        return _page("stats.html", figures=await stats.response_times(start, end), date_from=start, date_to=end)

    @get("/portal/stats.json")
    async def stats_json(self, date_from: FromQuery[str] = "", date_to: FromQuery[str] = "") -> Response[Any]:
        start, end = _period(date_from, date_to, 365)
        return _json(await stats.response_times(start, end))

    @get("/portal/petitions")
    async def petitions(self, session: FromQuery[str] = "", q: FromQuery[str] = "") -> Template:
        sessions = await services.petition_sessions()
        chosen = session if session in sessions else (sessions[0] if sessions else "")
        listing = await services.public_list(kind=ReportKind.petition.value, session=chosen or None, q=q[:200],
                                             limit=200) if chosen else {"items": [], "total": 0}
        return _page("petitions.html", sessions=sessions, session=chosen, listing=listing, q=q,
                     labels=services.STATUS_LABELS)

    @get("/portal/petitions.json")
    async def petitions_json(self, session: FromQuery[str] = "") -> Response[Any]:
        listing = await services.public_list(kind=ReportKind.petition.value, session=session or None, limit=200)
        return _json({"sessions": await services.petition_sessions(),
                      "items": [{**_public_item(i), "constituency": i["constituency"], "deputies": i["deputies"],
                                 "voters_group": i["voters_group"]} for i in listing["items"]]})


def portal_router() -> Router:
    return Router(path="/", route_handlers=[
        PortalController,
        OpenDataController,
        create_static_files_router(path="/portal/static", directories=[STATIC_DIR], opt=PUBLIC_OPT,
                                   include_in_schema=False),
    ])
