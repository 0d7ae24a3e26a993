from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class IdempotencyKey(Table, tablename="idempotency_keys"):
    """The first answer to a client-generated change id; the UNIQUE key makes a replay happen once."""

    key = Varchar(length=80, unique=True)
    person_id = Integer(null=True)
    scope = Varchar(length=255)
    request_hash = Varchar(length=64)
    status_code = Integer()
    response_body = Text()
    created_at = Timestamptz()
