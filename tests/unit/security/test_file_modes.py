"""Issue 13, finding 8: the data directory is created 0700 and the SQLite file 0600 (it holds phone numbers
and password hashes), whatever the umask."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from server.settings import get_settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_directory_and_database_are_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "fresh" / "var"
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{data_dir / 'dieuhanh.sqlite'}")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    old_umask = os.umask(0o022)  # the usual umask, under which sqlite3 makes a 0644 file
    get_settings.cache_clear()
    try:
        settings = get_settings()
        database = settings.sqlite_path
        connection = sqlite3.connect(database)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE people (phone TEXT)")
        connection.execute("INSERT INTO people VALUES ('0905123456')")
        connection.commit()
        assert mode(data_dir) == 0o700
        assert mode(database) == 0o600
        assert mode(data_dir / "secret_key") == 0o600
        wal = Path(f"{database}-wal")
        if wal.exists():  # SQLite gives its journal the database file's mode
            assert mode(wal) == 0o600
        connection.close()
    finally:
        os.umask(old_umask)
        get_settings.cache_clear()
