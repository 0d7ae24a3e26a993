"""SQLite: the done tasks by the local day of their completion, covering a drill-down's page (decision 0004).

SQLite keeps times as text, so the sargable range on completed_at that PostgreSQL uses is not safe there; an index
on the very expression kpi compares (`date(completed_at, '+7 hours')`) serves the same branch, and the page names
it (INDEXED BY), since SQLite without statistics prefers the index on `parent`. PostgreSQL: nothing to do.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-06T23:35:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "SQLite: done tasks by local completion day"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)

    async def run() -> None:
        from server.tasks.tables import Task

        engine = Task._meta.db
        if isinstance(engine, SQLiteEngine):
            await engine.run_ddl(
                "CREATE INDEX IF NOT EXISTS tasks_done_local_day ON tasks"
                " (date(completed_at, '+7 hours'), deadline, parent, lead_unit, id) WHERE state = 'done'"
            )

    manager.add_raw(run)
    return manager
