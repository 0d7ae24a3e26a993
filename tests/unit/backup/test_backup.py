"""Backup and restore run as an operator runs them: `python -m server backup|restore|verify-backup` in subprocesses.

The demo commune is seeded into its own install (a SQLite file, or a PostgreSQL database `dieuhanh_backup_<pid>`
with TEST_DATABASE=postgres), backed up, and restored into a second, empty install (`dieuhanh_restore_<pid>`).
Then every row of every table, every stored file and the audit chain are compared, and the restored install is
served and walked through: a leader signs in, reads a task and downloads a directive's PDF.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.local import free_port, is_healthy
from server.backup.move import KEPT_BY_TRIGGERS
from tests.conftest import _PG_ADMIN_URL, USING_POSTGRES, _pg_admin

REPO_ROOT = Path(__file__).resolve().parents[3]
MAIL_NAME = "0001-abc.eml"
MAIL_BODY = b"Subject: =?utf-8?q?Nh=E1=BA=AFc_vi=E1=BB=87c?=\r\n\r\nmail kept by the local sink\r\n"

# A directive's PDF, attached through the media service as the desk does (the demo itself has none).
ATTACH_PDF = """
import asyncio
from server.cli import _run
from server.directives.tables import Directive
from server.media.services import attach

PDF = b"%PDF-1.4\\n1 0 obj<<>>endobj\\ntrailer<<>>\\n%%EOF\\n"

async def work():
    directive = await Directive.select(Directive.id).order_by(Directive.id).first()
    await attach(owner_kind="directive", owner_id=directive["id"], filename="chi-thi.pdf", data=PDF, actor_id=None)

