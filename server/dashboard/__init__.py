"""The leaders' desk: completion and on-time rates per unit, per person and per week, drill-downs, reports."""

from __future__ import annotations

from litestar import Router

from server.dashboard import aggregate

# Every process that has the desk (the app, the worker, the CLI) keeps the unit counts inside each task write.
aggregate.subscribe()


def dashboard_router() -> Router:
    from server.dashboard.controllers import DashboardApiController, DashboardController

    return Router(path="/", route_handlers=[DashboardController, DashboardApiController])


def __getattr__(name: str) -> Router:
    if name == "router":
        return dashboard_router()
    raise AttributeError(name)
