"""Back up and restore one install: the database, every stored file, the mail sink, the audit checkpoint.

The archive (server/backup/archive.py) holds:
    database/dieuhanh.sqlite   SQLite, copied with the online backup API (safe while the app runs), or
    database/dieuhanh.pgdump   PostgreSQL, `pg_dump -Fc` in the same snapshot as the manifest's counts
    files/media/...            the media storage (photos, directives' PDFs, attachments), content-addressed
    files/mail/...             the local mail sink (DATA_DIR/mail)
    files/audit_checkpoint.json  copied before the database, so it never counts more entries than the copy holds
    secrets/secret_key, secrets/audit_key   only with `with_secrets`: whoever holds the audit key and the
                               database can rewrite history unseen, so by default the key stays on the machine
    manifest.json              version, migrations per app, rows per table, SHA-256 of every file, engine, time
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from server.backup import archive, database
from server.backup.archive import BackupError
from server.settings import PROJECT_ROOT, Settings, get_settings

SQLITE_MEMBER = "database/dieuhanh.sqlite"
PG_MEMBER = "database/dieuhanh.pgdump"
CHECKPOINT_MEMBER = "files/audit_checkpoint.json"
SECRET_MEMBER = "secrets/secret_key"
AUDIT_KEY_MEMBER = "secrets/audit_key"


def app_version() -> str:
    import tomllib

    pyproject = PROJECT_ROOT / "pyproject.toml"
    if pyproject.is_file():
        return str(tomllib.loads(pyproject.read_text())["project"]["version"])
    from importlib.metadata import version

    return version("dieuhanh")


def _version_key(text: str) -> Any:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        return Version("0")


def known_migrations() -> dict[str, set[str]]:
    """The migration ids this code ships, per Piccolo app."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager
    from piccolo.conf.apps import Finder

    manager = BaseMigrationManager()
    known: dict[str, set[str]] = {}
    for config in Finder().get_app_registry().app_configs.values():
        modules = manager.get_migration_modules(config.resolved_migrations_folder_path)
        known[config.app_name] = set(manager.get_migration_ids(modules))
    return known


def table_names() -> list[str]:
    from piccolo.conf.apps import Finder

    return sorted({table._meta.tablename for table in Finder().get_table_classes()} | {database.MIGRATION_TABLE})


def _stage_copy(source: Path, staging: Path, name: str) -> Path | None:
    if not source.is_file():
        return None
    target = staging / name
    shutil.copyfile(source, target)
    return target


# ---------------------------------------------------------------- backup


def create_backup(path: Path, *, with_secrets: bool = False, settings: Settings | None = None) -> dict[str, Any]:
    """Write one archive of this install to `path`; returns its manifest (without the file list)."""
    from server.audit.keys import checkpoint_path, key_path

    settings = settings or get_settings()
    started = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="dieuhanh-backup-") as tmp:
        staging = Path(tmp)
        # Before the database: a checkpoint written later would count entries the copy does not hold.
        checkpoint = _stage_copy(checkpoint_path(), staging, "audit_checkpoint.json")
        tables = table_names()
        if settings.is_sqlite:
            db_file, member = staging / "dieuhanh.sqlite", SQLITE_MEMBER
            database.sqlite_backup(settings.sqlite_path, db_file)
            snapshot = database.sqlite_snapshot_info(db_file, tables)
        else:
            db_file, member = staging / "dieuhanh.pgdump", PG_MEMBER
            snapshot = asyncio.run(database.pg_dump(settings.database_url, db_file, tables))
        writer = archive.ArchiveWriter(path)
        try:
            writer.add_file(member, db_file)
            if checkpoint:
                writer.add_file(CHECKPOINT_MEMBER, checkpoint)
            # With S3 storage the files live in the bucket, which keeps its own versions: not in this archive.
            storage = getattr(settings, "media_storage", "local")
            media = writer.add_tree("files/media", settings.media_dir) if storage == "local" else 0
            mail = writer.add_tree("files/mail", settings.data_dir / "mail")
            secrets_included = []
            if with_secrets:
                if not os.environ.get("SECRET_KEY") and (settings.data_dir / "secret_key").is_file():
                    writer.add_file(SECRET_MEMBER, settings.data_dir / "secret_key")
                    secrets_included.append("secret_key")
                if not os.environ.get("AUDIT_KEY") and key_path().is_file():
                    writer.add_file(AUDIT_KEY_MEMBER, key_path())
                    secrets_included.append("audit_key")
            manifest = {
                "app": "dieuhanh",
                "app_version": app_version(),
                "engine": "sqlite" if settings.is_sqlite else "postgres",
                "created_at": started.isoformat(timespec="seconds"),
                "seconds": round((dt.datetime.now(dt.UTC) - started).total_seconds(), 2),
                "database": member,
                "migrations": snapshot["migrations"],
                "counts": snapshot["counts"],
                "tools": snapshot.get("tools", {}),
                "media_storage": storage,
                "media_files": media,
                "mail_files": mail,
                "secrets": secrets_included,
            }
            writer.close(manifest)
        except BaseException:
            writer.abort()
            raise
    return manifest


