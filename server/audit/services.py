"""The append-only, hash-chained audit log, an evidence chain.

version 2 (every entry since issue 13): h_i = HMAC-SHA-256(key, canonical_v2(event_i)), where canonical_v2 holds
every column, h_{i-1} (prev_hash) and actor_name included, and the key lives outside the database (keys.py).
version 1 (entries written before): h_i = SHA-256(h_{i-1} ‖ canonical(event_i)), unkeyed, still verified that way;
the first version 2 entry chains onto the last version 1 hash, and no version 1 entry may follow a version 2 one.
A signed checkpoint (count, head hash, time) kept outside the database finds a cut or rewritten tail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from server.audit import keys
from server.audit.tables import AuditEvent
from server.lib import clock
from server.lib.db import engine, is_sqlite, write_transaction
from server.lib.jsontext import to_json

GENESIS_HASH = "0" * 64
CURRENT_VERSION = 2
# Any constant works: it only has to be the same for every writer of the chain.
_CHAIN_LOCK_KEY = 7_204_115


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
    """Version 1's unkeyed link: kept to verify the entries written before version 2."""
    return hashlib.sha256(prev_hash.encode() + payload).hexdigest()


def canonical_v2(row: dict[str, Any]) -> bytes:
    """Every column of an entry but its own hash and its database id (seq is its place in the chain)."""
    return to_json(
        {
            "version": CURRENT_VERSION,
            "seq": row["seq"],
            "occurred_at": clock.as_utc(clock.as_datetime(row["occurred_at"])).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor_id": row["actor_id"],
            "actor_name": row["actor_name"],
            "action": row["action"],
            "entity": row["entity"],
            "entity_id": row["entity_id"],
            "before": row["before"],
            "after": row["after"],
            "prev_hash": row["prev_hash"],
        }
    ).encode()


def entry_hash(row: dict[str, Any]) -> str:
    return keys.sign(b"audit-entry:" + canonical_v2(row))


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
        row: dict[str, Any] = {
            "seq": seq,
            "occurred_at": occurred_at,
            "actor_id": actor_id,
            "actor_name": actor_name or "",
            "action": action,
            "entity": entity,
            "entity_id": str(entity_id),
            "before": to_json(before),
            "after": to_json(after),
            "prev_hash": prev_hash,
        }
        await AuditEvent.insert(AuditEvent(**row, hash=entry_hash(row), version=CURRENT_VERSION))


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    checkpoint: keys.Checkpoint | None = None  # the checkpoint checked against (None: there was none)
    head_hash: str = GENESIS_HASH


class ChainChecker:
    """Follows the chain entry by entry; `check` names what is wrong with the next entry, or returns None."""

    def __init__(self) -> None:
        self.prev_hash = GENESIS_HASH
        self.expected_seq = 1
        self.seen_v2 = False

    def check(self, row: dict[str, Any]) -> str | None:
        if row["seq"] != self.expected_seq:
            return "missing entry"
        if row["prev_hash"] != self.prev_hash:
            return "link to the previous entry broken"
        version = row.get("version") or 1
        if version == CURRENT_VERSION:
            if not hmac.compare_digest(entry_hash(row), row["hash"]):
                return "content does not match its signature (HMAC)"
            self.seen_v2 = True
        elif version == 1:
            if self.seen_v2:
                return "an unsigned (version 1) entry after signed ones"
            payload = canonical(
                seq=row["seq"],
                occurred_at=clock.as_datetime(row["occurred_at"]),
                actor_id=row["actor_id"],
                action=row["action"],
                entity=row["entity"],
                entity_id=row["entity_id"],
                before=row["before"],
                after=row["after"],
            )
            if chain_hash(self.prev_hash, payload) != row["hash"]:
                return "content does not match its hash"
        else:
            return f"unknown version {version}"
        self.prev_hash = row["hash"]
        self.expected_seq += 1
        return None


async def verify_chain(batch_size: int = 5000, *, write_checkpoint: bool = True) -> VerifyResult:
    """Check every entry in order, then the log against the last checkpoint; when all is well, write a new one.

    Names the first bad entry; a log shorter than the checkpoint, or whose entry at the checkpoint's count is not
    the one signed then, is reported as cut or rewritten.
    """
    try:
        point = keys.read_checkpoint()
    except keys.CheckpointInvalid as error:
        return VerifyResult(False, 0, None, str(error))
    checker = ChainChecker()
    checked = 0
    hash_at_checkpoint: str | None = None
    while True:
        rows = (
            await AuditEvent.select()
            .where(AuditEvent.seq >= checker.expected_seq)
            .order_by(AuditEvent.seq)
            .limit(batch_size)
        )
        if not rows:
            break
        for row in rows:
            problem = checker.check(row)
            if problem:
                return VerifyResult(False, checked, checker.expected_seq if problem == "missing entry" else row["seq"],
                                    problem, point, checker.prev_hash)
            checked += 1
            if point is not None and row["seq"] == point.count:
                hash_at_checkpoint = row["hash"]
    if point is not None:
        when = point.at.isoformat(timespec="seconds")
        if checked < point.count:
            return VerifyResult(
                False, checked, checked + 1,
                f"truncated: the checkpoint of {when} counted {point.count} entries, the log has {checked}",
                point, checker.prev_hash,
            )
        if point.count and hash_at_checkpoint != point.head_hash:
            return VerifyResult(
                False, checked, point.count,
                f"rewritten: entry #{point.count} is not the one the checkpoint of {when} signed",
                point, checker.prev_hash,
            )
    if write_checkpoint and checked:
        keys.write_checkpoint(checked, checker.prev_hash, clock.now())
    return VerifyResult(True, checked, checkpoint=point, head_hash=checker.prev_hash)
