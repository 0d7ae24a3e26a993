"""The audit log as an evidence chain (issue 13, finding 5): someone who can write to the database, but cannot read
the key kept outside it, can neither cut the tail, nor change a name, nor rewrite an entry with every later hash
recomputed, without `verify-audit` naming where.

Each test puts the log back as it found it: the rest of the suite verifies the same chain.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from server.audit import jobs, keys
from server.audit import services as audit
from server.audit.tables import AuditEvent
from server.lib.db import engine, is_sqlite
from server.settings import PROJECT_ROOT


async def _unguarded(*statements: str) -> None:
    """Run SQL with the append-only triggers off, the way an attacker with database access would."""
    db = engine()
    if is_sqlite():
        await db.run_ddl("DROP TRIGGER audit_events_no_update")
        await db.run_ddl("DROP TRIGGER audit_events_no_delete")
        try:
            for sql in statements:
                await db.run_ddl(sql)
        finally:
            for action in ("update", "delete"):
                await db.run_ddl(
                    f"CREATE TRIGGER audit_events_no_{action} BEFORE {action.upper()} ON audit_events "
                    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
                )
    else:
        await db.run_ddl("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
        try:
            for sql in statements:
                await db.run_ddl(sql)
        finally:
            await db.run_ddl("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")


def _sql(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).isoformat()
    return "'" + str(value).replace("'", "''") + "'"


COLUMNS = ("id", "seq", "occurred_at", "actor_id", "actor_name", "action", "entity", "entity_id", "before",
           "after", "prev_hash", "hash", "version")


def _insert(row: dict[str, Any]) -> str:
    return (f"INSERT INTO audit_events ({', '.join(COLUMNS)}) VALUES "
            f"({', '.join(_sql(row[c]) for c in COLUMNS)})")


def _restore(row: dict[str, Any]) -> str:
    sets = ", ".join(f"{c} = {_sql(row[c])}" for c in COLUMNS if c != "id")
    return f"UPDATE audit_events SET {sets} WHERE id = {row['id']}"


@pytest.fixture
async def checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Path]:
    """This test's own checkpoint file, and three fresh entries at the head of the log."""
    path = tmp_path / "audit_checkpoint.json"
    monkeypatch.setenv("AUDIT_CHECKPOINT", str(path))
    await audit.record(actor_id=1, actor_name="Nguyễn Văn An", action="test.create", entity="thing", entity_id=1,
                       after={"a": "nước"})
    await audit.record(actor_id=1, actor_name="Nguyễn Văn An", action="test.update", entity="thing", entity_id=1,
                       before={"a": "nước"}, after={"a": "điện"})
    await audit.record(actor_id=2, actor_name="Trần Thị Bình", action="test.delete", entity="thing", entity_id=1,
                       before={"a": "điện"})
    yield path
    assert (await audit.verify_chain(write_checkpoint=False)).ok, "the test left the log broken"


def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def _last(n: int) -> list[dict[str, Any]]:
    return list(reversed(await AuditEvent.select().order_by(AuditEvent.seq, ascending=False).limit(n)))


async def _cli() -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server", "verify-audit", cwd=PROJECT_ROOT, env=dict(os.environ),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


async def test_deleting_the_newest_entries_is_reported_against_the_checkpoint(checkpoint: Path) -> None:
    """Before: the chain was only checked link by link, so a log with its tail cut said "OK: 469 entries"."""
    first = await audit.verify_chain()
    assert first.ok and _mode(checkpoint) == 0o600
    tail = await _last(2)
    await _unguarded(f"DELETE FROM audit_events WHERE seq >= {tail[0]['seq']}")
    try:
        result = await audit.verify_chain()
        assert not result.ok
        assert result.first_broken_seq == tail[0]["seq"]
        assert "truncated" in result.reason and str(first.checked) in result.reason
        code, out = await _cli()
        assert code != 0 and f"BROKEN at entry #{tail[0]['seq']}: truncated" in out, out
    finally:
        await _unguarded(*(_insert(row) for row in tail))
    code, out = await _cli()
    assert code == 0 and f"OK: {first.checked} entries" in out, out


async def test_a_changed_actor_name_breaks_the_chain(checkpoint: Path) -> None:
    """Before: actor_name was outside the hash."""
    middle = (await _last(3))[1]
    await _unguarded(f"UPDATE audit_events SET actor_name = 'Người khác' WHERE id = {middle['id']}")
    try:
        result = await audit.verify_chain(write_checkpoint=False)
        assert not result.ok and result.first_broken_seq == middle["seq"]
    finally:
        await _unguarded(_restore(middle))


