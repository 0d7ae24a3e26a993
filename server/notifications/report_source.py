"""Which citizen reports are still open, as the reminders need them, without importing reports.

The reports domain answers (server/reports/open_reports.py) and provides the lookup when its package is
imported (server/reports/__init__.py; every process that touches the database imports it through piccolo_conf's
APP_REGISTRY). notifications sits below reports in the house's order, so it asks through this slot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from server.notifications.reminders import ReportInfo

_provider: list[Callable[[Any], Awaitable[list[ReportInfo]]]] = []


def provide(open_reports: Callable[[Any], Awaitable[list[ReportInfo]]]) -> None:
    """Set the lookup (once, at start-up; a second call replaces the first)."""
    _provider[:] = [open_reports]


async def open_reports(calendar: Any) -> list[ReportInfo]:
    """The reports not yet answered for good, each with its target day counted on `calendar`. Without a provider
    the process was started without reports, which every entry point loads: say so rather than remind of none."""
    if not _provider:
        raise RuntimeError("no open reports provider: import server.reports")
    return await _provider[0](calendar)
