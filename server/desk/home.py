"""Where each person lands after signing in: their own work first (the receptionist's queue, the leader's
approvals and figures, the unit's open work, my tasks)."""

from __future__ import annotations

from typing import Any

from server.desk.tasks import _queue as approval_queue
from server.kpi.services import figures
from server.lib import clock
from server.lib.actor import Actor
from server.reports import services as reports

HOME = "/home"
HOME_APPROVALS = 5  # the first few waiting approvals shown on the leader's home; the rest are one tap away


def home_path(actor: Actor) -> str:
    """The landing page of everyone but the leader (who gets a page of their own, leader_home)."""
    if reports.can_triage(actor) and not actor.manages_units:
        return "/admin/units" if actor.is_admin else "/reports/triage"
    if actor.is_unit_head:
        return "/tasks?view=scope"
    return "/tasks"


async def leader_home(actor: Actor) -> dict[str, Any]:
    """What waits for the leader's approval, and this month's figures for their jurisdiction."""
    waiting = await approval_queue(actor)
    today = clock.today_vn()
    month = await figures(today.replace(day=1), today, unit_path=actor.unit_path)
    return {"approvals": waiting[:HOME_APPROVALS], "approvals_total": len(waiting), "month": month,
            "month_start": today.replace(day=1), "today": today}
