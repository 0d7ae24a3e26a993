"""The leaders' desk: completion and on-time rates per unit, per person and per week, drill-downs, reports."""

from __future__ import annotations

from litestar import Router


def dashboard_router() -> Router:
    from server.dashboard.controllers import DashboardApiController, DashboardController

    return Router(path="/", route_handlers=[DashboardController, DashboardApiController])
