from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T19:54:26:240573"
VERSION = "1.38.0"
DESCRIPTION = "The folded text of the directive's PDFs, so a directive is found by what its PDF says"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="directives", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Directive",
        tablename="directives",
        column_name="document_text",
        db_column_name="document_text",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
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
