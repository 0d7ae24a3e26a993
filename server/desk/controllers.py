"""Desk screens. Thin: each handler asks one service and renders one template."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from server.auth import services as auth
from server.auth.config import LOGIN_RATE_LIMIT
from server.lib.errors import DomainError
from server.lib.i18n import gettext as _


def _safe_next(target: str | None) -> str:
    """Only local paths, so the login form cannot be used to send people elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/tasks"


class LoginController(Controller):
    path = "/"
    include_in_schema = False

    @get("/login", opt={"public": True})
    async def login_page(self, next: str | None = None) -> Template:
        return Template("desk/login.html", context={"next": _safe_next(next), "error": None})

    @post("/login", opt={"public": True}, middleware=[LOGIN_RATE_LIMIT.middleware])
    async def login(
        self, request: Request, data: dict[str, Any] = Body(media_type=RequestEncodingType.URL_ENCODED)
    ) -> Template | Redirect:
        target = _safe_next(str(data.get("next") or ""))
        try:
            actor = await auth.authenticate(
                request.app.stores.get("auth"), str(data.get("username") or ""), str(data.get("password") or "")
            )
        except DomainError as error:
            return Template(
                "desk/login.html",
                context={"next": target, "error": _(error.message), "username": data.get("username", "")},
                status_code=error.status_code,
            )
        request.set_session({"person_id": actor.id})
        return Redirect(path=target)

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        request.clear_session()
        return Redirect(path="/login")

    @get("/", opt={"public": True})
    async def home(self, request: Request) -> Redirect:
        return Redirect(path="/tasks")


DESK_CONTROLLERS: list[Any] = [LoginController]
