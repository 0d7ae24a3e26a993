"""The worker has no live streams, but it changes tasks and inboxes too: with REDIS_URL set, what it
changes reaches the web processes' streams through Redis (server/live/hub.publish). No job kinds here:
importing this module imports the package, which registers the publisher's listener."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.live.publisher import register_listeners


def register_jobs(register: Callable[..., Any]) -> None:
    register_listeners()
