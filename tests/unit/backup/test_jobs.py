"""The worker's scheduled backup: off without BACKUP_DIR, once a day, and a rotation that keeps N daily, M weekly."""

from __future__ import annotations

import datetime as dt
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.backup import jobs
from server.lib import clock
from server.settings import reset_settings

UTC = dt.UTC


def _touch(folder: Path, at: dt.datetime) -> Path:
    path = folder / jobs.archive_name(at)
    path.write_bytes(b"")
    return path


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_rotation_keeps_the_newest_of_each_recent_day_and_week(tmp_path: Path) -> None:
    start = dt.datetime(2026, 11, 1, 1, 0, tzinfo=UTC)  # a Sunday
    made = [_touch(tmp_path, start + dt.timedelta(days=day, hours=hour)) for day in range(40) for hour in (0, 12)]
    other = tmp_path / "dieuhanh-by-hand.tar.gz"
    other.write_bytes(b"")
    removed = jobs.rotate(tmp_path, daily=3, weekly=2)
    kept = sorted(set(made) - set(removed))
    newest_day = start + dt.timedelta(days=39, hours=12)  # Wednesday 10/12
    expected = {jobs.archive_name(newest_day - dt.timedelta(days=d)) for d in range(3)}
    # The newest of the week before: Sunday 6/12, 13:00.
    expected.add(jobs.archive_name(dt.datetime(2026, 12, 6, 13, 0, tzinfo=UTC)))
    assert {p.name for p in kept} == expected
    assert all(not p.exists() for p in removed) and other.exists()  # files not of our naming are never touched


@pytest.fixture
def backup_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "backups"
    monkeypatch.setenv("BACKUP_DIR", str(folder))
    monkeypatch.setenv("BACKUP_KEEP_DAILY", "2")
    monkeypatch.setenv("BACKUP_KEEP_WEEKLY", "1")
    reset_settings()
    yield folder
    monkeypatch.delenv("BACKUP_DIR")
    reset_settings()
    clock.freeze(None)


async def test_the_scheduled_backup_runs_once_a_day_and_rotates(backup_dir: Path) -> None:
    day = dt.datetime(2026, 12, 7, 20, 0, tzinfo=UTC)
    for offset in range(4):
        clock.freeze(day + dt.timedelta(days=offset))
        await jobs.handle_scheduled({})
        clock.freeze(day + dt.timedelta(days=offset, hours=3))
        await jobs.handle_scheduled({})  # a later tick the same day: nothing new
    names = _names(backup_dir)
    assert names == [jobs.archive_name(day + dt.timedelta(days=d)) for d in (2, 3)]
    with tarfile.open(backup_dir / names[-1]) as tar:
        members = tar.getnames()
    assert members[-1] == "manifest.json" and any(m.startswith("database/") for m in members)
    assert not any(m.startswith("secrets/") for m in members)


async def test_no_backup_dir_means_no_scheduled_backup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BACKUP_DIR", raising=False)
    reset_settings()
    await jobs.handle_scheduled({"force": True})
    assert _names(tmp_path) == []


def test_the_worker_registers_the_job() -> None:
    from server import worker

    assert "server.backup.jobs" in worker.DOMAIN_JOB_MODULES
