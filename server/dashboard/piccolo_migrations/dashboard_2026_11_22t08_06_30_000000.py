"""The unit figures' keys and covering indexes, and the index of the overdue list. Written by hand: Piccolo
cannot express composite unique keys, INCLUDE or partial indexes. Runs forwards on both engines.

- kpi_unit_days: unique (unit, deadline, done, done_on) is the upsert's key and serves one unit's rows;
  (deadline) and (done_on, for done rows) carry every column, so a period is two index-only range scans.
- tasks: the open top-level tasks by deadline, so "the most overdue first" reads the first rows of an index
  (the dashboard's overdue list) instead of sorting a province's open tasks.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-22T08:06:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "kpi_unit_days keys and indexes, open tasks by deadline"

OPEN = "('assigned', 'in_progress', 'submitted', 'returned')"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="dashboard", description=DESCRIPTION)

    async def run() -> None:
        from server.dashboard.tables import KpiUnitDay

        engine = KpiUnitDay._meta.db
        sqlite = isinstance(engine, SQLiteEngine)
        statements = [
            "CREATE UNIQUE INDEX IF NOT EXISTS kpi_unit_days_key ON kpi_unit_days (unit, deadline, done, done_on)",
            "CREATE INDEX IF NOT EXISTS kpi_task_facts_unit ON kpi_task_facts (unit)",
        ]
        if sqlite:
            statements += [
                "CREATE INDEX IF NOT EXISTS kpi_unit_days_deadline ON kpi_unit_days (deadline, unit, done, done_on, n)",
                "CREATE INDEX IF NOT EXISTS kpi_unit_days_done_on ON kpi_unit_days (done_on, unit, deadline, n)"
                " WHERE done",
                f"CREATE INDEX IF NOT EXISTS tasks_open_top_deadline ON tasks (deadline, id)"
                f" WHERE parent IS NULL AND state IN {OPEN}",
            ]
        else:
            statements += [
                "CREATE INDEX IF NOT EXISTS kpi_unit_days_deadline ON kpi_unit_days (deadline)"
                " INCLUDE (unit, done, done_on, n)",
                "CREATE INDEX IF NOT EXISTS kpi_unit_days_done_on ON kpi_unit_days (done_on)"
                " INCLUDE (unit, deadline, n) WHERE done",
                f"CREATE INDEX IF NOT EXISTS tasks_open_top_deadline ON tasks (deadline, id) INCLUDE (lead_unit)"
                f" WHERE parent IS NULL AND state IN {OPEN}",
            ]
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
