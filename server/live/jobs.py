"""The worker has no live streams, but it changes tasks and inboxes too: with REDIS_URL set, what it
changes reaches the web processes' streams through Redis (server/live/hub.publish). No job kinds here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def register_jobs(register: Callable[..., Any]) -> None:
    from server.live.services import register_listeners

    register_listeners()
