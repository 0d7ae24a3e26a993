"""Where a directive's roll-up gets its tasks' figures, without importing tasks or kpi.

A directive's top-level tasks, each with "overdue" and "done late" as kpi counts them, are a figure: kpi answers
(server/kpi/directives.py) and provides the lookup when its package is imported (server/kpi/__init__.py; every
process that touches the database imports it through the dashboard's Piccolo app, which lists kpi's tables).
directives sits below tasks and kpi in the house's order, so it asks through this slot rather than importing them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, Protocol


class DirectiveTaskRows(Protocol):
    def __call__(
        self, directive_ids: list[int], *, within_path: str | None, today: dt.date
    ) -> Awaitable[list[dict[str, Any]]]: ...


_provider: list[Callable[..., Awaitable[list[dict[str, Any]]]]] = []


def provide(rows: DirectiveTaskRows) -> None:
    """Set the lookup (once, at start-up; a second call replaces the first)."""
    _provider[:] = [rows]


async def directive_task_rows(
    directive_ids: list[int], *, within_path: str | None, today: dt.date
) -> list[dict[str, Any]]:
    """The directives' top-level tasks (id, directive, title, state, deadline, overdue, done_late), by deadline.
    Without a provider the process was started without kpi, which every entry point loads: say so."""
    if not _provider:
        raise RuntimeError("no directive roll-up provider: import server.kpi")
    return await _provider[0](directive_ids, within_path=within_path, today=today)
