"""Late-risk forecast: which open tasks are likely to miss their deadline in force, and why."""

from __future__ import annotations

from litestar import Router


def __getattr__(name: str) -> Router:
    # Built on demand, like every domain's: importing the forecast's tables must not pull in its controllers.
    if name == "router":
        from server.forecast.controllers import ForecastApiController
        return Router(path="/api/v1", route_handlers=[ForecastApiController])
    raise AttributeError(name)
