"""The domains' routers, listed once: each domain says its own controllers in its `__init__.py`."""

from __future__ import annotations

from litestar import Router


def domain_routers() -> list[Router]:
    """Every domain's router; create_app() adds the faces (desk, portal, the app shell) around them."""
    import server.auth
    import server.dashboard
    import server.directives
    import server.forecast
    import server.holidays
    import server.kpi
    import server.live
    import server.machine
    import server.media
    import server.notifications
    import server.people
    import server.reports
    import server.sync
    import server.tasks
    import server.units
    import server.webhooks

    return [
        server.auth.router,
        server.units.router,
        server.people.router,
        server.holidays.router,
        server.directives.router,
        server.tasks.router,
        server.kpi.router,
        server.forecast.router,
        server.media.router,
        server.notifications.router,
        server.sync.router,
        server.dashboard.router,
        server.reports.router,
        server.live.router,
        server.machine.router,
        server.webhooks.router,
    ]