# ---------------------------------------------------------------- verify


def check_compatible(manifest: dict[str, Any], target_engine: str) -> None:
    """Refuse an archive this code cannot restore, naming why: made by a newer version, or by an engine path
    that does not exist."""
    if manifest.get("app") != "dieuhanh":
        raise BackupError("backup_damaged", "the manifest is not a dieuhanh backup's")
    theirs, ours = str(manifest.get("app_version", "")), app_version()
    if _version_key(theirs) > _version_key(ours):
        raise BackupError("backup_newer", f"the archive was made by dieuhanh {theirs}; this is {ours}: upgrade first")
    known = known_migrations()
    for app_name, ids in sorted((manifest.get("migrations") or {}).items()):
        unknown = sorted(set(ids) - known.get(app_name, set()))
        if unknown:
            raise BackupError("backup_newer", f"the archive's database has migration {app_name}:{unknown[-1]} "
                                              f"that this version does not know: upgrade first")
    source = manifest.get("engine")
    if source == "postgres" and target_engine == "sqlite":
        raise BackupError("backup_engine", "a PostgreSQL archive cannot be restored into SQLite")
    if source not in {"sqlite", "postgres"}:
        raise BackupError("backup_damaged", f"unknown engine {source!r} in the manifest")
    if source == "postgres":
        database.check_pg_restore_can_read(manifest)


def verify_backup(path: Path, settings: Settings | None = None) -> dict[str, Any]:
    """Check every file's SHA-256 and the manifest, and that this version can restore it; restores nothing."""
    settings = settings or get_settings()
    manifest = archive.read_archive(path)
    check_compatible(manifest, "sqlite" if settings.is_sqlite else "postgres")
    return manifest


# ---------------------------------------------------------------- restore


def restore_backup(path: Path, *, force: bool = False, settings: Settings | None = None,
                   progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Restore `path` into this install's database and DATA_DIR. The target must be empty unless `force`.

    The archive is read and checked whole before anything is written. The caller runs the migrations forwards
    afterwards (an archive from an older version is upgraded that way)."""
    from server.audit.keys import checkpoint_path, key_path

    settings = settings or get_settings()
    target_engine = "sqlite" if settings.is_sqlite else "postgres"
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=settings.data_dir))
    try:
        manifest = archive.read_archive(path, into=staging)
        check_compatible(manifest, target_engine)
        progress(f"archive OK: {len(manifest['files'])} files, made {manifest['created_at']}")
        if not force:
            busy = database.non_empty_tables(settings)
            if busy:
                raise BackupError("backup_target_not_empty", f"the target database is not empty (rows in "
                                  f"{', '.join(busy[:5])}{', …' if len(busy) > 5 else ''}): restore into an empty "
                                  f"one, or pass --force to replace it")
        source_file = staging / manifest["database"]
        if manifest["engine"] == "sqlite" and target_engine == "sqlite":
            database.sqlite_restore(source_file, settings.sqlite_path)
        elif manifest["engine"] == "postgres":
            database.pg_restore(settings.database_url, source_file)
        else:
            from server.backup import move

            progress("copying the SQLite database into PostgreSQL, table by table")
            asyncio.run(move.sqlite_to_postgres(source_file, settings.database_url, force=force))
        progress("database restored")
        _place_tree(staging / "files" / "media", settings.media_dir)
        _place_tree(staging / "files" / "mail", settings.data_dir / "mail")
        restored_secrets = []
        if (staging / CHECKPOINT_MEMBER).is_file():
            _place_file(staging / CHECKPOINT_MEMBER, checkpoint_path())
        if (staging / SECRET_MEMBER).is_file() and not os.environ.get("SECRET_KEY"):
            _place_file(staging / SECRET_MEMBER, settings.data_dir / "secret_key", keep_old=True)
            restored_secrets.append("secret_key")
        if (staging / AUDIT_KEY_MEMBER).is_file() and not os.environ.get("AUDIT_KEY"):
            _place_file(staging / AUDIT_KEY_MEMBER, key_path(), keep_old=True)
            restored_secrets.append("audit_key")
        return {**manifest, "restored_secrets": restored_secrets}
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _place_file(source: Path, target: Path, keep_old: bool = False) -> None:
    """Move into place atomically, mode 0600; a different file already there is kept beside it when asked."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if keep_old and target.is_file() and target.read_bytes() != source.read_bytes():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        target.replace(target.with_name(f"{target.name}.before-restore-{stamp}"))
    os.chmod(source, 0o600)
    os.replace(source, target)


def _place_tree(source: Path, target: Path) -> None:
    if not source.is_dir():
        return
    for item in sorted(source.rglob("*")):
        if item.is_file():
            _place_file(item, target / item.relative_to(source))
