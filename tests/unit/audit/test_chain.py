import pytest

from server.audit import services as audit
from server.audit.tables import AuditEvent
from server.lib.db import engine, is_sqlite


async def _tamper(sql: str) -> None:
    """Bypass the append-only triggers the way an attacker with database access would."""
    db = engine()
    if is_sqlite():
        await db.run_ddl("DROP TRIGGER audit_events_no_update")
        try:
            await db.run_ddl(sql)
        finally:
            await db.run_ddl(
                "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
            )
    else:
        await db.run_ddl("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
        try:
            await db.run_ddl(sql)
        finally:
            await db.run_ddl("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")


async def test_the_log_refuses_updates_and_deletes() -> None:
    await audit.record(actor_id=None, action="test.create", entity="thing", entity_id=1, after={"a": 1})
    with pytest.raises(Exception, match="append-only"):
        await AuditEvent.update({AuditEvent.after: "{}"}, force=True)
    with pytest.raises(Exception, match="append-only"):
        await AuditEvent.delete(force=True)


async def test_chain_verifies_and_names_the_first_tampered_row() -> None:
    await audit.record(actor_id=None, action="test.create", entity="thing", entity_id=1, after={"a": "nước"})
    await audit.record(
        actor_id=None, action="test.update", entity="thing", entity_id=1, before={"a": 1}, after={"a": 2}
    )
    await audit.record(actor_id=None, action="test.delete", entity="thing", entity_id=1, before={"a": 2})
    assert (await audit.verify_chain()).ok
    last_three = await AuditEvent.select().order_by(AuditEvent.seq, ascending=False).limit(3)
    middle = last_three[1]
    await _tamper(f"UPDATE audit_events SET after = '{{\"a\":3}}' WHERE id = {middle['id']}")
    try:
        result = await audit.verify_chain()
        assert not result.ok
        assert result.first_broken_seq == middle["seq"]
    finally:
        original = middle["after"].replace("'", "''")
        await _tamper(f"UPDATE audit_events SET after = '{original}' WHERE id = {middle['id']}")
    assert (await audit.verify_chain()).ok
