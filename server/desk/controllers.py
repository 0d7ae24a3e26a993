"""Desk screens. Thin: each handler asks one service and renders one template.

Sign-in, sign-out and the language switch live here; the other screens are in the modules beside this one.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from server.auth import services as auth
from server.auth.config import LOGIN_RATE_LIMIT, client_host, end_session, start_session
from server.desk.admin import AdminDeskController
from server.desk.assign import AssignDeskController
from server.desk.base import DeskController
from server.desk.directives import DirectiveDeskController
from server.desk.home import HOME, home_path, leader_home
from server.desk.tasks import ApprovalDeskController, TaskDeskController
from server.lib.errors import DomainError
from server.lib.guards import actor_of
from server.lib.i18n import DEFAULT_LOCALE, normalise_locale
from server.lib.i18n import gettext as _
from server.lib.web import Kept, page, read_form, referer_path, safe_local_path, see_other
from server.settings import get_settings

LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def _safe_next(target: str | None) -> str:
    """Only local paths, so the login form cannot be used to send people elsewhere; by default /home, which
    sends each person to their own home (home_path, leader_home)."""
    return safe_local_path(target, HOME)


class LoginController(DeskController):
    path = "/"

    @get("/login", opt={"public": True})
    async def login_page(self, next: FromQuery[str | None] = None) -> Template:
        return Template("desk/login.html", context={"next": _safe_next(next), "error": None, "form": Kept()})

    @post("/login", opt={"public": True}, middleware=[LOGIN_RATE_LIMIT.middleware])
    async def login(self, request: Request) -> Template | Redirect:
        form = await read_form(request)
        target = _safe_next(form.get("next"))
        try:
            actor = await auth.authenticate(form.get("username"), form.get("password"), client_host(request))
        except DomainError as error:
            return Template(
                "desk/login.html",
                context={"next": target, "error": _(error.message), "form": form},
                status_code=error.status_code,
            )
        start_session(request, actor)
        return see_other(target)

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        end_session(request)
        return see_other("/login")

    @get("/")
    async def root(self) -> Redirect:
        # "/" is a public path (server/auth/config.py): it knows nobody, so the signed-in home is one step on.
        return Redirect(path=HOME)

    @get(HOME)
    async def home(self, request: Request) -> Template | Redirect:
        """Each person lands where their work is (the sign-in form lands here too)."""
        actor = actor_of(request)
        if actor.is_leader:
            return page("home.html", **await leader_home(actor))
        return Redirect(path=home_path(actor))

    @get("/lang/{code:str}", opt={"public": True})
    async def language(self, request: Request, code: FromPath[str], next: FromQuery[str | None] = None) -> Redirect:
        """Switch the screens' language for a year, and go back to the page the person was on."""
        locale = normalise_locale(code) or DEFAULT_LOCALE
        target = safe_local_path(next, "") or referer_path(request, "/tasks")
        response = see_other(target)
        response.set_cookie(
            "lang", locale, max_age=LANG_COOKIE_MAX_AGE, path="/", samesite="lax", httponly=True,
            secure=get_settings().secure_cookies,
        )
        return response


DESK_CONTROLLERS: list[Any] = [
    LoginController,
    TaskDeskController,
    AssignDeskController,
    ApprovalDeskController,
    DirectiveDeskController,
    AdminDeskController,
]
