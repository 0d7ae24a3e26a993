"""Who may read what an attachment belongs to. Each domain that owns attachments registers its check here
(directives for a directive's PDF, tasks for a progress report's photos); media imports none of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from server.lib.actor import Actor

ReadCheck = Callable[[Actor, int], Awaitable[bool]]
_readers: dict[str, ReadCheck] = {}


def register_owner(owner_kind: str, may_read: ReadCheck) -> None:
    _readers[owner_kind] = may_read


async def may_read(actor: Actor, owner_kind: str, owner_id: int) -> bool:
    """Whether the actor may see the owner; an owner kind nobody registered is readable by no one."""
    check = _readers.get(owner_kind)
    return check is not None and await check(actor, owner_id)
