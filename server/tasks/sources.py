"""What a task knows of the citizen's report (or voter petition) it was made from, without importing reports.

The reports domain provides the lookups when its package is imported (server/reports/__init__.py; every
process that touches the database imports it through piccolo_conf's APP_REGISTRY). Without a provider a task
simply has no report context: its place is unknown and its citizen photos are not found.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from server.lib.errors import NotFound


@dataclass(frozen=True)
class ReportSource:
    # tracking code → the report's address, point and "before" photo ids, or None
    place: Callable[[str], Awaitable[dict[str, Any] | None]]
    # (tracking code, photo id, "thumb" | "display") → the photo's stripped copy; NotFound if not the report's
    photo_bytes: Callable[[str, int, str], Awaitable[bytes]]


_provider: list[ReportSource] = []


def provide(source: ReportSource) -> None:
    """Set the lookups (once, at start-up; a second call replaces the first)."""
    _provider[:] = [source]


async def report_place(code: str) -> dict[str, Any] | None:
    return await _provider[0].place(code) if _provider else None


async def citizen_photo_bytes(code: str, photo_id: int, size: str) -> bytes:
    if not _provider:
        raise NotFound("photo_not_found", "Không tìm thấy ảnh")
    return await _provider[0].photo_bytes(code, photo_id, size)
