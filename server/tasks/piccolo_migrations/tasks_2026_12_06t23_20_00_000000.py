"""The done tasks by completion time, covering what a drill-down's page reads (docs/decisions/0004-list-sql.md).

A figure's tasks completed in the period but due outside it are found by a sargable range on completed_at
(server.kpi.services._page_sql); with the deadline, the state, the parent, the lead unit and the id in the index,
that range is an index-only scan (a province's year: 1,668 tasks picked from ~50,000 without visiting one row).
Written by hand (INCLUDE, partial); runs forwards on both engines (SQLite: the included columns close the key).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-06T23:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "done tasks by completion time, covering"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)

    async def run() -> None:
        from server.tasks.tables import Task

        engine = Task._meta.db
        if isinstance(engine, SQLiteEngine):
            await engine.run_ddl("CREATE INDEX IF NOT EXISTS tasks_done_completed ON tasks"
                                 " (completed_at, deadline, parent, lead_unit, state, id) WHERE state = 'done'")
        else:
            await engine.run_ddl("CREATE INDEX IF NOT EXISTS tasks_done_completed ON tasks (completed_at)"
                                 " INCLUDE (deadline, parent, lead_unit, state, id) WHERE state = 'done'")

    manager.add_raw(run)
    return manager
