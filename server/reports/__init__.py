"""Citizen reports and voter petitions: intake, triage and routing, the public face, Open311."""

from server.notifications.report_source import provide as _provide_open_reports
from server.reports.answer import citizen_photo_bytes, report_place
from server.reports.listeners import subscribe as _subscribe
from server.reports.open_reports import open_reports as _open_reports
from server.tasks.sources import ReportSource, provide

# Every process that touches the database imports this package (piccolo_conf's APP_REGISTRY loads
# server.reports.piccolo_app): the app, the worker, the CLI and the tests all follow a report's task, and
# the tasks made from a report know its place and photos through these lookups (tasks imports no reports).
_subscribe()
provide(ReportSource(place=report_place, photo_bytes=citizen_photo_bytes))
# The notifications' reminders ask which reports are still open through their slot (notifications imports no reports).
_provide_open_reports(_open_reports)


def __getattr__(name: str) -> object:
    # The router is built on demand: importing this package for its listeners must not pull in controllers.
    if name == "router":
        from server.reports.controllers import reports_router

        return reports_router()
    raise AttributeError(name)
