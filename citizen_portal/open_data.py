"""Open data for the province's portal: the public reports as CSV and GeoJSON, and the response times as CSV.

Only what the citizen portal already shows anyone, built from an allow-list of columns, never from the row: the
public code, the category, the status, the unit, the dates, the published response time, the address and the
point the citizen chose (a point read from a photo's GPS stays with staff, as on the portal: `point_from_photo`).
Never the reporter's name, phone or e-mail, their words, or a photo. Only the statuses the public lists show.

The reports' files are streamed page by page (keyset on the id) and bounded: at most `limit` rows (10,000 by
default, 50,000 at most) after the id `after`; the `Link: <...>; rel="next"` header and `X-Next-After` name the
next page when there is one. A parameter that is not understood is a 400 naming it, never a 500 nor ignored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, MediaType, Request, Response, get
from litestar.response import Stream

from server.holidays.services import load_calendar
from server.lib import clock
from server.lib.i18n import gettext as _
from server.lib.params import ID_MAX, bounded_date, bounded_int
from server.reports import stats
from server.reports.public import LISTED_STATUSES
from server.reports.tables import Category, Report, ReportKind
from server.settings import get_settings
from server.units.tables import Unit

DEFAULT_LIMIT = 10_000
MAX_LIMIT = 50_000
CHUNK = 1_000
# The columns of the reports' files, in order (the GeoJSON's properties are the same, less the point).
REPORT_FIELDS = (
    "code", "category_code", "category", "status", "unit", "address", "latitude", "longitude", "received_at",
    "first_answer_at", "resolved_at", "target_days", "due_date", "working_days", "within_target", "url",
)
STATS_FIELDS = (
    "group", "code", "name", "target_days", "count", "resolved", "median_first_answer_days",
    "median_resolution_days", "within_target", "decided", "share_within_target", "date_from", "date_to",
)
# What is read from the table: nothing else can reach a file.
COLUMNS = (
    Report.id, Report.code, Report.category, Report.status, Report.unit, Report.address, Report.latitude,
    Report.longitude, Report.point_from_photo, Report.received_at, Report.first_answer_at, Report.resolved_at,
    Report.target_days,
)
PUBLIC_OPT = {"public": True}


class BadParameter(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def _bad(error: BadParameter) -> Response[Any]:
    return Response(content={"error": {"code": "invalid_parameter", "message": _(error.message),
                                       "details": {"parameter": error.name}}},
                    media_type=MediaType.JSON, status_code=400)


def _date(params: Mapping[str, str], name: str) -> dt.date | None:
    value = params.get(name, "")
    day = bounded_date(value)
    if value and day is None:
        raise BadParameter(name, "Ngày không hợp lệ (định dạng YYYY-MM-DD)")
    return day


def _int(params: Mapping[str, str], name: str, default: int | None, low: int, high: int) -> int | None:
    value = params.get(name, "")
    if not value:
        return default
    number = bounded_int(value, low, high)
    if number is None:
        raise BadParameter(name, "Giá trị không hợp lệ: cần một số nguyên trong giới hạn cho phép")
    return number


class ReportQuery:
    """The reports' filters, read from the query string (every value checked, none silently dropped)."""

    def __init__(self, params: Mapping[str, str]) -> None:
        self.date_from = _date(params, "date_from")
        self.date_to = _date(params, "date_to")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise BadParameter("date_from", "Ngày bắt đầu sau ngày kết thúc")
        self.category = _int(params, "category", None, 1, ID_MAX)
        self.status = params.get("status", "")
        if self.status and self.status not in LISTED_STATUSES:
            raise BadParameter("status", "Trạng thái không hợp lệ")
        self.limit = _int(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT) or DEFAULT_LIMIT
        self.after = _int(params, "after", 0, 0, ID_MAX) or 0
        self.args = {k: v for k, v in params.items() if k in ("date_from", "date_to", "category", "status", "limit")}

    def where(self, after: int) -> Any:
        where = (Report.kind == ReportKind.report.value) & (Report.id > after)
        where &= Report.status.is_in([self.status] if self.status else list(LISTED_STATUSES))
        if self.category:
            where &= Report.category == self.category
        if self.date_from:
            where &= Report.received_at >= _day_start(self.date_from)
        if self.date_to:
            where &= Report.received_at < _day_start(self.date_to + dt.timedelta(days=1))
        return where

    async def next_after(self) -> int | None:
        """The cursor of the next page: the last id of this one, when a row follows it."""
        rows = await Report.select(Report.id).where(self.where(self.after)).order_by(Report.id).offset(
            self.limit - 1).limit(2)
        return rows[0]["id"] if len(rows) == 2 else None


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=clock.VN_TZ).astimezone(dt.UTC)


def _iso(moment: dt.datetime | None) -> str | None:
    return clock.as_utc(moment).isoformat() if moment else None


