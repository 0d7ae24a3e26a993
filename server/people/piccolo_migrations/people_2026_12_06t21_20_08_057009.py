from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T21:20:08:057009"
VERSION = "1.38.0"
DESCRIPTION = "people.triage: a person the admin names a triage officer"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="people", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Person",
        tablename="people",
        column_name="triage",
        db_column_name="triage",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
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
