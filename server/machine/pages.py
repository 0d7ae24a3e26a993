"""/admin/machine-keys: the admin's page of API keys for other systems (the JSON twin is /api/v1/machine-keys)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from server.lib.errors import DomainError
from server.lib.guards import actor_of, admin_only
from server.lib.i18n import gettext as _
from server.lib.web import Kept, PageController, optional_int, read_form, see_other
from server.machine import keys
from server.units import services as units

PATH = "/admin/machine-keys"


async def _page(request: Request, *, status_code: int = 200, form: Kept | None = None, error: str | None = None,
                ok: str | None = None, new_key: dict[str, Any] | None = None) -> Template:
    actor = actor_of(request)
    return Template("machine/keys.html", status_code=status_code, context={
        "keys": await keys.list_keys(actor), "scopes": keys.SCOPES,
        "units": await units.list_units(active_only=True, within_path=actor.jurisdiction_path),
        "form": form or Kept({"scopes": ["directives:write"], "rate_per_minute": [str(keys.DEFAULT_RATE)]}),
        "error": error, "ok": ok, "new_key": new_key, "default_rate": keys.DEFAULT_RATE, "max_rate": keys.MAX_RATE,
    })


class MachineKeyDeskController(PageController):
    path = PATH
    guards = [admin_only]

    @get("/")
    async def index(self, request: Request, ok: FromQuery[str] = "") -> Template:
        return await _page(request, ok="revoked" if ok == "revoked" else None)

    @post("/")
    async def create(self, request: Request) -> Template:
        """Shown at once, not redirected: the key appears on this page only, this once."""
        form = await read_form(request)
        try:
            rate = optional_int(form.get("rate_per_minute")) if form.get("rate_per_minute") else keys.DEFAULT_RATE
            if rate is None:
                raise DomainError("machine_rate_invalid", "Giới hạn mỗi phút không hợp lệ")
            created = await keys.create_key(actor_of(request), name=form.get("name"), scopes=form.all("scopes"),
                                            unit_id=optional_int(form.get("unit_id")), rate_per_minute=rate)
        except DomainError as failure:
            return await _page(request, status_code=failure.status_code, form=form, error=_(failure.message))
        return await _page(request, status_code=201, new_key=created)

    @post("/{key_id:int}/revoke")
    async def revoke(self, request: Request, key_id: FromPath[int]) -> Template | Redirect:
        try:
            await keys.revoke_key(actor_of(request), key_id)
        except DomainError as failure:
            return await _page(request, status_code=failure.status_code, error=_(failure.message))
        return see_other(f"{PATH}/", ok="revoked")
