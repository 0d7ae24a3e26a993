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


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _development_secret(data_dir: Path) -> str:
    """A development secret is generated once and kept beside the database, so sessions survive restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    data_dir = Path(os.environ.get("DATA_DIR", PROJECT_ROOT / "var")).resolve()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'dieuhanh.sqlite'}"
    production = _truthy(os.environ.get("PRODUCTION"))
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
    )


def reset_settings() -> None:
    get_settings.cache_clear()
