"""Access rows and requests for the photo pipeline's routes: an image attachment's clean copies.

/display and /thumb have exactly the access of the original (GET /api/v1/attachments/{attachment_id}): a
report's photo like its task, a directive's image like the directive; another unit's or commune's is not found.
"""

from __future__ import annotations

from typing import Any

from tests.api.access.requests import Call, attachment_owner, builds
from tests.api.access.statuses import SEE_COORDINATED, SEE_OWN, SEE_SIBLING, signed_in, task_route
from tests.api.access.world import World
from tests.factories import jpeg, unique


def _rows() -> dict[str, dict[str, int]]:
    return task_route(SEE_OWN, SEE_SIBLING, SEE_COORDINATED, own_directive=signed_in(200))


EXPECTED = {
    "GET /api/v1/attachments/{attachment_id}/display": _rows(),
    "GET /api/v1/attachments/{attachment_id}/thumb": _rows(),
}


def _photo() -> bytes:
    """A small JPEG, different every time (its own file and its own copies)."""
    seed = sum(unique("p").encode())
    return jpeg((seed % 256, (seed * 7) % 256, 90), (48, 36))


async def _image_attachment(w: World, variant: str) -> dict[str, Any]:
    from server.media.services import attach

    key = ("image_attachment", variant)
    if key not in w.cache:
        owner_kind, owner_id, author = await attachment_owner(w, variant)
        w.cache[key] = await attach(owner_kind=owner_kind, owner_id=owner_id, filename="hien-truong.jpg",
                                    data=_photo(), actor_id=author.id)
    return w.cache[key]


def _copy_route(kind: str) -> None:
    route = f"GET /api/v1/attachments/{{attachment_id}}/{kind}"

    async def build(w: World, actor: str, variant: str) -> Call:
        attachment = await _image_attachment(w, variant)
        return Call("GET", f"/api/v1/attachments/{attachment['id']}/{kind}", w.client(actor))

    builds(route)(build)


_copy_route("display")
_copy_route("thumb")
