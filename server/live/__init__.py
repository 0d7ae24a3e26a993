"""Live updates: the desk's task pages, dashboards and inbox badge change without a reload.

hub.py holds Litestar's channels (memory in one process, Redis across processes) and the streams;
services.py says what is published to which channel and who may receive it; controllers.py is the
stream (GET /api/v1/live, server-sent events); server/static/live.js is the browser's side.
"""

from __future__ import annotations

from litestar import Router


def live_router() -> Router:
    from server.live.controllers import LiveApiController

    return Router(path="/api/v1", route_handlers=[LiveApiController])
