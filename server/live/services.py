"""Kept for the callers of before the split: the audience (who may receive what, on which channel) is in
audience.py, publishing in publisher.py."""

from __future__ import annotations

from server.live.audience import (
    Audience,
    for_stream,
    person_channel,
    task_channel,
    unit_channel,
    units_on_path,
)
from server.live.publisher import publish_inbox, publish_task_changed, register_listeners, task_audience, unread_count

__all__ = [
    "Audience", "for_stream", "person_channel", "publish_inbox", "publish_task_changed", "register_listeners",
    "task_audience", "task_channel", "unit_channel", "units_on_path", "unread_count",
]
