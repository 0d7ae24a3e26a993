"""The mail domain's background work: sending each queued message (see services.deliver)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.mail import services


async def handle_send(payload: dict[str, Any]) -> str:
    return await services.deliver(int(payload["message"]))


def register_jobs(register: Callable[..., None]) -> None:
    register(services.SEND_JOB, handle_send)
