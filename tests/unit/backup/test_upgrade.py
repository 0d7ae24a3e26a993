"""Upgrades that lose nothing: every release's archive still restores into today's code, on both engines.

`fixtures/` keeps one archive per release (the demo commune with a directive's PDF, a kept e-mail and, since it is
demo data, its keys): `dieuhanh-<version>-sqlite.tar.gz`. Restoring runs today's migrations forwards over the
release's database (on PostgreSQL through the SQLite → PostgreSQL move); every row the release had is still
there, the audit chain verifies, and the app serves the journey. Add the new release's archive when you tag one:

    python -m server seed-demo && python -m server backup --with-secrets \\
        tests/unit/backup/fixtures/dieuhanh-<version>-sqlite.tar.gz      (plus the PDF and mail of test_backup._seed)
"""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import USING_POSTGRES
from tests.unit.backup.test_backup import Install, _drop, _install, _serve_and_walk, files, ok, rows, server

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("dieuhanh-*.tar.gz"))


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Install]:
    install = _install(tmp_path, "upgrade", "postgres" if USING_POSTGRES else "sqlite")
    yield install
    _drop(install)


def test_there_is_an_archive_of_this_release() -> None:
    from server.backup.services import app_version

    assert any(f"dieuhanh-{app_version()}-" in path.name for path in FIXTURES), \
        "keep an archive of every release in tests/unit/backup/fixtures (see this file's docstring)"


@pytest.mark.parametrize("archive", FIXTURES, ids=[path.name for path in FIXTURES])
def test_a_release_archive_restores_into_today_with_every_row(archive: Path, target: Install) -> None:
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    out = ok(server(target, "verify-backup", str(archive)))
    assert "OK:" in out
    out = ok(server(target, "restore", str(archive)))
    assert "OK:" in out and "BROKEN" not in out  # migrated forwards, then verify-audit passed
    now = {table: len(found) for table, found in rows(target).items()}
    for table, count in manifest["counts"].items():
        if table == "migration":
            assert now[table] >= count
            continue
        assert now.get(table) == count, f"{table}: {count} rows in the release, {now.get(table)} after the upgrade"
    stored = {name.removeprefix("files/") for name in manifest["files"] if name.startswith("files/m")}
    assert stored <= set(files(target))
    _serve_and_walk(target)
