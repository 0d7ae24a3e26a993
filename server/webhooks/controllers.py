"""The admin's webhooks: the JSON API (/api/v1/webhooks/...) and the desk page (/admin/webhooks)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Router, delete, get, patch, post
from litestar.params import FromPath, FromQuery, PathParameter, QueryParameter
from litestar.response import Redirect, Template

from server.lib.errors import DomainError
from server.lib.guards import actor_of, admin_only, api_header_middleware
from server.lib.i18n import gettext as _
from server.lib.params import ID_MAX, bounded_int
from server.lib.web import Kept, PageController, read_form, see_other
from server.webhooks import services
from server.webhooks.tables import DeliveryState

# Ids as the database holds them: a larger number is a 400, not an overflow in the query.
Id = Annotated[int, PathParameter(gt=0, le=ID_MAX)]


class SubscriptionBody(msgspec.Struct, forbid_unknown_fields=True):
    url: str
    events: list[str]
    description: str = ""


class SubscriptionPatch(msgspec.Struct, forbid_unknown_fields=True):
    active: bool


class WebhookApiController(Controller):
    path = "/api/v1/webhooks"
    tags = ["webhooks"]
    middleware = [api_header_middleware]
    guards = [admin_only]

    @get("/subscriptions")
    async def subscriptions(self, request: Request) -> list[dict[str, Any]]:
        return await services.list_subscriptions(actor_of(request))

    @post("/subscriptions", status_code=201)
    async def subscribe(self, request: Request, data: SubscriptionBody) -> dict[str, Any]:
        """Subscribe a URL to events; the answer's `secret` signs every delivery and is never shown again."""
        return await services.create_subscription(actor_of(request), url=data.url, events=data.events,
                                                  description=data.description)

    @patch("/subscriptions/{subscription_id:int}")
    async def set_active(self, request: Request, subscription_id: Id, data: SubscriptionPatch
                         ) -> dict[str, Any]:
        return await services.set_active(actor_of(request), subscription_id, data.active)

    @delete("/subscriptions/{subscription_id:int}", status_code=200)
    async def remove(self, request: Request, subscription_id: Id) -> dict[str, bool]:
        await services.delete_subscription(actor_of(request), subscription_id)
        return {"ok": True}

    @get("/deliveries")
    async def deliveries(self, request: Request,
                         subscription_id: Annotated[int | None, QueryParameter(gt=0, le=ID_MAX)] = None,
                         status: Annotated[str | None, QueryParameter(query="state", max_length=16)] = None,
                         limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100) -> list[dict[str, Any]]:
        """The delivery log, newest first: state, attempts, the receiver's HTTP status, times, the last error."""
        return await services.list_deliveries(actor_of(request), subscription_id=subscription_id, state=status,
                                              limit=limit)

    @post("/deliveries/{delivery_id:int}/resend", status_code=202)
    async def resend(self, request: Request, delivery_id: Id) -> dict[str, Any]:
        """Queue the delivery again (same body and event id), with a fresh set of attempts."""
        return await services.resend(actor_of(request), delivery_id)


EVENT_TYPE_LABELS = services.EVENT_TYPES
STATE_LABELS = {
    DeliveryState.pending.value: "Chờ gửi",
    DeliveryState.retrying.value: "Sẽ gửi lại",
    DeliveryState.delivered.value: "Đã gửi",
    DeliveryState.failed.value: "Thất bại",
}


async def _page(request: Request, *, status_code: int = 200, form: Kept | None = None, error: str | None = None,
                ok: str | None = None, new_secret: dict[str, Any] | None = None,
                subscription_id: int | None = None) -> Template:
    actor = actor_of(request)
    subscriptions = await services.list_subscriptions(actor)
    deliveries = await services.list_deliveries(actor, subscription_id=subscription_id)
    return Template("webhooks/admin.html", status_code=status_code, context={
        "subscriptions": subscriptions, "deliveries": deliveries, "event_types": EVENT_TYPE_LABELS,
        "state_labels": STATE_LABELS, "form": form or Kept({"events": list(EVENT_TYPE_LABELS)}), "error": error,
        "ok": ok, "new_secret": new_secret, "subscription_id": subscription_id,
    })


OK_KEYS = frozenset({"enabled", "disabled", "deleted", "resent"})


class WebhookDeskController(PageController):
    path = "/admin/webhooks"
    guards = [admin_only]

    @get("/")
    async def index(self, request: Request, ok: FromQuery[str] = "",
                    subscription: Annotated[int | None, QueryParameter(gt=0, le=ID_MAX)] = None) -> Template:
        return await _page(request, ok=ok if ok in OK_KEYS else None, subscription_id=subscription)

    @post("/")
    async def create(self, request: Request) -> Template:
        """Shown at once, not redirected: the secret appears on this page only."""
        form = await read_form(request)
        try:
            created = await services.create_subscription(actor_of(request), url=form.get("url"),
                                                         events=form.all("events"),
                                                         description=form.get("description"))
        except DomainError as failure:
            return await _page(request, status_code=failure.status_code, form=form, error=_(failure.message))
        return await _page(request, status_code=201, new_secret=created)

    @post("/{subscription_id:int}/{what:str}")
    async def change(self, request: Request, subscription_id: Id, what: FromPath[str]
                     ) -> Template | Redirect:
        actor = actor_of(request)
        try:
            if what in ("enable", "disable"):
                await services.set_active(actor, subscription_id, what == "enable")
                return see_other("/admin/webhooks/", ok=f"{what}d")
            if what == "delete":
                await services.delete_subscription(actor, subscription_id)
                return see_other("/admin/webhooks/", ok="deleted")
        except DomainError as failure:
            return await _page(request, status_code=failure.status_code, error=_(failure.message))
        return await _page(request, status_code=400, error=_("Thao tác không hợp lệ"))

    @post("/deliveries/{delivery_id:int}/resend")
    async def resend(self, request: Request, delivery_id: Id) -> Template | Redirect:
        form = await read_form(request)
        try:
            await services.resend(actor_of(request), delivery_id)
        except DomainError as failure:
            return await _page(request, status_code=failure.status_code, error=_(failure.message))
        # The resend is done: a spoiled hidden field only loses the filter, it does not turn into an error page.
        return see_other("/admin/webhooks/", ok="resent", subscription=bounded_int(form.get("subscription")))


def webhooks_router() -> Router:
    return Router(path="/", route_handlers=[WebhookApiController, WebhookDeskController])
