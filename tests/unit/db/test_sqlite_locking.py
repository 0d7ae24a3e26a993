"""Why every writing transaction is IMMEDIATE on SQLite (server.lib.db.write_transaction, TESTING.md).

Twenty concurrent read-then-write transactions: in SQLite's default DEFERRED mode a transaction that has
read cannot take the write lock once another writer has committed since its read, and fails at once with
"database is locked" (the busy timeout does not help); BEGIN IMMEDIATE takes the write lock first, so the
others wait their turn and all twenty succeed. This runs on a temporary SQLite file with its own engine and
table, so the suite's database is left alone.
"""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString

from server.lib import db as server_db
from tests.conftest import USING_POSTGRES

pytestmark = pytest.mark.skipif(USING_POSTGRES, reason="SQLite locking: the suite runs on PostgreSQL")

WRITERS = 20
PAUSE = 0.05  # between the read and the write: another writer commits meanwhile


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[SQLiteEngine]:
    db = SQLiteEngine(path=str(tmp_path / "locking.sqlite"), timeout=30)
    await db.run_ddl("PRAGMA journal_mode=WAL")  # as prepare_database() sets it on the real database
    await db.run_ddl("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)")
    await db.run_ddl("CREATE TABLE entries (id INTEGER PRIMARY KEY, seen INTEGER NOT NULL)")
    await db.run_ddl("INSERT INTO counter (id, value) VALUES (1, 0)")
    yield db


async def _read_then_write(db: SQLiteEngine, transaction: Callable[[], AbstractAsyncContextManager]) -> None:
    async with transaction():
        rows = await db.run_querystring(QueryString("SELECT value FROM counter WHERE id = {}", 1))
        seen = rows[0]["value"]
        await asyncio.sleep(PAUSE)
        await db.run_querystring(QueryString("INSERT INTO entries (seen) VALUES ({})", seen))
        await db.run_querystring(QueryString("UPDATE counter SET value = {} WHERE id = {}", seen + 1, 1))


async def _run_all(db: SQLiteEngine, transaction: Callable[[], AbstractAsyncContextManager]) -> list[BaseException]:
    results = await asyncio.gather(*(_read_then_write(db, transaction) for _ in range(WRITERS)), return_exceptions=True)
    return [result for result in results if isinstance(result, BaseException)]


async def _value(db: SQLiteEngine) -> int:
    return (await db.run_querystring(QueryString("SELECT value FROM counter WHERE id = {}", 1)))[0]["value"]


async def test_deferred_read_then_write_transactions_fail_with_database_is_locked(engine: SQLiteEngine) -> None:
    errors = await _run_all(engine, lambda: engine.transaction(transaction_type=TransactionType.deferred))
    assert errors, "deferred transactions all succeeded: the reason for IMMEDIATE no longer shows"
    assert all(isinstance(error, sqlite3.OperationalError) for error in errors), errors
    assert any("database is locked" in str(error) for error in errors), errors
    # Those that failed wrote nothing: the counter and the entries agree.
    entries = await engine.run_querystring(QueryString("SELECT COUNT(*) AS n FROM entries"))
    assert await _value(engine) == entries[0]["n"] == WRITERS - len(errors)


async def test_write_transaction_makes_all_of_them_succeed(
    engine: SQLiteEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real server.lib.db.write_transaction(), pointed at the temporary engine."""
    monkeypatch.setattr(server_db, "engine", lambda: engine)
    errors = await _run_all(engine, server_db.write_transaction)
    assert errors == []
    # Serialised: every writer saw the one before it, so no increment was lost.
    assert await _value(engine) == WRITERS
    seen = await engine.run_querystring(QueryString("SELECT seen FROM entries ORDER BY seen"))
    assert [row["seen"] for row in seen] == list(range(WRITERS))


async def test_nested_write_transactions_join_the_outer_one(
    engine: SQLiteEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_db, "engine", lambda: engine)
    with pytest.raises(RuntimeError):
        async with server_db.write_transaction():
            await engine.run_querystring(QueryString("UPDATE counter SET value = 7 WHERE id = 1"))
            async with server_db.write_transaction():
                await engine.run_querystring(QueryString("INSERT INTO entries (seen) VALUES (7)"))
            raise RuntimeError("roll back both")
    assert await _value(engine) == 0
    assert (await engine.run_querystring(QueryString("SELECT COUNT(*) AS n FROM entries")))[0]["n"] == 0


def test_write_transaction_is_immediate_on_sqlite() -> None:
    source = inspect.getsource(server_db.write_transaction)
    assert "TransactionType.immediate" in source


async def test_the_shared_test_database_is_in_wal_mode() -> None:
    """The session fixture ran prepare_database(); WAL persists in the file."""
    db = server_db.engine()
    assert isinstance(db, SQLiteEngine)
    rows = await db.run_ddl("PRAGMA journal_mode")
    assert rows[0]["journal_mode"].lower() == "wal"
