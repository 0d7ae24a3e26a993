"""Scheduled backups, run by the worker (server/worker.py imports `register_jobs`).

- "backup.scheduled" (every schedule tick; real work at most once every BACKUP_EVERY_HOURS, default 24, and only
  when BACKUP_DIR is set): write BACKUP_DIR/dieuhanh-<UTC time>.tar.gz (no secrets), then rotate: keep the newest
  archive of each of the last BACKUP_KEEP_DAILY days (7) and of each of the last BACKUP_KEEP_WEEKLY ISO weeks (4),
  delete the other archives of this naming. Several workers may take the tick; the archive's name is per second
  and the rotation only deletes, so two runs at once leave at worst one extra archive until the next day.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from server.settings import get_settings

SCHEDULED_JOB = "backup.scheduled"
PREFIX = "dieuhanh-"
SUFFIX = ".tar.gz"
_NAME = re.compile(r"^dieuhanh-(\d{8}T\d{6})Z\.tar\.gz$")
log = logging.getLogger("dieuhanh.backup")


def archive_name(at: dt.datetime) -> str:
    return f"{PREFIX}{at.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%S')}Z{SUFFIX}"


def archives(folder: Path) -> dict[Path, dt.datetime]:
    """The scheduled archives in `folder` and when each was made (from its name; other files are not ours)."""
    found = {}
    for path in folder.glob(f"{PREFIX}*{SUFFIX}"):
        match = _NAME.match(path.name)
        if match:
            found[path] = dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=dt.UTC)
    return found


def to_keep(made: dict[Path, dt.datetime], daily: int, weekly: int) -> set[Path]:
    """The newest archive of each of the `daily` most recent days and of the `weekly` most recent ISO weeks."""
    newest_first = sorted(made, key=lambda path: made[path], reverse=True)
    keep: set[Path] = set()
    for count, period in ((daily, lambda t: t.date()), (weekly, lambda t: t.isocalendar()[:2])):
        seen: list[Any] = []
        for path in newest_first:
            key = period(made[path])
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(key)
            keep.add(path)
    return keep


def rotate(folder: Path, daily: int, weekly: int) -> list[Path]:
    made = archives(folder)
    keep = to_keep(made, daily, weekly)
    removed = sorted(set(made) - keep)
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _every() -> dt.timedelta:
    return dt.timedelta(hours=float(os.environ.get("BACKUP_EVERY_HOURS", "24")))


def _due(made: Iterable[dt.datetime], now: dt.datetime) -> bool:
    latest = max(made, default=None)
    # A little slack, so a daily backup does not drift later by one schedule tick every day.
    return latest is None or now - latest >= _every() - dt.timedelta(minutes=10)


async def handle_scheduled(payload: dict[str, Any]) -> None:
    from server.backup.services import create_backup
    from server.lib import clock

    settings = get_settings()
    folder = settings.backup_dir
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    now = clock.now()
    if not payload.get("force") and not _due(archives(folder).values(), now):
        return
    path = folder / archive_name(now)
    # The backup blocks (sqlite3, pg_dump): off the worker's event loop, which keeps its own connections.
    manifest = await asyncio.to_thread(create_backup, path, settings=settings)
    removed = rotate(folder, settings.backup_keep_daily, settings.backup_keep_weekly)
    log.info("backup written to %s in %s s; %s old archive(s) removed", path, manifest["seconds"], len(removed))


def register_jobs(register: Callable[..., None]) -> None:
    register(SCHEDULED_JOB, handle_scheduled, every_tick=True)
