"""Idempotent changes: a client-generated key makes a change happen once, like Stripe's idempotency keys.

The key row is inserted first, inside the same transaction as the change. A concurrent request with the
same key then waits on the UNIQUE index (PostgreSQL) or on the write lock (SQLite IMMEDIATE), and finds
the first answer once the first transaction commits.

`run_once` is the store (the sync batch calls it per change); `once()` wraps a controller's call in it when the
request carries an `Idempotency-Key` header. The table belongs to the sync Piccolo app (its migration made it),
which finds it in this module.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
from litestar import Request, Response
from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.lib import clock
from server.lib.actor import Actor
from server.lib.db import write_transaction
from server.lib.errors import DomainError, Invalid
from server.lib.jsontext import to_json


class IdempotencyKey(Table, tablename="idempotency_keys"):
    """The first answer to a client-generated change id; the UNIQUE key makes a replay happen once."""

    key = Varchar(length=80, unique=True)
    person_id = Integer(null=True)
    scope = Varchar(length=255)
    request_hash = Varchar(length=64)
    status_code = Integer()
    response_body = Text()
    created_at = Timestamptz()


MAX_KEY_LENGTH = 80


@dataclass
class Answer:
    status_code: int
    body: Any
    replayed: bool = False


def request_hash(scope: str, payload: Any) -> str:
    return hashlib.sha256(f"{scope}\n{to_json(payload)}".encode()).hexdigest()


def _valid_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise Invalid("idempotency_key_invalid", "Khoá Idempotency-Key không hợp lệ")
    return key


async def _stored(key: str, person_id: int | None, digest: str) -> Answer | None:
    row = await IdempotencyKey.select().where(IdempotencyKey.key == key).first()
    if row is None:
        return None
    if row["request_hash"] != digest or row["person_id"] != person_id:
        raise Invalid(
            "idempotency_key_reused",
            "Khoá Idempotency-Key này đã được dùng cho một yêu cầu khác",
        )
    return Answer(row["status_code"], json.loads(row["response_body"]), replayed=True)


async def run_once(
    *,
    key: str | None,
    person_id: int | None,
    scope: str,
    payload: Any,
    action: Callable[[], Awaitable[Answer]],
) -> Answer:
    """Run `action` once per key; a replay with the same payload gets the first answer, another payload 422."""
    if key is None:
        return await action()
    key = _valid_key(key)
    digest = request_hash(scope, payload)
    try:
        async with write_transaction():
            stored = await _stored(key, person_id, digest)
            if stored is not None:
                return stored
            await IdempotencyKey.insert(
                IdempotencyKey(
                    key=key,
                    person_id=person_id,
                    scope=scope,
                    request_hash=digest,
                    status_code=0,
                    response_body="null",
                    created_at=clock.now(),
                )
            )
            answer = await action()
            body_json = to_json(answer.body)
            await IdempotencyKey.update(
                {IdempotencyKey.status_code: answer.status_code, IdempotencyKey.response_body: body_json}
            ).where(IdempotencyKey.key == key)
            # The first answer and every replay carry byte-for-byte the same body.
            return Answer(answer.status_code, json.loads(body_json))
    except (asyncpg.UniqueViolationError, sqlite3.IntegrityError) as error:
        # Lost the race for this key: the winner has committed by now, so its answer is there.
        stored = await _stored(key, person_id, digest)
        if stored is None:
            raise DomainError("idempotency_conflict", "Yêu cầu trùng đang được xử lý, hãy thử lại") from error
        return stored


HEADER = "idempotency-key"


async def once(
    request: Request,
    actor: Actor,
    payload: Any,
    call: Callable[[], Awaitable[Any]],
    status_code: int = 200,
) -> Response:
    async def action() -> Answer:
        result = await call()
        return result if isinstance(result, Answer) else Answer(status_code, result)

    answer = await run_once(
        key=request.headers.get(HEADER),
        person_id=actor.id,
        scope=f"{request.method} {request.url.path}",
        payload=payload,
        action=action,
    )
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
    return Response(content=answer.body, status_code=answer.status_code, headers=headers)
