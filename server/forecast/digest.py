"""The at-risk section of a unit head's morning digest (server.notifications.schedule writes the digest).

The nightly scores (server.forecast.services.refresh) of the open tasks of each head's unit subtree, riskiest
first, the first DIGEST_LIMIT with their reasons in the head's language. A unit with nothing at risk adds
nothing to its head's digest.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from server.forecast.services import OPEN_STATES, RISK_THRESHOLD, _date, _in, render_reason
from server.forecast.tables import TaskRisk
from server.lib import clock
from server.lib.i18n import gettext_in

DIGEST_LIMIT = 5
HEADING = "Có nguy cơ trễ hạn ({n} nhiệm vụ):"
LINE = "• {title} — {percent}%"


async def at_risk_by_head(heads: Sequence[tuple[int, str]], today: dt.date | None = None
                          ) -> dict[int, dict[str, Any]]:
    """For each (person id, unit path) with at-risk tasks in the subtree: {"total", "tasks": [{"id", "title",
    "percent", "reasons": the stored reason codes}]}, riskiest first."""
    if not heads:
        return {}
    today = today or clock.today_vn()
    paths = sorted({path for _, path in heads})
    where = " OR ".join("r.unit_path LIKE {}" for _ in paths)
    rows = await TaskRisk.raw(
        "SELECT r.task, r.probability, r.reasons, r.unit_path, t.title FROM forecast_task_risks r"
        " JOIN tasks t ON t.id = r.task"
        f" WHERE ({where}) AND r.probability >= {{}} AND t.state IN {_in(OPEN_STATES)} AND t.deadline >= {{}}"
        " ORDER BY r.probability DESC, t.deadline, t.id",
        *[f"{p}%" for p in paths], RISK_THRESHOLD, _date(today),
    )
    result: dict[int, dict[str, Any]] = {}
    for person_id, path in heads:
        mine = [r for r in rows if r["unit_path"].startswith(path)]
        if mine:
            result[person_id] = {"total": len(mine), "tasks": [{
                "id": r["task"], "title": r["title"], "percent": round(float(r["probability"]) * 100),
                "reasons": json.loads(r["reasons"] or "[]"),
            } for r in mine[:DIGEST_LIMIT]]}
    return result


def lines(locale: str, at_risk: dict[str, Any]) -> list[str]:
    """The digest's lines, in the head's language: a heading, then each task with its reasons."""

    def translate(message: str, **values: Any) -> str:
        return gettext_in(locale, message, **values)

    out = [translate(HEADING, n=at_risk["total"])]
    for task in at_risk["tasks"]:
        reasons = [text for text in (render_reason(r, translate) for r in task["reasons"]) if text]
        line = translate(LINE, title=task["title"], percent=task["percent"])
        out.append(f"{line}: {'; '.join(reasons)}" if reasons else line)
    return out
