"""Covering indexes for every task list, so each reads its page by index-only scans (docs/decisions/0004-list-sql.md).

- task_assignees_current (person, task) WHERE removed_at IS NULL: an officer's tasks (`view=mine`, and the
  assigned branch of every scope) without visiting task_assignees' rows;
- tasks_id_urgency (id) INCLUDE (state, deadline): the sort keys of those tasks, without visiting the tasks;
- tasks_unit_urgency (lead_unit, the list's order) INCLUDE (state): a small scope's tasks (its unit ids) sorted
  from the index alone;
- tasks_urgency, rebuilt with INCLUDE (state, lead_unit): the province's page and a large scope's walk in the
  list's order without visiting the tasks they pass over;
- task_coordinating_units_unit_task (unit, task): the tasks a unit head's subtree coordinates.

Written by hand: Piccolo cannot express expressions, INCLUDE or partial indexes. Runs forwards on both engines;
SQLite has no INCLUDE, so there the included columns close the key (the index covers them all the same).
PostgreSQL builds the new tasks_urgency beside the old one, then swaps them, so lists never lose their index.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-06T23:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "covering indexes for the task lists"

KEY = (
    "(CASE WHEN state IN ('done', 'cancelled') THEN 1 ELSE 0 END),"
    " (CASE WHEN deadline IS NULL THEN 1 ELSE 0 END), deadline, id DESC"
)

POSTGRES = [
    "CREATE INDEX IF NOT EXISTS task_assignees_current ON task_assignees (person, task) WHERE removed_at IS NULL",
    "CREATE INDEX IF NOT EXISTS tasks_id_urgency ON tasks (id) INCLUDE (state, deadline)",
    f"CREATE INDEX IF NOT EXISTS tasks_unit_urgency ON tasks (lead_unit, {KEY}) INCLUDE (state)",
    f"CREATE INDEX IF NOT EXISTS tasks_urgency_cover ON tasks ({KEY}) INCLUDE (state, lead_unit)",
    "DROP INDEX IF EXISTS tasks_urgency",
    "ALTER INDEX tasks_urgency_cover RENAME TO tasks_urgency",
    "CREATE INDEX IF NOT EXISTS task_coordinating_units_unit_task ON task_coordinating_units (unit, task)",
]
SQLITE = [
    "CREATE INDEX IF NOT EXISTS task_assignees_current ON task_assignees (person, task) WHERE removed_at IS NULL",
    "CREATE INDEX IF NOT EXISTS tasks_id_urgency ON tasks (id, state, deadline)",
    f"CREATE INDEX IF NOT EXISTS tasks_unit_urgency ON tasks (lead_unit, {KEY}, state)",
    "DROP INDEX IF EXISTS tasks_urgency",
    f"CREATE INDEX IF NOT EXISTS tasks_urgency ON tasks ({KEY}, state, lead_unit)",
    "CREATE INDEX IF NOT EXISTS task_coordinating_units_unit_task ON task_coordinating_units (unit, task)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)

    async def run() -> None:
        from server.tasks.tables import Task

        engine = Task._meta.db
        for statement in SQLITE if isinstance(engine, SQLiteEngine) else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
