"""The base of the desk's controllers."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request

from server.lib.responses import EXCEPTION_HANDLERS
from server.people.services import Actor

# The app's own handlers. This once adapted them (they returned already-built ASGI responses, which
# Litestar cannot send from an exception handler); server/lib/responses.py is fixed, and the name stays
# for the modules that import it (citizen_portal/controllers.py).
DESK_EXCEPTION_HANDLERS: dict[Any, Any] = dict(EXCEPTION_HANDLERS)


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


class DeskController(Controller):
    """Base of the desk's controllers: HTML screens, not part of the JSON API's schema.

    Errors are answered by the app's handlers (server/lib/responses.py): a page for these screens.
    """

    include_in_schema = False
    exception_handlers = DESK_EXCEPTION_HANDLERS
    before_request = count_for_menu
