"""One way to open a write transaction on either database, and the SQLite settings that make it safe."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine, TransactionType


def engine() -> Engine:
    db = engine_finder()
    if db is None:  # pragma: no cover - piccolo_conf always defines DB
        raise RuntimeError("no database engine configured")
    return db


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


_after_commit: ContextVar[list[Callable[[], Awaitable[None]]] | None] = ContextVar("after_commit", default=None)


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """A transaction for anything that writes.

    On SQLite it is IMMEDIATE: a deferred transaction that reads and then writes cannot upgrade its
    lock while another writer holds one, and fails with "database is locked" instead of waiting.
    Nested calls join the outer transaction.
    """
    db = engine()
    if db.transaction_exists():
        yield
        return
    callbacks: list[Callable[[], Awaitable[None]]] = []
    token = _after_commit.set(callbacks)
    try:
        if isinstance(db, SQLiteEngine):
            async with db.transaction(transaction_type=TransactionType.immediate):
                yield
        else:
            async with db.transaction():
                yield
    finally:
        _after_commit.reset(token)
    for callback in callbacks:
        await callback()


async def after_commit(callback: Callable[[], Awaitable[None]]) -> None:
    """Run `callback` once the outermost write transaction has committed (now, if there is none).

    For side effects that must not happen for a change that rolls back, or that are too slow to hold
    SQLite's write lock for (image work, sending).
    """
    pending = _after_commit.get()
    if pending is None or not engine().transaction_exists():
        await callback()
    else:
        pending.append(callback)


async def prepare_database() -> None:
    """Per-database settings that must hold before the app serves (WAL persists in the file)."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        await db.run_ddl("PRAGMA journal_mode=WAL")
        await db.run_ddl("PRAGMA synchronous=NORMAL")


async def start_pool() -> None:
    db = engine()
    if not isinstance(db, SQLiteEngine):
        await db.start_connection_pool(min_size=2, max_size=20, reset=_reset_connection)  # type: ignore[attr-defined]


async def _reset_connection(connection: object) -> None:
    """What a connection needs before it goes back to the pool. asyncpg's default also runs
    `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` after every query: a round trip we do
    not need (our advisory locks are transaction-scoped, we use no cursors, LISTEN or SET)."""
    if connection.is_in_transaction():  # type: ignore[attr-defined]
        await connection.execute("ROLLBACK")  # type: ignore[attr-defined]


async def close_pool() -> None:
    db = engine()
    if not isinstance(db, SQLiteEngine):
        await db.close_connection_pool()  # type: ignore[attr-defined]


async def database_state() -> dict[str, object]:
    db = engine()
    kind = "sqlite" if isinstance(db, SQLiteEngine) else "postgresql"
    try:
        await db.run_ddl("SELECT 1")
    except Exception as error:
        return {"engine": kind, "ok": False, "error": type(error).__name__}
    return {"engine": kind, "ok": True}
