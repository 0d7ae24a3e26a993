"""The dashboard's side of kpi's kept counts (server.kpi.counts): the task listener that keeps them, and the names
the worker, the demo and bench/generate.py call (rebuild, check, ...), re-exported from kpi, which owns them."""

from __future__ import annotations

from server.kpi import counts
from server.kpi.counts import (  # noqa: F401 - re-exported
    KEY_COLUMNS,
    LAST_USABLE_DAY,
    NO_DEADLINE,
    NOT_DONE,
    STATE_NAME,
    UNCOUNTED_ACTIONS,
    _key,
    check,
    differences,
    fact_sql,
    is_ready,
    rebuild,
    state,
    tree_is_ready,
    usable_for,
)


async def refresh_task(task_id: int, action: str = "") -> None:
    """Bring one task's count up to date inside the task's write transaction (kpi does the work)."""
    await counts.refresh_task(task_id, action)


def subscribe() -> None:
    """Keep the counts inside every task write (idempotent; called where the app, the worker and the CLI start)."""
    from server.tasks.events import on_task_changed

    on_task_changed(refresh_task, in_transaction=True)
