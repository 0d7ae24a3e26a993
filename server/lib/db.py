"""One way to open a write transaction on either database, the SQLite settings that make it safe, and one SQLite
connection per request."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import aiosqlite
import asyncpg
from litestar.config.app import AppConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory

from server.lib.fairpool import FairPool

_engine: Engine | None = None


def engine() -> Engine:
    """The engine of piccolo_conf, found once: Piccolo's finder imports the conf module on every call (four times
    per request on the officer's list), and every table was bound to this same engine when it was defined."""
    global _engine
    if _engine is None:
        _engine = engine_finder()
        if _engine is None:  # pragma: no cover - piccolo_conf always defines DB
            raise RuntimeError("no database engine configured")
    return _engine


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


INSERT_CHUNK = 500  # rows per INSERT: a few parameters each, far below SQLite's and PostgreSQL's limits


async def insert_rows(table: Any, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, unique: str,
                      returning: str = "id") -> list[dict[str, Any]]:
    """Insert many rows, INSERT_CHUNK to a statement, skipping those whose `unique` column is taken (ON CONFLICT DO
    NOTHING, on both engines); returns the `returning` columns of the rows added, in the order they were added."""
    added: list[dict[str, Any]] = []
    head = f"INSERT INTO {table._meta.tablename} ({', '.join(columns)}) VALUES "
    one = "(" + ", ".join("{}" for _ in columns) + ")"
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start:start + INSERT_CHUNK]
        found = await table.raw(head + ", ".join(one for _ in chunk)
                                + f" ON CONFLICT ({unique}) DO NOTHING RETURNING {returning}",
                                *(value for row in chunk for value in row))
        added += sorted(found, key=lambda row: row.get("id", 0))
    return added