async def _rows(query: ReportQuery) -> AsyncIterator[dict[str, Any]]:
    """The public rows of the page, a chunk at a time, each built from the allow-list."""
    categories = {c["id"]: c for c in await Category.select(Category.id, Category.code, Category.name)}
    units: dict[int, str] = {}
    calendar = await load_calendar()
    today = clock.today_vn()
    base = get_settings().base_url
    after, left = query.after, query.limit
    while left > 0:
        chunk = await Report.select(*COLUMNS).where(query.where(after)).order_by(Report.id).limit(min(CHUNK, left))
        if not chunk:
            return
        missing = sorted({r["unit"] for r in chunk if r["unit"] and r["unit"] not in units})
        if missing:
            units.update({u["id"]: u["name"] for u in await Unit.select(Unit.id, Unit.name).where(
                Unit.id.is_in(missing))})
        for row in chunk:
            received = clock.local_date(row["received_at"])
            end = clock.local_date(row["resolved_at"]) if row["resolved_at"] else today
            days = calendar.working_days_between(received, end)
            category = categories.get(row["category"]) or {}
            public_point = not row["point_from_photo"]
            yield {
                "code": row["code"], "category_code": category.get("code", ""), "category": category.get("name", ""),
                "status": row["status"], "unit": units.get(row["unit"], ""), "address": row["address"],
                "latitude": row["latitude"] if public_point else None,
                "longitude": row["longitude"] if public_point else None,
                "received_at": _iso(row["received_at"]), "first_answer_at": _iso(row["first_answer_at"]),
                "resolved_at": _iso(row["resolved_at"]), "target_days": row["target_days"],
                "due_date": calendar.add_working_days(received, row["target_days"]).isoformat(),
                "working_days": days, "within_target": days <= row["target_days"],
                "url": f"{base}/r/{row['code']}",
            }
        after = chunk[-1]["id"]
        left -= len(chunk)


def _csv_line(values: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(["" if v is None else v for v in values])
    return out.getvalue()


async def _reports_csv(query: ReportQuery) -> AsyncIterator[str]:
    yield _csv_line(list(REPORT_FIELDS))
    async for item in _rows(query):
        yield _csv_line([item[name] for name in REPORT_FIELDS])


async def _reports_geojson(query: ReportQuery) -> AsyncIterator[str]:
    yield '{"type":"FeatureCollection","features":['
    first = True
    async for item in _rows(query):
        point = None
        if item["latitude"] is not None and item["longitude"] is not None:
            point = {"type": "Point", "coordinates": [item["longitude"], item["latitude"]]}
        properties = {k: v for k, v in item.items() if k not in ("latitude", "longitude")}
        feature = {"type": "Feature", "id": item["code"], "geometry": point, "properties": properties}
        yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
        first = False
    yield "]}"


async def _paged(request: Request, content: Any, query: ReportQuery, media_type: str, filename: str
                 ) -> Stream:
    headers = {"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "public, max-age=300",
               "Access-Control-Allow-Origin": "*"}
    next_after = await query.next_after()
    if next_after is not None:
        link = f"{request.url.path}?{urlencode({**query.args, 'after': next_after})}"
        headers["Link"] = f'<{link}>; rel="next"'
        headers["X-Next-After"] = str(next_after)
    return Stream(content, media_type=media_type, headers=headers)


class OpenDataController(Controller):
    path = "/portal/open-data"
    include_in_schema = False
    opt = PUBLIC_OPT

    @get("/reports.csv")
    async def reports_csv(self, request: Request) -> Stream | Response[Any]:
        try:
            query = ReportQuery(request.query_params)
        except BadParameter as error:
            return _bad(error)
        return await _paged(request, _reports_csv(query), query, "text/csv; charset=utf-8", "phan-anh.csv")

    @get("/reports.geojson")
    async def reports_geojson(self, request: Request) -> Stream | Response[Any]:
        try:
            query = ReportQuery(request.query_params)
        except BadParameter as error:
            return _bad(error)
        return await _paged(request, _reports_geojson(query), query, "application/geo+json",
                            "phan-anh.geojson")

    @get("/response-times.csv")
    async def response_times_csv(self, request: Request) -> Response[Any]:
        """The statistics page's figures (by category, by unit, overall) for the period, 365 days by default."""
        try:
            date_to = _date(request.query_params, "date_to") or clock.today_vn()
            date_from = _date(request.query_params, "date_from") or date_to - dt.timedelta(days=365)
            if date_from > date_to:
                raise BadParameter("date_from", "Ngày bắt đầu sau ngày kết thúc")
        except BadParameter as error:
            return _bad(error)
        figures = await stats.response_times(date_from, date_to)
        lines = [_csv_line(list(STATS_FIELDS))]
        period = [date_from.isoformat(), date_to.isoformat()]
        lines.append(_csv_line(["overall", "", "", "", *_figures(figures["overall"]), *period]))
        for row in figures["categories"]:
            lines.append(_csv_line(["category", row["code"], row["name"], row["target_days"], *_figures(row),
                                    *period]))
        for row in figures["units"]:
            lines.append(_csv_line(["unit", "", row["name"], "", *_figures(row), *period]))
        return Response(content="".join(lines), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'inline; filename="thoi-gian-phan-hoi.csv"',
                                 "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"})


def _figures(row: dict[str, Any]) -> list[Any]:
    share = row["share_within_target"]
    return [row["count"], row["resolved"], row["median_first_answer_days"], row["median_resolution_days"],
            row["within_target"], row["decided"], round(share, 4) if share is not None else None]
