"""The figures: completion and on-time rates for a scope and a period."""

from __future__ import annotations

from litestar import Router

from server.directives.sources import provide as _provide_directive_rows
from server.kpi.directives import directive_task_rows

# Every process that touches the database imports this package (the dashboard's Piccolo app lists kpi's tables):
# a directive's roll-up asks kpi for its tasks' figures through directives.sources (directives imports no kpi).
_provide_directive_rows(directive_task_rows)


def __getattr__(name: str) -> Router:
    # `router` is built on demand, not at import: importing a domain's tables must not pull in its controllers
    # (they import other domains, which import these tables), and each app gets a Router of its own.
    if name == "router":
        from server.kpi.controllers import KpiApiController
        return Router(path="/api/v1", route_handlers=[KpiApiController])
    raise AttributeError(name)
