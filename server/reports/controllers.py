"""Staff screens for reports: the receptionist's triage queue, petitions intake, and the admin's routing data."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from litestar import Request, Response, Router, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from server.forecast import suggestions
from server.lib.errors import DomainError
from server.lib.guards import actor_of, admin_only
from server.lib.i18n import gettext as _
from server.lib.web import Kept, PageController, int_list, optional_int, read_form, see_other
from server.reports import admin, services, triage
from server.reports.open311 import Open311Controller
from server.units.tables import Unit


def triage_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Whoever services.can_triage names triages citizen reports and records petitions."""
    if not services.can_triage(actor_of(connection)):
        raise PermissionDeniedException(detail="Bạn không có quyền phân loại phản ánh", extra={"code": "role"})


async def _units() -> list[dict[str, Any]]:
    """Active units, for the admin's routing rules, areas and keys (the triage page reads its own: triage.py)."""
    return list(await Unit.select(Unit.id, Unit.name, Unit.path).where(Unit.active.eq(True)).order_by(Unit.path))


def _page(name: str, status_code: int = 200, **context: Any) -> Template:
    context.setdefault("error", None)
    context.setdefault("ok", None)
    return Template(f"reports/{name}", context=context, status_code=status_code)


def _filter_of(values: Any) -> triage.QueueFilter:
    def number(name: str) -> int | None:
        try:
            return optional_int(values.get(name))
        except DomainError:
            return None

    return triage.QueueFilter.of(state=values.get("state") or "", order=values.get("order") or "",
                                 category_id=number("category"), area_id=number("area"), age=values.get("age") or "",
                                 page=number("page"), q=values.get("q") or "")


def _back(form: Kept, fallback: str = "/reports/triage") -> str:
    """Where a decision returns: the queue as it was filtered, or the report's own page."""
    back = form.get("back")
    return back if back.startswith("/reports/triage") and "//" not in back else fallback


def _return_to(back: str, **flash: Any) -> Redirect:
    """Post/Redirect/Get to `back`, its filters kept and the last flash replaced by this one."""
    parts = urlsplit(back)
    query = {k: v for k, v in parse_qsl(parts.query) if k not in ("ok", "error", "n")}
    return see_other(parts.path, **query, **flash)


async def _queue_page(request: Request, flt: triage.QueueFilter, status_code: int = 200,
                      failed: dict[str, Any] | None = None, **context: Any) -> Template:
    actor = actor_of(request)
    page = await triage.triage_page(actor, flt)
    return _page("triage.html", status_code=status_code, **page,
                 categories=await services.list_categories(active_only=False), areas=await admin.area_names(),
                 query=flt.query(), failed=failed or {}, **context)


class TriageController(PageController):
    path = "/reports"
    guards = [triage_guard]

    @get("/triage")
    async def queue(self, request: Request, ok: FromQuery[str] = "", error: FromQuery[str] = "",
                    n: FromQuery[int | None] = None) -> Template:
        return await _queue_page(request, _filter_of(request.query_params), ok=ok[:40], error=error[:300],
                                 done_count=n)

    @get("/triage/{report_id:int}")
    async def detail(self, request: Request, report_id: FromPath[int], ok: FromQuery[str] = "") -> Template:
        return await _detail_page(request, report_id, ok=ok[:40])

    @post("/triage/bulk-reject")
    async def bulk_reject(self, request: Request) -> Template | Redirect:
        form = await read_form(request)
        back = _back(form)
        try:
            result = await triage.reject_many(actor_of(request), int_list(form.all("ids")), kind=form.get("kind"),
                                              reason=form.get("reason"))
        except DomainError as failure:
            flt = _filter_of(Kept({k: [v] for k, v in parse_qsl(urlsplit(back).query)}))
            return await _queue_page(request, flt, status_code=failure.status_code,
                                     failed={"bulk": True, "error": _(failure.message), "form": form})
        return _return_to(back, ok="bulk", n=len(result["done"]))

    @post("/triage/{report_id:int}/{action:str}")
    async def decide(self, request: Request, report_id: FromPath[int], action: FromPath[str]) -> Template | Redirect:
        actor = actor_of(request)
        form = await read_form(request)
        back = _back(form)
        try:
            if action == "accept":
                await services.accept(actor, report_id, unit_id=optional_int(form.get("unit")),
                                      public_note=form.get("note"))
            elif action == "reject":
                await services.reject(actor, report_id, kind=form.get("kind"), reason=form.get("reason"))
            elif action == "merge":
                await services.merge_duplicate(actor, report_id, original_code=form.get("original"),
                                               reason=form.get("reason"))
            else:
                return _return_to(back, error=_("Thao tác không hợp lệ"))
        except DomainError as failure:
            # Shown again next to the report, with what was typed (note, reason, chosen unit) kept.
            failed = {"id": report_id, "action": action, "error": _(failure.message), "form": form}
            if back.startswith(f"/reports/triage/{report_id}"):
                return await _detail_page(request, report_id, status_code=failure.status_code, failed=failed)
            flt = _filter_of(Kept({k: [v] for k, v in parse_qsl(urlsplit(back).query)}))
            return await _queue_page(request, flt, status_code=failure.status_code, failed=failed)
        if back.startswith(f"/reports/triage/{report_id}"):
            return see_other(f"/reports/triage/{report_id}", ok=action)
        return _return_to(back, ok=action)

    @get("/photos/{photo_id:int}/original")
    async def original(self, request: Request, photo_id: FromPath[int]) -> Response[bytes]:
        data, content_type = await services.original_photo_bytes(actor_of(request), photo_id)
        return Response(content=data, media_type=content_type, headers={"Cache-Control": "private, no-store"})

    @get("/petitions/new")
    async def petition_form(self) -> Template:
        return _page("petition.html", categories=await services.list_categories(), form={})

    @post("/petitions/new")
    async def petition(self, request: Request) -> Template | Redirect:
        form = await read_form(request)
        try:
            result = await services.record_petition(
                actor_of(request), session=form.get("session"), constituency=form.get("constituency"),
                deputies=form.get("deputies"), voters_group=form.get("voters_group"),
                description=form.get("description"), category_id=optional_int(form.get("category")))
        except DomainError as failure:
            return _page("petition.html", status_code=422, categories=await services.list_categories(),
                         form=form, error=_(failure.message))
        return see_other("/reports/triage", ok="petition", code=result["code"])


