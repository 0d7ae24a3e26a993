"""The base of the desk's controllers."""

from __future__ import annotations

from typing import Any

from litestar import Controller

from server.lib.responses import EXCEPTION_HANDLERS

# The app's own handlers. This once adapted them (they returned already-built ASGI responses, which
# Litestar cannot send from an exception handler); server/lib/responses.py is fixed, and the name stays
# for the modules that import it (citizen_portal/controllers.py).
DESK_EXCEPTION_HANDLERS: dict[Any, Any] = dict(EXCEPTION_HANDLERS)


class DeskController(Controller):
    """Base of the desk's controllers: HTML screens, not part of the JSON API's schema.

    Errors are answered by the app's handlers (server/lib/responses.py): a page for these screens.
    """

    include_in_schema = False
    exception_handlers = DESK_EXCEPTION_HANDLERS
