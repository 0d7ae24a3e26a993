"""Open311 GeoReport v2 at /open311/v2: discovery, services, service definitions, requests, tokens; JSON and XML.

No GET ever returns reporter data: every request is built from the allow-list in `_request()`.
Times are ISO 8601 with the Vietnamese offset (+07:00). Errors are a list of {code, description}.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from server.lib import clock
from server.lib.errors import DomainError
from server.reports import admin, services
from server.reports.tables import Category, Report, ReportKind, ReportPhoto, ReportStatus
from server.settings import get_settings

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00+07:00"
DEFAULT_WINDOW_DAYS = 90
# "…allows one to search for requests which have a requested_datetime that matches a given range, but may not
# span more than 90 days." (GET Service Requests, start_date / end_date)
MAX_WINDOW_DAYS = 90
MAX_RESULTS = 1000
# "Otherwise, this is free form text limited to 4,000 characters." (POST Service Request, description)
MAX_DESCRIPTION = 4000
# Arguments the specification lets a client declare several times, or comma delimited, or both.
MULTI = ("service_request_id", "service_code", "status")
OPEN = (ReportStatus.new.value, ReportStatus.accepted.value)
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# Every status except spam, which never becomes public.
LISTED = (*services.LISTED_STATUSES, ReportStatus.new.value, ReportStatus.rejected.value)
SINGULAR = {"services": "service", "service_requests": "request", "errors": "error", "endpoints": "endpoint",
            "formats": "format", "attributes": "attribute", "values": "value"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def iso(moment: dt.datetime | None) -> str | None:
    return clock.as_utc(moment).astimezone(clock.VN_TZ).isoformat(timespec="seconds") if moment else None


def parse_iso(value: str | None, name: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be an ISO 8601 date and time") from None
    # Years near 1 or 9999 overflow once a window or a time zone is applied to them.
    if not clock.MIN_YEAR <= moment.year <= clock.MAX_YEAR:
        raise Open311Error(400, f"{name} must be between the years {clock.MIN_YEAR} and {clock.MAX_YEAR}")
    return moment.replace(tzinfo=clock.VN_TZ) if moment.tzinfo is None else moment


def _xml_value(parent: ET.Element, tag: str, value: Any) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_value(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _xml_value(element, SINGULAR.get(tag, "item"), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def to_xml(root: str, value: Any) -> bytes:
    element = ET.Element(root)
    if isinstance(value, list):
        for item in value:
            _xml_value(element, SINGULAR.get(root, "item"), item)
    else:
        for key, item in value.items():
            _xml_value(element, key, item)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")


def render(fmt: str, root: str, value: Any, status_code: int = 200) -> Response[bytes]:
    body = to_xml(root, value) if fmt == "xml" else json.dumps(value, ensure_ascii=False).encode()
    return Response(content=body, status_code=status_code, media_type=FORMATS[fmt])


def error(fmt: str, status: int, description: str) -> Response[bytes]:
    return render(fmt if fmt in FORMATS else "json", "errors", [{"code": status, "description": description}],
                  status)


def split_format(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if not dot or ext not in FORMATS:
        raise Open311Error(404, "Unknown format: use .json or .xml")
    return stem, ext


def base_url() -> str:
    return f"{get_settings().base_url}/open311/v2"


def jurisdiction_id() -> str:
    return urlsplit(get_settings().base_url).hostname or "dieuhanh"


def check_jurisdiction(value: str | None) -> None:
    if value and value != jurisdiction_id():
        raise Open311Error(404, "jurisdiction_id not found")


def discovery() -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": "Bộ phận tiếp nhận phản ánh",
        "key_service": "API keys are issued by the administrator of this People's Committee",
        "endpoints": [{"specification": SPEC_URL, "url": base_url(), "changeset": CHANGESET, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    }


def _service(row: dict[str, Any]) -> dict[str, Any]:
    return {"service_code": row["code"], "service_name": row["name"], "description": row["description"] or "",
            "metadata": False, "type": "realtime",
            "keywords": f"{row['target_days']} ngày làm việc", "group": row["group_name"] or ""}


async def list_services() -> list[dict[str, Any]]:
    return [_service(row) for row in await services.list_categories()]


async def service_definition(code: str) -> dict[str, Any]:
    row = await Category.select().where((Category.code == code) & Category.active.eq(True)).first()
    if row is None:
        raise Open311Error(404, "service_code not found")
    return {"service_code": row["code"], "attributes": []}


async def _request(item: dict[str, Any], categories: dict[int, dict[str, Any]], media: dict[int, int]) -> dict:
    category = categories.get(item["category"]) or {}
    closed = item["status"] not in OPEN
    due = item["due_date"]
    expected = dt.datetime.combine(due, dt.time(17, 0), tzinfo=clock.VN_TZ) if due else None
    # media_url: the link the client application gave (returned as given, never fetched: see
    # services.check_media_url), else the portal's own public copy of the report's first photo (re-encoded,
    # no metadata). A rejected report shows no photo, as on its page.
    photo = media.get(item["id"]) if item["status"] != ReportStatus.rejected.value else None
    media_url = item["media_url"] or (f"{get_settings().base_url}/r/{item['code']}/photos/{photo}.webp"
                                      if photo else "")
    return {
        "service_request_id": item["code"],
        "status": "closed" if closed else "open",
        "status_notes": item["public_answer"] or item["public_reason"] or services.STATUS_LABELS[item["status"]],
        "service_name": category.get("name", ""),
        "service_code": category.get("code", ""),
        # The portal takes a little more than the 4,000 characters the specification allows here.
        "description": "" if item["status"] == ReportStatus.rejected.value else item["description"][:MAX_DESCRIPTION],
        "agency_responsible": item["unit_name"],
        "service_notice": f"{item['target_days']} ngày làm việc",
        "requested_datetime": iso(item["received_at"]),
        "updated_datetime": iso(item["updated_at"]),
        "expected_datetime": iso(expected),
        "address": item["address"],
        "address_id": "",
        "zipcode": "",
        "lat": item["latitude"],
        "long": item["longitude"],
        "media_url": media_url,
    }


async def _requests(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items = [services.without_private_point(item) for item in await services._decorate(rows)]
    categories = {c["id"]: c for c in await Category.select(Category.id, Category.code, Category.name)}
    media: dict[int, int] = {}
    if items:
        for photo in await ReportPhoto.select(ReportPhoto.id, ReportPhoto.report).where(
                ReportPhoto.report.is_in([i["id"] for i in items]) & (ReportPhoto.kind == "before")).order_by(
                ReportPhoto.position, ascending=False):
            media[photo["report"]] = photo["id"]
    return [await _request(item, categories, media) for item in items]


def _public_where(where: Any) -> Any:
    return where & (Report.kind == ReportKind.report.value) & Report.status.is_in(list(LISTED)) & (
        Report.reject_kind != "spam")


async def get_requests(params: dict[str, str]) -> list[dict[str, Any]]:
    ids = [services.normalise_code(c) for c in (params.get("service_request_id") or "").split(",") if c.strip()]
    if ids:
        # "To call multiple Service Requests at once, multiple service_request_id can be declared; comma
        # delimited." — "This overrides all other arguments.": no window, service_code or status narrows it.
        rows = await Report.select(*services.PUBLIC_COLUMNS).where(
            _public_where(Report.code.is_in(ids[:MAX_RESULTS]))).order_by(Report.received_at, ascending=False)
        return await _requests(list(rows))
    where = Report.id > 0
    end = parse_iso(params.get("end_date"), "end_date")
    start = parse_iso(params.get("start_date"), "start_date")
    if start is not None and end is not None and end - start > dt.timedelta(days=MAX_WINDOW_DAYS):
        raise Open311Error(400, f"start_date and end_date may not span more than {MAX_WINDOW_DAYS} days")
    end = end or clock.now()
    start = start or end - dt.timedelta(days=DEFAULT_WINDOW_DAYS)
    where &= (Report.received_at >= clock.as_utc(start)) & (Report.received_at <= clock.as_utc(end))
    codes = [c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()]
    if codes:
        where &= Report.category.is_in(Category.select(Category.id).where(Category.code.is_in(codes)))
    statuses = {s.strip() for s in (params.get("status") or "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status must be open or closed")
    if statuses == {"open"}:
        where &= Report.status.is_in(list(OPEN))
    elif statuses == {"closed"}:
        where &= Report.status.not_in(list(OPEN))
    rows = await Report.select(*services.PUBLIC_COLUMNS).where(_public_where(where)).order_by(
        Report.received_at, ascending=False).limit(MAX_RESULTS)
    return await _requests(list(rows))


async def get_request(code: str) -> list[dict[str, Any]]:
    rows = await Report.select(*services.PUBLIC_COLUMNS).where(
        _public_where(Report.code == services.normalise_code(code)))
    if not rows:
        raise Open311Error(404, "service_request_id not found")
    return await _requests(list(rows))


async def post_request(params: dict[str, str]) -> list[dict[str, Any]]:
    key_id = await admin.key_id_for(params.get("api_key", ""))
    if key_id is None:
        raise Open311Error(403, "api_key is missing or not valid")
    code = params.get("service_code", "")
    # "404 - service_code or jurisdiction_id was not found"; "400 - service_code or jurisdiction_id was not
    # provided" (POST Service Request, Possible Errors)
    if not code:
        raise Open311Error(400, "service_code was not provided")
    row = await Category.select(Category.id).where((Category.code == code) & Category.active.eq(True)).first()
    if row is None:
        raise Open311Error(404, "service_code not found")
    if len(params.get("description", "")) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description is limited to {MAX_DESCRIPTION} characters")
    if not (params.get("lat") and params.get("long")) and not params.get("address_string") and not params.get(
            "address_id"):
        raise Open311Error(400, "lat and long, address_string or address_id is required")
    name = " ".join(p for p in (params.get("first_name", ""), params.get("last_name", "")) if p)
    try:
        # The client application collects the citizen's consent under its agreement for the API key.
        result = await services.submit_report(
            category_id=row["id"], description=params.get("description", ""), photos=[],
            latitude=params.get("lat") or None, longitude=params.get("long") or None,
            address=params.get("address_string") or params.get("address_id") or "", name=name,
            phone=params.get("phone", ""), email=params.get("email", ""), consent=True, source="open311",
            open311_key=key_id, min_photos=0, media_url=params.get("media_url", ""),
        )
    except DomainError as failure:
        raise Open311Error(400, f"{failure.code}: {failure.message}") from failure
    category = await services.get_category(row["id"])
    # Every service is "realtime": the id is known at once, so no token ("This should not be returned if
    # service_request_id is returned"). account_id: "May not be returned"; null, as in the specification's example.
    return [{"service_request_id": result["code"],
             "service_notice": f"{category['target_days']} ngày làm việc", "account_id": None}]


def _params(request: Request, form: dict[str, Any] | None = None) -> dict[str, str]:
    params = {k: v for k, v in request.query_params.items()}
    for key in MULTI:  # declared several times: one comma-delimited value, as if it had been sent so
        values = [v for v in request.query_params.getall(key, []) if isinstance(v, str)]
        if len(values) > 1:
            params[key] = ",".join(values)
    for key, value in (form or {}).items():
        if isinstance(value, str):
            params[key] = value
    cleaned = {k: v.strip() for k, v in params.items() if isinstance(v, str)}
    if any("\x00" in key or "\x00" in value for key, value in cleaned.items()):
        raise Open311Error(400, "a parameter holds a NUL character")  # PostgreSQL's text cannot store one
    return cleaned


class Open311Controller(Controller):
    path = "/open311/v2"
    opt = {"public": True}
    tags = ["open311"]
    include_in_schema = False

    @get("/{name:str}")
    async def top(self, request: Request, name: FromPath[str]) -> Response[bytes]:
        fmt = name.rpartition(".")[2]
        try:
            stem, fmt = split_format(name)
            check_jurisdiction(request.query_params.get("jurisdiction_id"))
            if stem == "discovery":
                return render(fmt, "discovery", discovery())
            if stem == "services":
                return render(fmt, "services", await list_services())
            if stem == "requests":
                return render(fmt, "service_requests", await get_requests(_params(request)))
            raise Open311Error(404, "Not found")
        except Open311Error as failure:
            return error(fmt, failure.status, failure.description)

    @get("/{collection:str}/{name:str}")
    async def one(self, request: Request, collection: FromPath[str], name: FromPath[str]) -> Response[bytes]:
        fmt = name.rpartition(".")[2]
        try:
            stem, fmt = split_format(name)
            check_jurisdiction(request.query_params.get("jurisdiction_id"))
            if collection == "services":
                return render(fmt, "service_definition", await service_definition(stem))
            if collection == "requests":
                return render(fmt, "service_requests", await get_request(stem))
            if collection == "tokens":
                found = await get_request(stem)
                return render(fmt, "service_requests", [{"service_request_id": found[0]["service_request_id"],
                                                         "token": stem}])
            raise Open311Error(404, "Not found")
        except Open311Error as failure:
            return error(fmt, failure.status, failure.description)

    @post("/{name:str}", status_code=201)
    async def create(self, request: Request, name: FromPath[str]) -> Response[bytes]:
        fmt = name.rpartition(".")[2]
        try:
            stem, fmt = split_format(name)
            if stem != "requests":
                raise Open311Error(404, "Not found")
            form = await request.form()
            params = _params(request, dict(form))
            check_jurisdiction(params.get("jurisdiction_id"))
            return render(fmt, "service_requests", await post_request(params), 201)
        except Open311Error as failure:
            return error(fmt, failure.status, failure.description)
