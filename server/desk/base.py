"""The base of the desk's controllers: the shared page controller (server/lib/web.py), and the menu's count."""

from __future__ import annotations

from typing import Any

from litestar import Request

from server.lib.actor import Actor
from server.lib.web import PAGE_EXCEPTION_HANDLERS, PageController, before_page

# The name stays for the modules that import it from here (citizen_portal/controllers.py).
DESK_EXCEPTION_HANDLERS: dict[Any, Any] = PAGE_EXCEPTION_HANDLERS


@before_page
async def count_for_menu(request: Request) -> None:
    """The menu's waiting count for those who triage (base.html shows it beside "Tiếp nhận"): one COUNT on an
    indexed column, only for them, so the queue's size is seen from every screen, not only from the queue."""
    user = request.scope.get("user")
    if isinstance(user, Actor):
        from server.reports import services as reports
        from server.reports.triage import waiting_count

        request.state.can_triage = reports.can_triage(user)
        if request.state.can_triage:
            request.state.triage_waiting = await waiting_count()


class DeskController(PageController):
    """Base of the desk's controllers; the reports' desk and the dashboard share it through lib.web."""
