from piccolo.columns import BigInt, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditEvent(Table, tablename="audit_events"):
    """Append-only; each row's hash covers the previous row's hash and this row's canonical content."""

    seq = BigInt(unique=True)
    occurred_at = Timestamptz()
    actor_id = Integer(null=True)
    actor_name = Varchar(length=255, default="")
    action = Varchar(length=64)
    entity = Varchar(length=64, index=True)
    entity_id = Varchar(length=64, index=True)
    before = Text(default="null")
    after = Text(default="null")
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64, unique=True)
