"""Test harness: one real database per run (SQLite file, or a fresh PostgreSQL database), migrated forwards.

`TEST_DATABASE=postgres` selects PostgreSQL (`TEST_POSTGRES_URL`, default the local server);
`REQUIRE_POSTGRES=1` turns an unreachable server into a failure instead of a skip of the run;
`REQUIRE_REDIS=1` does the same for the live test across two processes (tests/api/live).
Tests do not share rows: each builds its own jurisdiction with the factories.
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="dieuhanh-test-"))
os.environ["DATA_DIR"] = str(_TMP)
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ["PICCOLO_CONF"] = "server.piccolo_conf"
os.environ.pop("REDIS_URL", None)

USING_POSTGRES = os.environ.get("TEST_DATABASE", "sqlite") == "postgres"
_PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
_PG_TEST_DB = f"dieuhanh_test_{os.getpid()}"


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


if USING_POSTGRES:
    try:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{_PG_TEST_DB}"'))
        asyncio.run(_pg_admin(f'CREATE DATABASE "{_PG_TEST_DB}"'))
    except Exception as error:
        raise pytest.UsageError(f"PostgreSQL is not reachable at {_PG_ADMIN_URL}: {error}") from error
    base = _PG_ADMIN_URL.rsplit("/", 1)[0]
    os.environ["DATABASE_URL"] = f"{base}/{_PG_TEST_DB}"
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'test.sqlite'}"


def pytest_report_header(config: pytest.Config) -> str:
    return f"dieuhanh database: {'postgresql ' + _PG_TEST_DB if USING_POSTGRES else 'sqlite'}"


@pytest.fixture(scope="session", autouse=True)
async def migrated_database() -> AsyncIterator[None]:
    from server.lib.db import close_pool, prepare_database, start_pool
    from server.migrate import migrate

    await migrate()
    await prepare_database()
    await start_pool()
    yield
    await close_pool()


@pytest.fixture(scope="session", autouse=True)
def _each_password_hashed_once() -> Iterator[None]:
    """argon2 with its real parameters takes a quarter of a second or more a hash on this machine, and every
    person the factories make has the same password: hash each distinct password once per run. The hashes are
    real (same parameters), so signing in is still the real check; tests of hashing call server.auth directly."""
    from server.auth.passwords import hash_password

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("server.people.services.hash_password", functools.cache(hash_password))
        yield


@pytest.fixture(scope="session", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    shutil.rmtree(_TMP, ignore_errors=True)
    if USING_POSTGRES:
        try:
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{_PG_TEST_DB}" WITH (FORCE)'))
        except Exception:
            pass


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (TEST_DATABASE=postgres)")
    for item in items:
        if "postgres_only" in item.keywords and not USING_POSTGRES:
            item.add_marker(skip_pg)
