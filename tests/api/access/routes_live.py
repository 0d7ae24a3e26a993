"""The access matrix rows of the live stream (GET /api/v1/live, server/live).

Without `task` or `units` it is everyone's own stream (their inbox); `task` follows one task and is scoped
like the task itself (404 outside the actor's scope, never 403); `units` follows the tasks of the actor's
units and is for those who manage units. The matrix's app runs without its lifespan, so a stream it opens
says `ready` and `bye` at once, which keeps these requests short.
"""

from __future__ import annotations

from tests.api.access.requests import Call, builds
from tests.api.access.statuses import NOT_FOUND, SEE_COORDINATED, SEE_OWN, SEE_SIBLING, only, signed_in
from tests.api.access.world import COORDINATED, OTHER_JURISDICTION, OTHER_UNIT, OWN, World

UNITS = "units"

EXPECTED = {
    "GET /api/v1/live": {
        "-": signed_in(200),
        UNITS: only(200, "leader", "unit_head"),
        OWN: SEE_OWN,
        OTHER_UNIT: SEE_SIBLING,
        COORDINATED: SEE_COORDINATED,
        OTHER_JURISDICTION: NOT_FOUND,
    },
}


@builds("GET /api/v1/live")
async def _live(w: World, actor: str, variant: str) -> Call:
    if variant == "-":
        return Call("GET", "/api/v1/live", w.client(actor))
    if variant == UNITS:
        return Call("GET", "/api/v1/live", w.client(actor), params={"units": "true"})
    task = await w.task(variant, fresh=False)
    return Call("GET", "/api/v1/live", w.client(actor), params={"task": task["id"]})
