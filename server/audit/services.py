"""The append-only, hash-chained audit log: h_i = SHA-256(h_{i-1} ‖ canonical(event_i))."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from server.audit.tables import AuditEvent
from server.lib import clock
from server.lib.db import engine, is_sqlite, write_transaction

GENESIS_HASH = "0" * 64
# Any constant works: it only has to be the same for every writer of the chain.
_CHAIN_LOCK_KEY = 7_204_115


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return clock.as_utc(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return str(value)


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_default)


def canonical(
    *,
    seq: int,
    occurred_at: dt.datetime,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: str,
    before: str,
    after: str,
) -> bytes:
    return to_json(
        {
            "seq": seq,
            "occurred_at": clock.as_utc(occurred_at).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor_id": actor_id,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "before": before,
            "after": after,
        }
    ).encode()


def chain_hash(prev_hash: str, payload: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + payload).hexdigest()


async def record(
    *,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: object,
    before: Any = None,
    after: Any = None,
    actor_name: str = "",
    at: dt.datetime | None = None,
) -> None:
    """Append one event in the caller's transaction (or a new one); writers are serialised on the chain head."""
    async with write_transaction():
        if not is_sqlite():
            await engine().run_ddl(f"SELECT pg_advisory_xact_lock({_CHAIN_LOCK_KEY})")
        last = (
            await AuditEvent.select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq, ascending=False).first()
        )
        seq = (last["seq"] + 1) if last else 1
        prev_hash = last["hash"] if last else GENESIS_HASH
        occurred_at = clock.as_utc(at or clock.now())
        before_json, after_json = to_json(before), to_json(after)
        payload = canonical(
            seq=seq,
            occurred_at=occurred_at,
            actor_id=actor_id,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=before_json,
            after=after_json,
        )
        await AuditEvent.insert(
            AuditEvent(
                seq=seq,
                occurred_at=occurred_at,
                actor_id=actor_id,
                actor_name=actor_name,
                action=action,
                entity=entity,
                entity_id=str(entity_id),
                before=before_json,
                after=after_json,
                prev_hash=prev_hash,
                hash=chain_hash(prev_hash, payload),
            )
        )


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


async def verify_chain(batch_size: int = 5000) -> VerifyResult:
    """Recompute every hash in order; name the first row whose content or link does not match."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    while True:
        rows = (
            await AuditEvent.select().where(AuditEvent.seq >= expected_seq).order_by(AuditEvent.seq).limit(batch_size)
        )
        if not rows:
            return VerifyResult(ok=True, checked=checked)
        for row in rows:
            if row["seq"] != expected_seq:
                return VerifyResult(False, checked, expected_seq, "missing row")
            if row["prev_hash"] != prev_hash:
                return VerifyResult(False, checked, row["seq"], "link to previous row broken")
            payload = canonical(
                seq=row["seq"],
                occurred_at=row["occurred_at"],
                actor_id=row["actor_id"],
                action=row["action"],
                entity=row["entity"],
                entity_id=row["entity_id"],
                before=row["before"],
                after=row["after"],
            )
            if chain_hash(prev_hash, payload) != row["hash"]:
                return VerifyResult(False, checked, row["seq"], "content does not match its hash")
            prev_hash = row["hash"]
            expected_seq += 1
            checked += 1