async def prepare_database() -> None:
    """Per-database settings that must hold before the app serves (WAL persists in the file)."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        await db.run_ddl("PRAGMA journal_mode=WAL")
        await db.run_ddl("PRAGMA synchronous=NORMAL")


# PostgreSQL: a second, smaller pool whose connections keep one generic plan per prepared statement
# (plan_cache_mode=force_generic_plan), for statements whose best plan does not depend on their values: the
# unfiltered task lists (server/tasks/listing.py), whose only parameters are a person's id and today's date.
# The engine's own connections plan every execution anew (force_custom_plan, server/piccolo_conf.py), which is
# right for a filter whose selectivity varies and cost ~0.35 ms of PostgreSQL's CPU on every officer's list, as
# much as executing it (decision 0004).
_generic_pool: Any = None
_generic_config: dict[str, Any] | None = None
_generic_lock: asyncio.Lock | None = None
GENERIC_POOL_SIZE = 10
ENGINE_POOL_SIZE = 20


async def start_pool() -> None:
    global _generic_config, _generic_lock
    db = engine()
    if not isinstance(db, SQLiteEngine):
        await db.start_connection_pool(  # type: ignore[attr-defined]
            min_size=2, max_size=ENGINE_POOL_SIZE, reset=_reset_connection)
        if not isinstance(db.pool, FairPool):  # type: ignore[attr-defined]  # a second start keeps the first pool
            db.pool = FairPool(db.pool, ENGINE_POOL_SIZE)  # type: ignore[attr-defined]
        config: dict[str, Any] = dict(db.config)  # type: ignore[attr-defined]
        settings = {**config.get("server_settings", {}), "plan_cache_mode": "force_generic_plan"}
        _generic_config = {**config, "server_settings": settings}
        _generic_lock = asyncio.Lock()  # made in the loop that serves


async def _open_generic_pool() -> Any:
    global _generic_pool
    if _generic_pool is None and _generic_config is not None and _generic_lock is not None:
        async with _generic_lock:
            if _generic_pool is None and _generic_config is not None:
                pool = await asyncpg.create_pool(**_generic_config, min_size=1, max_size=GENERIC_POOL_SIZE,
                                                 reset=_reset_connection)
                _generic_pool = FairPool(pool, GENERIC_POOL_SIZE)
    return _generic_pool


@asynccontextmanager
async def pooled_connection(generic: bool = False) -> AsyncIterator[Any]:
    """PostgreSQL: a connection of the engine's pool, or of the pool that reuses a statement's generic plan when
    `generic`, in the order the requests asked (both pools are fair: lib/fairpool); None when no pool was started
    (a script, SQLite). The generic-plan pool is opened when first asked for: a worker process, which lists no
    tasks, never opens it."""
    pool = await _open_generic_pool() if generic else getattr(engine(), "pool", None)
    if pool is None:
        yield None
        return
    async with pool.acquire() as connection:
        yield connection


async def _reset_connection(connection: object) -> None:
    """What a connection needs before it goes back to the pool. asyncpg's default also runs
    `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` after every query: a round trip we do
    not need (our advisory locks are transaction-scoped, we use no cursors, LISTEN or SET)."""
    if connection.is_in_transaction():  # type: ignore[attr-defined]
        await connection.execute("ROLLBACK")  # type: ignore[attr-defined]


async def close_pool() -> None:
    global _generic_pool, _generic_config
    db = engine()
    if isinstance(db, RequestSQLiteEngine):
        await db.close_kept()
    if not isinstance(db, SQLiteEngine):
        await db.close_connection_pool()  # type: ignore[attr-defined]
    _generic_config = None
    if _generic_pool is not None:
        pool, _generic_pool = _generic_pool, None
        await pool.close()


async def database_state() -> dict[str, object]:
    db = engine()
    kind = "sqlite" if isinstance(db, SQLiteEngine) else "postgresql"
    try:
        await db.run_ddl("SELECT 1")
    except Exception as error:
        return {"engine": kind, "ok": False, "error": type(error).__name__}
    return {"engine": kind, "ok": True}


# ---------------------------------------------------------------------------------------------------------
# SQLite: one connection per request.
#
# Piccolo's SQLiteEngine opens a connection for every query outside a transaction: a new thread (aiosqlite),
# the file opened, its schema read, and `PRAGMA foreign_keys` run, before the query itself. A request that runs
# ten queries did that ten times. RequestSQLiteEngine runs them on one connection per request, opened on the
# first query (a request that asks nothing opens nothing) and given back when the response starts. Each statement
# still commits on its own (isolation_level=None), as before; writes still go through write_transaction, whose
# BEGIN IMMEDIATE runs on a connection of its own; the busy timeout comes with every connection.
#
# A request's connection is then kept for a later request (up to KEPT_SQLITE_CONNECTIONS idle), rather than
# closed: opening one (a thread, the file, and the schema parsed again on its first statement) cost ~3.5 ms,
# ten times the officer's list itself on 100,000 tasks (0.3 ms; bench.query_bench). One outside a transaction
# is given back; WAL lets each statement see the last commit, whichever connection runs it.
# 16 kept left 34 of 50 concurrent requests opening theirs anew: 64 served the officer's list at 50 connections
# 1,279 -> 1,681 a second, p95 66 -> 44 ms (bench.run --quick, SQLite 100,000 tasks), and the process's RSS
# after that load was 160 MB against 171 (the connections' page caches are small; opening them churned memory).
KEPT_SQLITE_CONNECTIONS = 64  # a request at a time each


class _RequestConnection:
    """The connection of one request, opened on first use; closed once the request is done and unused."""

    __slots__ = ("closing", "engine", "opening", "users")

    def __init__(self, engine: RequestSQLiteEngine) -> None:
        self.engine = engine
        self.opening: asyncio.Future[aiosqlite.Connection] | None = None
        self.closing = False
        self.users = 0

    async def close(self) -> None:
        self.closing = True
        if self.users == 0 and self.opening is not None:
            opening, self.opening = self.opening, None
            with contextlib.suppress(Exception):
                await self.engine.give_back(await opening)


_request_connection: ContextVar[_RequestConnection | None] = ContextVar("request_connection", default=None)


class RequestSQLiteEngine(SQLiteEngine):
    async def get_connection(self) -> aiosqlite.Connection:
        connection = await super().get_connection()
        # Per connection, not per file: WAL's own durability (a crash loses nothing; a power cut, the last commits).
        await connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    def _kept(self) -> list[aiosqlite.Connection]:
        return self.__dict__.setdefault("_kept_connections", [])

    async def request_connection(self) -> aiosqlite.Connection:
        """A kept connection, or a new one whose thread does not hold the process at exit (it may stay idle)."""
        kept = self._kept()
        if kept:
            return kept.pop()
        connection = aiosqlite.connect(**self.connection_kwargs)
        connection._thread.daemon = True  # aiosqlite starts it when awaited
        connection = await connection
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = 1")
        await connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    async def give_back(self, connection: aiosqlite.Connection) -> None:
        kept = self._kept()
        if len(kept) < KEPT_SQLITE_CONNECTIONS and not connection.in_transaction:
            kept.append(connection)
        else:
            await connection.close()

    async def close_kept(self) -> None:
        kept, self.__dict__["_kept_connections"] = self._kept(), []
        for connection in kept:
            with contextlib.suppress(Exception):
                await connection.close()

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        shared = _request_connection.get()
        if shared is None or shared.closing:  # no request (a job, the CLI), or a task that outlived its request
            return await super()._run_in_new_connection(query, args, query_type, table)
        shared.users += 1
        try:
            if shared.opening is None:
                shared.opening = asyncio.ensure_future(self.request_connection())
            connection = await shared.opening
            async with connection.execute(query, args or []) as cursor:
                return await cursor.fetchall()
        finally:
            shared.users -= 1
            if shared.closing and shared.users == 0:
                await shared.close()


def request_connection_middleware(app: ASGIApp) -> ASGIApp:
    """Give each HTTP request one SQLite connection (RequestSQLiteEngine); nothing on PostgreSQL, whose pool
    already keeps its connections."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not isinstance(engine(), RequestSQLiteEngine):
            await app(scope, receive, send)
            return
        shared = _RequestConnection(engine())  # type: ignore[arg-type]
        token = _request_connection.set(shared)

        async def send_and_release(message: Message) -> None:
            # A streamed body (the live feed) may run for hours: its later queries open their own connections.
            if message["type"] == "http.response.start":
                await shared.close()
            await send(message)

        try:
            await app(scope, receive, send_and_release)
        finally:
            _request_connection.reset(token)
            await shared.close()

    return middleware


def sqlite_connection_per_request(app_config: AppConfig) -> AppConfig:
    """An on_app_init hook that puts request_connection_middleware outside every other middleware, the session
    authentication's included (whose own reads then share the request's connection). List it after the
    session's hook, which inserts its middleware first too."""
    app_config.middleware.insert(0, request_connection_middleware)
    return app_config
