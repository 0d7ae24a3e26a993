"""A progress report that was not refused has no refusal reason (NULL), not an empty one.

The column's default was "", so reports written without naming it (the demo's, the generator's) counted as
refused for every reader that asks `refused_reason IS NULL`: the leader's approval card said "Chưa có báo cáo"
and a parent did not follow its parts. The default becomes NULL, and the empty reasons already written become
NULL. Generated on PostgreSQL (the default), the UPDATE added by hand; runs forwards on both engines. SQLite
cannot alter a column's default: there the table's own default (None, which every insert through the ORM
names) does it, and the UPDATE mends what is written.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-06T21:03:42:042043"
VERSION = "1.38.0"
DESCRIPTION = "progress_reports.refused_reason defaults to NULL"


async def forwards() -> MigrationManager:
    from server.tasks.tables import ProgressReport

    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)
    if not isinstance(ProgressReport._meta.db, SQLiteEngine):
        manager.alter_column(
            table_class_name="ProgressReport", tablename="progress_reports", column_name="refused_reason",
            db_column_name="refused_reason", params={"default": None}, old_params={"default": ""},
            column_class=Varchar, old_column_class=Varchar, schema=None,
        )

    async def empty_reasons_are_none() -> None:
        await ProgressReport._meta.db.run_ddl("UPDATE progress_reports SET refused_reason = NULL WHERE refused_reason = ''")

    manager.add_raw(empty_reasons_are_none)
    return manager
