"""Live updates: the desk's task pages, dashboards and inbox badge change without a reload.

audience.py says who may receive what, on which channel (pure); hub.py holds Litestar's channels (memory in
one process, Redis across processes) and the streams; publisher.py publishes a task's change (the listener of
the tasks' events, after commit) and a person's unread count; controllers.py is the stream
(GET /api/v1/live, server-sent events); server/static/live.js is the browser's side.
"""

from __future__ import annotations

from litestar import Router

from server.live.publisher import register_listeners

# The app and the worker (server/live/jobs.py) import this package: they are the processes that publish.
register_listeners()


def live_router() -> Router:
    from server.live.controllers import LiveApiController

    return Router(path="/api/v1", route_handlers=[LiveApiController])


def __getattr__(name: str) -> Router:
    if name == "router":
        return live_router()
    raise AttributeError(name)
