"""kpi_tree_days' unique key (unit, deadline, cls): the upsert's key, and a subtree's rows for a range of deadlines
by one index range scan. Written by hand (composite); runs forwards on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-06T23:24:50:000000"
VERSION = "1.38.0"
DESCRIPTION = "kpi_tree_days key"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="dashboard", description=DESCRIPTION)

    async def run() -> None:
        from server.dashboard.tables import KpiTreeDay

        await KpiTreeDay._meta.db.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS kpi_tree_days_key ON kpi_tree_days (unit, deadline, cls) INCLUDE (n)"
            if not _sqlite(KpiTreeDay) else
            "CREATE UNIQUE INDEX IF NOT EXISTS kpi_tree_days_key ON kpi_tree_days (unit, deadline, cls)"
        )

    manager.add_raw(run)
    return manager


def _sqlite(table: type) -> bool:
    from piccolo.engine.sqlite import SQLiteEngine

    return isinstance(table._meta.db, SQLiteEngine)
