"""What an officer is told when a progress report reaches a task that no longer takes one.

One table for the single-change endpoint (server/tasks/controllers.py) and the offline outbox's batch
(server/sync/batch.py): the same refusal reads the same wherever the report came in.
"""

from __future__ import annotations

from typing import Any

from server.lib.i18n import gettext as _
from server.lib.idempotency import Answer

REFUSALS = {
    "task_cancelled": "Nhiệm vụ đã bị hủy; báo cáo vẫn được lưu lại",
    "task_done": "Nhiệm vụ đã hoàn thành; báo cáo vẫn được lưu lại",
    "task_reassigned": "Nhiệm vụ đã được giao cho người khác; báo cáo vẫn được lưu lại",
    "task_not_assigned": "Nhiệm vụ chưa được giao; báo cáo vẫn được lưu lại",
}
REFUSED_OTHERWISE = "Nhiệm vụ không còn nhận báo cáo"


def refused(reason: str, body: dict[str, Any]) -> Answer:
    """409 with the reason the officer sees, and the outcome (the kept note's id) beside it."""
    message = _(REFUSALS.get(reason, REFUSED_OTHERWISE))
    return Answer(409, {"error": {"code": reason, "message": message}, **body})
