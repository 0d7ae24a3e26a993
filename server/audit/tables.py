from piccolo.columns import BigInt, Integer, SmallInt, Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditEvent(Table, tablename="audit_events"):
    """Append-only; each row's hash covers the previous row's hash and this row's content.

    version 1 (rows written before issue 13): SHA-256 over most columns, unkeyed. version 2: HMAC-SHA-256 over every
    column, keyed by a secret kept outside the database (server/audit/keys.py).
    """

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
    version = SmallInt(default=1)