async def _detail_page(request: Request, report_id: int, status_code: int = 200,
                       failed: dict[str, Any] | None = None, ok: str = "") -> Template:
    item = await services.staff_report(actor_of(request), report_id)
    return _page("report.html", status_code=status_code, item=item, units=item["unit_choices"],
                 failed=failed or {}, ok=ok)


class ReportAdminController(PageController):
    path = "/reports/admin"
    guards = [admin_only]

    @get("/")
    async def index(self, ok: FromQuery[str] = "", error: FromQuery[str] = "") -> Template:
        return _page("admin.html", categories=await services.list_categories(active_only=False),
                     rules=await admin.list_rules(), areas=await admin.list_areas(), keys=await admin.list_keys(),
                     units=await _units(), ok=ok[:40], error=error[:300], new_key=None,
                     learned=await suggestions.learned_categories())

    @post("/{what:str}")
    async def change(self, request: Request, what: FromPath[str]) -> Template | Redirect:
        actor = actor_of(request)
        form = await read_form(request)
        try:
            if what == "category":
                await services.save_category(
                    actor, code=form.get("code"), name=form.get("name"),
                    target_days=optional_int(form.get("target_days")) or 0, description=form.get("description"),
                    group_name=form.get("group_name"), default_unit_id=optional_int(form.get("default_unit")),
                    active=form.get("active", "1") == "1")
            elif what == "rule":
                await admin.add_rule(actor, unit_id=optional_int(form.get("unit")) or 0,
                                     category_id=optional_int(form.get("category")),
                                     area_id=optional_int(form.get("area")),
                                     priority=optional_int(form.get("priority")) or 0)
            elif what == "rule-delete":
                await admin.delete_rule(actor, optional_int(form.get("id")) or 0)
            elif what == "area":
                await admin.save_area(actor, name=form.get("name"), polygon=form.get("polygon"),
                                      unit_id=optional_int(form.get("unit")), kind=form.get("kind") or "polygon")
            elif what == "key":
                key = await admin.create_key(actor, form.get("name"))
                return _page("admin.html", categories=await services.list_categories(active_only=False),
                             rules=await admin.list_rules(), areas=await admin.list_areas(),
                             keys=await admin.list_keys(), units=await _units(), new_key=key, ok="key")
            elif what == "category-learned":
                # Issue 15: the learned routing's suggestion pre-selected for this category (when confident).
                await suggestions.set_learned(actor, optional_int(form.get("id")) or 0, form.get("on") == "1")
            elif what == "key-active":
                await admin.set_key_active(actor, optional_int(form.get("id")) or 0, form.get("active") == "1")
            else:
                return see_other("/reports/admin/", error=_("Thao tác không hợp lệ"))
        except DomainError as failure:
            return see_other("/reports/admin/", error=_(failure.message))
        return see_other("/reports/admin/", ok=what)

    # The area editor: a map to draw the boundary with JavaScript, the GeoJSON textarea without it.
    @get("/areas/new")
    async def new_area(self) -> Template:
        return await _area_page({"kind": "polygon", "name": "", "polygon": "", "unit": None})

    @get("/areas/{area_id:int}")
    async def edit_area(self, area_id: FromPath[int]) -> Template:
        return await _area_page(await admin.get_area(area_id))

    @post("/areas/new")
    async def create_area(self, request: Request) -> Template | Redirect:
        return await _save_area(request, None)

    @post("/areas/{area_id:int}")
    async def change_area(self, request: Request, area_id: FromPath[int]) -> Template | Redirect:
        return await _save_area(request, area_id)

    @post("/areas/{area_id:int}/delete")
    async def remove_area(self, request: Request, area_id: FromPath[int]) -> Redirect:
        try:
            await admin.delete_area(actor_of(request), area_id)
        except DomainError as failure:
            return see_other("/reports/admin/", error=_(failure.message))
        return see_other("/reports/admin/", ok="area-delete")


async def _area_page(area: dict[str, Any], status_code: int = 200, error: str | None = None) -> Template:
    return _page("area.html", status_code=status_code, area=area, units=await _units(), error=error)


async def _save_area(request: Request, area_id: int | None) -> Template | Redirect:
    form = await read_form(request)
    kept = {"id": area_id, "name": form.get("name"), "kind": form.get("kind") or "polygon",
            "polygon": form.get("polygon"), "unit": optional_int(form.get("unit"))}
    try:
        saved = await admin.save_area(actor_of(request), name=kept["name"], polygon=kept["polygon"],
                                      unit_id=kept["unit"], kind=kept["kind"], area_id=area_id)
    except DomainError as failure:
        # Shown again with what the admin typed or drew, so nothing is lost (without JavaScript too).
        return await _area_page(kept, status_code=failure.status_code, error=_(failure.message))
    return see_other("/reports/admin/", ok="area", area=saved)


def reports_router() -> Router:
    return Router(path="/", route_handlers=[TriageController, ReportAdminController, Open311Controller])
