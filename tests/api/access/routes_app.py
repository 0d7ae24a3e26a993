"""Access rows of the installable app's own routes (issue 3): chasing a late officer (nhắc việc)."""

from __future__ import annotations

from tests.api.access.requests import Call, builds
from tests.api.access.statuses import SEE_COORDINATED, SEE_OWN, SEE_SIBLING, head_refused, task_route
from tests.api.access.world import World, split_variant

EXPECTED = {
    # Leaders and the heads over the lead unit chase; the assigned officer sees the task but may not chase;
    # the head of a coordinating unit sees it but does not lead it.
    "POST /api/v1/tasks/{task_id}/chase": task_route(
        {**SEE_OWN, "officer": 403}, SEE_SIBLING, head_refused(SEE_COORDINATED)
    ),
}


@builds("POST /api/v1/tasks/{task_id}/chase")
async def _chase(w: World, actor: str, variant: str) -> Call:
    task = await w.task(*split_variant(variant))
    return Call("POST", f"/api/v1/tasks/{task['id']}/chase", w.client(actor),
                json={"note": "Đề nghị báo cáo tiến độ trong hôm nay"})
