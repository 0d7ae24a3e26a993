"""Typed settings read from the environment, lazily, once per process (tests reset the cache)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    secret_key: str
    base_url: str
    demo: bool
    production: bool
    redis_url: str | None
    timezone: str = "Asia/Ho_Chi_Minh"
    # Addresses (or networks) of the reverse proxies whose X-Forwarded-For is believed; none by default.
    trusted_proxies: tuple[str, ...] = ()
    # Scheduled backups (server/backup/jobs.py): off while BACKUP_DIR is unset.
    backup_dir: Path | None = None
    backup_keep_daily: int = 7
    backup_keep_weekly: int = 4
    # Where uploaded files live (server/media/storage.py): "local" (DATA_DIR/media, the default) or "s3".
    media_storage: str = "local"
    s3: S3Settings | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


MAIL_SENDERS = ("smtp", "sink", "null")
MEDIA_STORAGES = ("local", "s3")


@dataclass(frozen=True)
class S3Settings:
    """An S3-compatible bucket (AWS, MinIO, Ceph, a provider's object storage) for MEDIA_STORAGE=s3."""

    bucket: str
    endpoint_url: str | None = None
    region: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    prefix: str = ""


@dataclass(frozen=True)
class MailSettings:
    """Which sender takes e-mail (server/mail/transport.py): "smtp" (SMTP_URL), "sink" (.eml files under
    DATA_DIR/mail) or "null" (dropped, for tests). MAIL_SENDER chooses; unset, SMTP_URL's presence does."""

    sender: str
    smtp_url: str
    mail_from: str


def get_mail_settings() -> MailSettings:
    """Read at each send, not cached: SMTP_URL may be mended while the worker runs (and tests set it per test)."""
    smtp_url = os.environ.get("SMTP_URL", "").strip()
    sender = os.environ.get("MAIL_SENDER", "").strip().lower() or ("smtp" if smtp_url else "sink")
    # An unknown sender is refused when a message is sent (server/mail/transport.py), where the admin sees it.
    return MailSettings(sender=sender, smtp_url=smtp_url, mail_from=os.environ.get("MAIL_FROM", "").strip())


def _s3_settings() -> S3Settings | None:
    bucket = os.environ.get("S3_BUCKET", "").strip()
    if not bucket:
        return None
    return S3Settings(
        bucket=bucket,
        endpoint_url=os.environ.get("S3_ENDPOINT_URL") or None,
        region=os.environ.get("S3_REGION") or None,
        access_key=os.environ.get("S3_ACCESS_KEY_ID") or None,
        secret_key=os.environ.get("S3_SECRET_ACCESS_KEY") or None,
        prefix=os.environ.get("S3_PREFIX", "").strip().strip("/"),
    )


def _media_storage() -> str:
    storage = os.environ.get("MEDIA_STORAGE", "local").strip().lower() or "local"
    if storage not in MEDIA_STORAGES:
        raise RuntimeError(f"MEDIA_STORAGE must be one of {', '.join(MEDIA_STORAGES)}")
    if storage == "s3" and not os.environ.get("S3_BUCKET", "").strip():
        raise RuntimeError("MEDIA_STORAGE=s3 needs S3_BUCKET")
    return storage


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def ensure_private_dir(path: Path) -> Path:
    """Create `path` readable by its owner only (0700): it holds the SQLite file (phone numbers, password
    hashes), the sessions, the secret key and the media. An existing directory is left as the operator set it."""
    if not path.exists():
        old = os.umask(0o077)
        try:
            path.mkdir(parents=True, exist_ok=True)
        finally:
            os.umask(old)
    return path


def ensure_private_file(path: Path) -> Path:
    """Create an empty `path` with mode 0600 if it does not exist: SQLite then opens it as it is, and makes its
    -wal and -shm files with the same mode. Created by sqlite3 itself it would be 0644 under the usual umask."""
    ensure_private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    return path


def _development_secret(data_dir: Path) -> str:
    """A development secret is generated once and kept beside the database, so sessions survive restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    ensure_private_dir(data_dir)
    key = secrets.token_urlsafe(48)
    # Created 0600, never world-readable even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _trusted_proxies(value: str | None) -> tuple[str, ...]:
    import ipaddress

    networks = []
    for item in filter(None, (part.strip() for part in (value or "").split(","))):
        ipaddress.ip_network(item, strict=False)  # a typo fails at start, not silently at the first request
        networks.append(item)
    return tuple(networks)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    data_dir = Path(os.environ.get("DATA_DIR", PROJECT_ROOT / "var")).resolve()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'dieuhanh.sqlite'}"
    production = _truthy(os.environ.get("PRODUCTION"))
    ensure_private_dir(data_dir)
    if database_url.startswith("sqlite:///"):
        ensure_private_file(Path(database_url.removeprefix("sqlite:///")))
    secret_key = os.environ.get("SECRET_KEY") or ""
    if not secret_key:
        if production:
            raise RuntimeError("SECRET_KEY must be set in production")
        secret_key = _development_secret(data_dir)
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        secret_key=secret_key,
        base_url=os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        demo=_truthy(os.environ.get("DEMO", "0")),
        production=production,
        redis_url=os.environ.get("REDIS_URL") or None,
        trusted_proxies=_trusted_proxies(os.environ.get("TRUSTED_PROXIES")),
        backup_dir=Path(os.environ["BACKUP_DIR"]).resolve() if os.environ.get("BACKUP_DIR") else None,
        backup_keep_daily=int(os.environ.get("BACKUP_KEEP_DAILY", "7")),
        backup_keep_weekly=int(os.environ.get("BACKUP_KEEP_WEEKLY", "4")),
        media_storage=_media_storage(),
        s3=_s3_settings(),
    )


def reset_settings() -> None:
    get_settings.cache_clear()
