"""The inbox's one event: a person's inbox changed (an item arrived, or items were read). Notifications publish
it; server/live listens (to send the new unread count to that person's open screens), so notifications imports
no live code. A listener is called where the change is made (inside its transaction when there is one) and
decides itself what waits for the commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

# (person_id, notification_id: the new item, or 0/None when items were read) → None
InboxListener = Callable[[int, int | None], Awaitable[None]]

_listeners: list[InboxListener] = []


def on_inbox_changed(listener: InboxListener) -> None:
    """Subscribe once (at start-up); subscribing the same listener twice is a no-op."""
    if listener not in _listeners:
        _listeners.append(listener)


async def inbox_changed(person_id: int, notification_id: int | None = None) -> None:
    for listener in list(_listeners):
        await listener(person_id, notification_id)
