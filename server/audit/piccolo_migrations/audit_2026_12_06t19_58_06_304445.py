from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import SmallInt
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T19:58:06:304445"
VERSION = "1.38.0"
DESCRIPTION = "audit_events.version: 1 for the unkeyed entries written so far, 2 for HMAC-signed ones"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="audit", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="AuditEvent",
        tablename="audit_events",
        column_name="version",
        db_column_name="version",
        column_class_name="SmallInt",
        column_class=SmallInt,
        params={
            "default": 1,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
