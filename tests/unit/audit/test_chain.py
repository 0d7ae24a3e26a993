from server.audit import services as audit
from server.audit.tables import AuditEvent


async def test_chain_verifies_and_names_the_first_tampered_row() -> None:
    await audit.record(actor_id=None, action="test.create", entity="thing", entity_id=1, after={"a": "nước"})
    await audit.record(actor_id=None, action="test.update", entity="thing", entity_id=1, before={"a": 1}, after={"a": 2})
    await audit.record(actor_id=None, action="test.delete", entity="thing", entity_id=1, before={"a": 2})
    assert (await audit.verify_chain()).ok
    last_three = await AuditEvent.select().order_by(AuditEvent.seq, ascending=False).limit(3)
    middle = last_three[1]
    await AuditEvent.update({AuditEvent.after: '{"a":3}'}).where(AuditEvent.id == middle["id"])
    try:
        result = await audit.verify_chain()
        assert not result.ok
        assert result.first_broken_seq == middle["seq"]
    finally:
        await AuditEvent.update({AuditEvent.after: middle["after"]}).where(AuditEvent.id == middle["id"])
    assert (await audit.verify_chain()).ok