@pytest.mark.parametrize("how", ["unkeyed sha-256", "hmac under another key", "as version 1 entries"])
async def test_a_rewritten_entry_with_every_later_hash_recomputed_is_found(checkpoint: Path, how: str) -> None:
    """Before: the hash was unkeyed, so whoever rewrote an entry and recomputed the hashes after it passed."""
    import hashlib
    import hmac

    assert (await audit.verify_chain()).ok
    rows = await _last(3)
    forged = [dict(row) for row in rows]
    forged[1]["after"] = '{"a":"ga"}'
    prev = forged[0]["hash"]
    for row in forged[1:]:
        row["prev_hash"] = prev
        if how == "unkeyed sha-256":
            row["hash"] = hashlib.sha256(prev.encode() + audit.canonical_v2(row)).hexdigest()
        elif how == "hmac under another key":
            row["hash"] = hmac.new(b"guessed", b"audit-entry:" + audit.canonical_v2(row), hashlib.sha256).hexdigest()
        else:
            row["version"] = 1
            row["hash"] = audit.chain_hash(prev, audit.canonical(
                seq=row["seq"], occurred_at=row["occurred_at"], actor_id=row["actor_id"], action=row["action"],
                entity=row["entity"], entity_id=row["entity_id"], before=row["before"], after=row["after"]))
        prev = row["hash"]
    # Hashes are UNIQUE: the originals go first, then the forgeries take their places.
    await _unguarded(*(f"UPDATE audit_events SET hash = 'x{row['seq']}' WHERE id = {row['id']}" for row in rows[1:]),
                     *(_restore(row) for row in forged[1:]))
    try:
        result = await audit.verify_chain(write_checkpoint=False)
        assert not result.ok and result.first_broken_seq == rows[1]["seq"], result
    finally:
        await _unguarded(*(f"UPDATE audit_events SET hash = 'y{r['seq']}' WHERE id = {r['id']}" for r in rows[1:]),
                         *(_restore(row) for row in rows[1:]))


async def test_an_edited_checkpoint_is_refused(checkpoint: Path) -> None:
    assert (await audit.verify_chain()).ok
    saved = _read(checkpoint)
    _write(checkpoint, {**saved, "count": saved["count"] - 2})
    result = await audit.verify_chain()
    assert not result.ok and "not signed" in result.reason
    _write(checkpoint, saved)
    assert (await audit.verify_chain()).ok


async def test_entries_written_before_the_key_still_verify_and_the_first_signed_one_chains_onto_them() -> None:
    """The migration keeps the old chain: version 1 entries are checked the old way, version 2 ones by HMAC; a
    version 1 entry after a signed one is refused (else a forger would simply write unsigned entries)."""
    at = dt.datetime(2026, 11, 30, 3, 4, 5, 123456, tzinfo=dt.UTC)

    def old(seq: int, prev: str) -> dict[str, Any]:
        row = {"seq": seq, "occurred_at": at, "actor_id": None, "actor_name": "Ai đó", "action": "x.create",
               "entity": "thing", "entity_id": str(seq), "before": "null", "after": '{"a":1}', "prev_hash": prev,
               "version": 1}
        row["hash"] = audit.chain_hash(prev, audit.canonical(
            seq=seq, occurred_at=at, actor_id=None, action="x.create", entity="thing", entity_id=str(seq),
            before="null", after='{"a":1}'))
        return row

    def new(seq: int, prev: str) -> dict[str, Any]:
        row = {**old(seq, prev), "version": 2}
        row["hash"] = audit.entry_hash(row)
        return row

    first = old(1, audit.GENESIS_HASH)
    second = old(2, first["hash"])
    third = new(3, second["hash"])
    fourth = new(4, third["hash"])
    checker = audit.ChainChecker()
    assert [checker.check(row) for row in (first, second, third, fourth)] == [None] * 4
    checker = audit.ChainChecker()
    late_old = old(4, third["hash"])
    assert [checker.check(row) for row in (first, second, third)] == [None] * 3
    assert checker.check(late_old) == "an unsigned (version 1) entry after signed ones"


async def test_the_key_is_kept_outside_the_database_with_mode_0600(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "keys" / "audit_key"
    monkeypatch.setenv("AUDIT_KEY_FILE", str(path))
    monkeypatch.delenv("AUDIT_KEY", raising=False)
    key = keys.audit_key()
    assert path.read_text().strip().encode() == key and len(key) == 64
    assert _mode(path) == 0o600
    assert keys.audit_key() == key  # generated once


async def test_the_worker_writes_a_checkpoint_once_a_day(checkpoint: Path) -> None:
    from server.notifications import jobs as queue
    from server.worker import _builtin_handlers

    _builtin_handlers()
    assert queue.HANDLERS[jobs.CHECKPOINT_JOB] is jobs.handle_checkpoint
    assert jobs.CHECKPOINT_JOB in queue.PERIODIC
    await jobs.handle_checkpoint({})
    written = _read(checkpoint)
    assert written["count"] == (await _last(1))[0]["seq"]
    await audit.record(actor_id=None, action="test.more", entity="thing", entity_id=2)
    await jobs.handle_checkpoint({})  # within the day: the checkpoint stays as it was
    assert _read(checkpoint) == written
    await jobs.handle_checkpoint({"force": True})
    assert _read(checkpoint)["count"] == written["count"] + 1
