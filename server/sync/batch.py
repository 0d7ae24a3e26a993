"""The phone's outbox, replayed in one request: each change answered on its own, each happening once.

Every item carries the client's UUID and goes through the same service and the same idempotency store
(`run_once`, under the same scope) as the single-change endpoint it stands for, so a change sent once here
and once there, or twice at the same time, still happens once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import msgspec

from server.lib import clock
from server.lib.actor import Actor
from server.lib.errors import DomainError
from server.lib.i18n import gettext as _
from server.lib.idempotency import Answer, run_once
from server.tasks import list_cache, listing
from server.tasks import services as tasks
from server.tasks.refusals import refused
from server.tasks.schemas import ExtensionBody, ProgressBody, TransitionBody
from server.tasks.tables import Task

MAX_BATCH = 100
# A change is sent again after a lost answer; rows written a little before the cursor are sent again too,
# so that a transaction committing late with an earlier updated_at is never skipped.
CURSOR_OVERLAP = dt.timedelta(seconds=5)
VERSION_MARK = "~"  # between a cursor's time and the list version it was given at


class Change(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    kind: str
    task_id: int
    body: dict[str, Any] = {}


class Batch(msgspec.Struct, forbid_unknown_fields=True):
    changes: list[Change]


def _error(status: int, code: str, message: str, details: Any = None) -> Answer:
    error: dict[str, Any] = {"code": code, "message": _(message)}
    if details:
        error["details"] = details
    return Answer(status, {"error": error})


async def _progress(actor: Actor, change: Change, body: ProgressBody) -> Answer:
    outcome = await tasks.report_progress(actor, change.task_id, client_id=change.id, **msgspec.structs.asdict(body))
    result = dataclasses.asdict(outcome)
    if outcome.refused_reason is None:
        return Answer(201, result)
    return refused(outcome.refused_reason, result)


async def _transition(actor: Actor, change: Change, body: TransitionBody) -> Answer:
    return Answer(200, await tasks.transition(actor, change.task_id, **msgspec.structs.asdict(body)))


async def _extension(actor: Actor, change: Change, body: ExtensionBody) -> Answer:
    result = await tasks.request_extension(actor, change.task_id, body.requested_deadline, body.reason)
    return Answer(201, result)


# kind → (body schema, the path of the single-change endpoint whose idempotency scope it shares, handler)
KINDS: dict[str, tuple[type[msgspec.Struct], str, Any]] = {
    "progress": (ProgressBody, "progress", _progress),
    "transition": (TransitionBody, "transitions", _transition),
    "extension": (ExtensionBody, "extensions", _extension),
}


async def apply_change(actor: Actor, change: Change) -> dict[str, Any]:
    """One change, answered like its own endpoint would answer it: {id, status, body}."""
    kind = KINDS.get(change.kind)
    if kind is None:
        answer = _error(422, "kind_unknown", "Loại thay đổi không hợp lệ")
        return {"id": change.id, "status": answer.status_code, "body": answer.body}
    schema, segment, handler = kind
    try:
        body = msgspec.convert(change.body, schema, strict=False)
        answer = await run_once(
            key=change.id,
            person_id=actor.id,
            scope=f"POST /api/v1/tasks/{change.task_id}/{segment}",
            payload=msgspec.to_builtins(body),
            action=lambda: handler(actor, change, body),
        )
    except msgspec.ValidationError as error:
        answer = _error(400, "invalid_input", "Dữ liệu gửi lên không hợp lệ", [{"problem": str(error)}])
    except DomainError as error:
        status = 409 if error.code == "idempotency_conflict" else error.status_code
        answer = _error(status, error.code, error.message, error.details or None)
    return {"id": change.id, "status": answer.status_code, "body": answer.body, "replayed": answer.replayed}


async def apply_batch(actor: Actor, batch: Batch) -> dict[str, Any]:
    if len(batch.changes) > MAX_BATCH:
        raise DomainError("batch_too_large", "Quá nhiều thay đổi trong một lần gửi")
    # In order: a report made before a submission reaches the server before it.
    return {"results": [await apply_change(actor, change) for change in batch.changes]}


def _parse_cursor(since: str | None) -> tuple[dt.datetime | None, str | None]:
    """The time of a cursor, and whose list at which version it was given at ("person.version"; None in a cursor
    from before versions)."""
    if not since:
        return None, None
    moment, _, version = since.partition(VERSION_MARK)
    try:
        return clock.as_utc(dt.datetime.fromisoformat(moment)), version or None
    except ValueError as error:
        raise DomainError("cursor_invalid", "Con trỏ đồng bộ không hợp lệ") from error


async def _my_ids(actor: Actor, version: int) -> list[int]:
    """The ids of every task I hold (at most 5,000), kept under my list version: only a change of my link rows,
    which moves it, changes them."""
    key = ("sync ids", actor.id, version)
    kept = list_cache.pages.get(key) if list_cache.usable() else None
    if kept is not None:
        return msgspec.json.decode(kept, type=list[int])
    mine = await tasks.list_tasks(actor, view="mine", limit=200)
    ids = [item["id"] for item in mine["items"]]
    offset = 200
    while mine["has_more"] and offset < 5000:
        mine = await tasks.list_tasks(actor, view="mine", limit=200, offset=offset)
        ids.extend(item["id"] for item in mine["items"])
        offset += 200
    if list_cache.usable():
        list_cache.pages.put(key, msgspec.json.encode(ids))
    return ids


async def tasks_since(actor: Actor, since: str | None, limit: int = 500) -> dict[str, Any]:
    """My tasks changed since the cursor (all of them without one), the ids I still hold, and the next cursor.

    The cursor also carries my list version (listing.list_version), read after `started`: while it is the same,
    nothing my tasks show has changed since that answer, and a phone's sync costs that one read. An answer cut at
    `limit` does not carry it, so that the next sync still asks the tasks."""
    started = clock.now()
    cursor, seen_version = _parse_cursor(since)
    version = await listing.list_version(actor.id)
    ids = await _my_ids(actor, version)
    # The person too: a phone handed to another officer sends the first one's cursor.
    stamp = f"{actor.id}.{version}"
    if cursor is None:
        changed = ids
    elif seen_version == stamp:
        changed = []
    else:
        rows = await Task.select(Task.id).where(Task.id.is_in(ids) & (Task.updated_at >= cursor)) if ids else []
        wanted = {row["id"] for row in rows}
        changed = [task_id for task_id in ids if task_id in wanted]
    complete = len(changed) <= limit
    changed = changed[:limit]
    today = clock.today_vn()
    summaries = await Task.select(*tasks.SUMMARY_COLUMNS).where(Task.id.is_in(changed)) if changed else []
    by_id = {row["id"]: tasks._summary(row, today) for row in summaries}
    moment = (started - CURSOR_OVERLAP).isoformat()
    return {
        "items": [by_id[task_id] for task_id in changed if task_id in by_id],
        "ids": ids,
        "cursor": f"{moment}{VERSION_MARK}{stamp}" if complete else moment,
        "complete": complete,
    }