_run(work)
"""


@dataclass
class Install:
    data_dir: Path
    env: dict[str, str]
    database_url: str


def _install(root: Path, name: str, engine: str) -> Install:
    data_dir = root / name
    data_dir.mkdir()
    if engine == "postgres":
        database = f"dieuhanh_{name}_{os.getpid()}"
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        asyncio.run(_pg_admin(f'CREATE DATABASE "{database}"'))
        url = f"{_PG_ADMIN_URL.rsplit('/', 1)[0]}/{database}"
    else:
        url = f"sqlite:///{data_dir / 'dieuhanh.sqlite'}"
    drop = {"PRODUCTION", "DEMO", "REDIS_URL", "DATABASE_URL", "SECRET_KEY", "AUDIT_KEY", "AUDIT_KEY_FILE",
            "AUDIT_CHECKPOINT", "DATA_DIR"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(DATABASE_URL=url, DATA_DIR=str(data_dir), PYTHONIOENCODING="utf-8")
    return Install(data_dir, env, url)


def _drop(install: Install) -> None:
    if install.database_url.startswith("postgres"):
        database = install.database_url.rsplit("/", 1)[1]
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


def server(install: Install, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server", *args], cwd=REPO_ROOT, env=install.env,
                          capture_output=True, text=True, timeout=timeout)


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    return done.stdout


# ---------------------------------------------------------------- reading an install whole


def rows(install: Install) -> dict[str, list[Any]]:
    """Every row of every table, in a stable order (the tables' own text form on PostgreSQL)."""
    if install.database_url.startswith("sqlite"):
        with sqlite3.connect(install.database_url.removeprefix("sqlite:///")) as db:
            names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                              "AND name NOT LIKE 'sqlite_%'")]
            return {n: sorted(map(repr, db.execute(f'SELECT * FROM "{n}"'))) for n in sorted(names)}

    async def read() -> dict[str, list[Any]]:
        import asyncpg

        db = await asyncpg.connect("postgresql://" + install.database_url.split("://", 1)[1])
        try:
            names = [r[0] for r in await db.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            return {n: [r[0] for r in await db.fetch(f'SELECT t::text FROM "{n}" t ORDER BY 1')]
                    for n in sorted(names)}
        finally:
            await db.close()

    return asyncio.run(read())


def files(install: Install) -> dict[str, str]:
    found = {}
    for folder in ("media", "mail"):
        for path in sorted((install.data_dir / folder).rglob("*")):
            if path.is_file():
                found[path.relative_to(install.data_dir).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


# ---------------------------------------------------------------- fixtures


@dataclass
class World:
    source: Install
    archive: Path
    with_secrets: Path
    backup_out: str


def _seed(install: Install) -> None:
    """The demo commune, a directive's PDF, a kept e-mail, and the audit key with a first checkpoint."""
    ok(server(install, "seed-demo"))
    ok(subprocess.run([sys.executable, "-c", ATTACH_PDF], cwd=REPO_ROOT, env=install.env, capture_output=True,
                      text=True, timeout=120))
    (install.data_dir / "mail").mkdir(exist_ok=True)
    (install.data_dir / "mail" / MAIL_NAME).write_bytes(MAIL_BODY)
    ok(server(install, "verify-audit"))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("backup")
    source = _install(root, "backup", "postgres" if USING_POSTGRES else "sqlite")
    _seed(source)
    archive = root / "plain.tar"
    backup_out = ok(server(source, "backup", str(archive)))
    with_secrets = root / "secrets.tar.gz"
    ok(server(source, "backup", "--with-secrets", "--check", str(with_secrets)))
    yield World(source, archive, with_secrets, backup_out)
    _drop(source)


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Install]:
    install = _install(tmp_path, "restore", "postgres" if USING_POSTGRES else "sqlite")
    yield install
    _drop(install)


# ---------------------------------------------------------------- the round trip


def test_backup_reports_what_it_holds_and_keeps_secrets_out_by_default(world: World) -> None:
    assert "343 nhiệm vụ (tasks)" in world.backup_out or "nhiệm vụ (tasks)" in world.backup_out
    with tarfile.open(world.archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert names[-1] == "manifest.json"
    assert not any(name.startswith("secrets/") for name in names)
    assert f"files/mail/{MAIL_NAME}" in names and "files/audit_checkpoint.json" in names
    assert manifest["engine"] == ("postgres" if USING_POSTGRES else "sqlite")
    assert manifest["app_version"] and manifest["created_at"]
    assert manifest["counts"]["tasks"] > 0 and manifest["counts"]["audit_events"] > 0
    assert "units" in manifest["migrations"] and manifest["migrations"]["tasks"]
    source_media = {k for k in files(world.source) if k.startswith("media/")}
    assert {f"files/{k}" for k in source_media} <= set(manifest["files"])
    for name, meta in manifest["files"].items():
        assert len(meta["sha256"]) == 64, name
    with tarfile.open(world.with_secrets) as tar:
        assert {"secrets/audit_key", "secrets/secret_key"} <= set(tar.getnames())


def test_round_trip_keeps_every_row_every_file_and_the_audit_chain(world: World, target: Install) -> None:
    restored = ok(server(target, "restore", str(world.with_secrets)))
    assert "OK:" in restored and "BROKEN" not in restored  # verify-audit ran on the restored install
    before, after = rows(world.source), rows(target)
    assert set(before) == set(after)
    for table in before:
        if table == "jobs":  # the source's own worker bookkeeping may move on; compare its rows' ids only
            assert len(after[table]) == len(before[table])
            continue
        assert after[table] == before[table], f"table {table} differs after restore"
    assert files(target) == files(world.source)
    assert (target.data_dir / "audit_key").read_bytes() == (world.source.data_dir / "audit_key").read_bytes()
    ok(server(target, "verify-audit"))
    _serve_and_walk(target)


def test_restore_without_secrets_asks_for_the_original_audit_key(world: World, target: Install) -> None:
    out = ok(server(target, "restore", str(world.archive)))
    assert "audit_key" in out and not (target.data_dir / "audit_key").exists()
    target.env["AUDIT_KEY_FILE"] = str(world.source.data_dir / "audit_key")
    assert "OK:" in ok(server(target, "verify-audit"))
    assert rows(target)["tasks"] == rows(world.source)["tasks"]


def _serve_and_walk(install: Install) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-m", "server", "serve", "--port", str(port)], cwd=REPO_ROOT,
                               env={**install.env, "BASE_URL": url}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not is_healthy(url):
            assert process.poll() is None and time.monotonic() < deadline, process.stderr.read().decode()  # type: ignore[union-attr]
            time.sleep(0.2)
        with httpx.Client(base_url=url, timeout=30, headers={"X-Requested-With": "dieuhanh"}) as client:
            login = client.post("/api/v1/auth/login", json={"username": "lanhdao", "password": "dieuhanh-demo"})
            assert login.status_code in (200, 201), login.text
            listing = client.get("/api/v1/tasks/", params={"view": "scope"})
            assert listing.status_code == 200, listing.text
            items = listing.json()["items"]
            assert items
            assert client.get(f"/api/v1/tasks/{items[0]['id']}").status_code == 200
            pdf = _first(install, "SELECT a.id, f.sha256 FROM attachments a JOIN stored_files f ON f.id = a.file "
                                  "WHERE a.owner_kind = 'directive' ORDER BY a.id")
            download = client.get(f"/api/v1/attachments/{pdf[0]}")
            assert download.status_code == 200, download.text
            assert hashlib.sha256(download.content).hexdigest() == pdf[1]
        with httpx.Client(base_url=url, timeout=30, headers={"X-Requested-With": "dieuhanh"}) as desk:
            login = desk.post("/api/v1/auth/login", json={"username": "tiepnhan", "password": "dieuhanh-demo"})
            assert login.status_code in (200, 201), login.text
            photo = _first(install, "SELECT id, original_sha256 FROM report_photos ORDER BY id")
            original = desk.get(f"/reports/photos/{photo[0]}/original")
            assert original.status_code == 200, original.text
            assert hashlib.sha256(original.content).hexdigest() == photo[1]
    finally:
        process.terminate()
        process.wait(timeout=15)


def _first(install: Install, sql: str) -> tuple[int, str]:
    if install.database_url.startswith("sqlite"):
        with sqlite3.connect(install.database_url.removeprefix("sqlite:///")) as db:
            row = db.execute(sql).fetchone()
    else:
        async def read() -> Any:
            import asyncpg

            db = await asyncpg.connect("postgresql://" + install.database_url.split("://", 1)[1])
            try:
                return await db.fetchrow(sql)
            finally:
                await db.close()

        row = asyncio.run(read())
    assert row, sql
    return int(row[0]), str(row[1])


# ---------------------------------------------------------------- refusals


def _rewrite(archive: Path, out: Path, change: dict[str, Any] | None = None, drop: str | None = None,
             damage: str | None = None) -> Path:
    """Copy the archive member by member, changing the manifest, leaving one member out, or flipping a byte."""
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == drop:
                continue
            if member.name == "manifest.json" and change:
                manifest = json.loads(data)
                for key, value in change.items():
                    manifest[key] = value(manifest[key]) if callable(value) else value
                data = json.dumps(manifest).encode()
            if member.name == damage:
                data = bytes([data[0] ^ 1]) + data[1:]
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out


def test_a_damaged_archive_is_refused_naming_the_file(world: World, target: Install, tmp_path: Path) -> None:
    with tarfile.open(world.archive) as tar:
        victim = next(n for n in tar.getnames() if n.startswith("files/media/"))
    damaged = _rewrite(world.archive, tmp_path / "damaged.tar", damage=victim)
    for command in ("verify-backup", "restore"):
        done = server(target, command, str(damaged))
        assert done.returncode == 2, done.stdout + done.stderr
        assert "SHA-256 mismatch" in done.stderr and victim in done.stderr
    assert not (target.data_dir / "media").exists()  # nothing was written
    headless = _rewrite(world.archive, tmp_path / "headless.tar", drop="manifest.json")
    done = server(target, "restore", str(headless))
    assert done.returncode == 2 and "no manifest.json" in done.stderr
    truncated = tmp_path / "cut.tar"
    truncated.write_bytes(world.archive.read_bytes()[: world.archive.stat().st_size // 2])
    done = server(target, "verify-backup", str(truncated))
    assert done.returncode == 2 and "backup_damaged" in done.stderr


def test_a_newer_archive_is_refused_naming_why(world: World, target: Install, tmp_path: Path) -> None:
    unknown = _rewrite(world.archive, tmp_path / "migration.tar",
                       change={"migrations": lambda m: {**m, "tasks": [*m["tasks"], "2099-01-01T00:00:00:000000"]}})
    done = server(target, "restore", str(unknown))
    assert done.returncode == 2
    assert "backup_newer" in done.stderr and "tasks:2099-01-01T00:00:00:000000" in done.stderr
    newer = _rewrite(world.archive, tmp_path / "version.tar", change={"app_version": "99.0.0"})
    done = server(target, "verify-backup", str(newer))
    assert done.returncode == 2 and "dieuhanh 99.0.0" in done.stderr


def test_a_target_with_data_is_refused_unless_forced(world: World) -> None:
    done = server(world.source, "restore", str(world.with_secrets))
    assert done.returncode == 2
    assert "backup_target_not_empty" in done.stderr and "--force" in done.stderr
    before = rows(world.source)
    ok(server(world.source, "restore", "--force", str(world.with_secrets)))
    after = rows(world.source)
    assert after["tasks"] == before["tasks"] and after["audit_events"] == before["audit_events"]


# ---------------------------------------------------------------- a commune joins the province's server


def typed_rows(install: Install, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    """The rows as Python values (dates, times, booleans), comparable across the two engines."""
    quoted = ", ".join(f'"{c}"' for c in columns)
    if install.database_url.startswith("sqlite"):
        import piccolo.engine.sqlite  # noqa: F401 - registers the converters of the declared types

        path = install.database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path, detect_types=sqlite3.PARSE_DECLTYPES) as db:
            return sorted(map(tuple, db.execute(f'SELECT {quoted} FROM "{table}"')), key=repr)

    async def read() -> list[tuple[Any, ...]]:
        import asyncpg

        db = await asyncpg.connect("postgresql://" + install.database_url.split("://", 1)[1])
        try:
            return sorted((tuple(r) for r in await db.fetch(f'SELECT {quoted} FROM "{table}"')), key=repr)
        finally:
            await db.close()

    return asyncio.run(read())


@pytest.mark.postgres_only
def test_a_sqlite_commune_moves_into_postgresql(tmp_path: Path) -> None:
    commune = _install(tmp_path, "commune", "sqlite")
    _seed(commune)
    archive = tmp_path / "commune.tar.gz"
    ok(server(commune, "backup", "--with-secrets", str(archive)))
    province = _install(tmp_path, "province", "postgres")
    try:
        out = ok(server(province, "restore", str(archive)))
        assert "OK:" in out and "BROKEN" not in out  # the audit chain verifies on PostgreSQL
        with sqlite3.connect(commune.database_url.removeprefix("sqlite:///")) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                               "AND name NOT LIKE 'sqlite_%' AND name != 'migration'")]
            columns = {t: [r[1] for r in db.execute(f'PRAGMA table_info("{t}")')] for t in tables}
        for table in (t for t in tables if t not in KEPT_BY_TRIGGERS):  # those are the province's own
            assert typed_rows(province, table, columns[table]) == typed_rows(commune, table, columns[table]), table
        assert files(province) == files(commune)
        next_task = _first(province, "SELECT nextval(pg_get_serial_sequence('tasks', 'id')), ''")[0]
        assert next_task > max(r[0] for r in typed_rows(commune, "tasks", ["id"]))
        _serve_and_walk(province)
    finally:
        _drop(province)


@pytest.mark.skipif(USING_POSTGRES, reason="SQLite's online backup; pg_dump reads its own snapshot")
def test_a_sqlite_backup_is_consistent_while_a_writer_holds_its_lock(world: World, tmp_path: Path) -> None:
    path = world.source.database_url.removeprefix("sqlite:///")
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # the app's write transactions take this lock (server/lib/db.py)
        name = writer.execute("SELECT name FROM units ORDER BY id LIMIT 1").fetchone()[0]
        writer.execute("UPDATE units SET name = 'giữa chừng' WHERE id = (SELECT min(id) FROM units)")
        archive = tmp_path / "live.tar"
        ok(server(world.source, "backup", str(archive), timeout=60))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with tarfile.open(archive) as tar:
        tar.extract("database/dieuhanh.sqlite", tmp_path, filter="data")
    with sqlite3.connect(tmp_path / "database" / "dieuhanh.sqlite") as copy:
        assert copy.execute("SELECT name FROM units ORDER BY id LIMIT 1").fetchone()[0] == name
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
