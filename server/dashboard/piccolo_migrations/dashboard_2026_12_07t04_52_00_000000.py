"""The people's kept counts' keys and index. Written by hand: Piccolo cannot express composite unique keys, INCLUDE
or partial indexes. Runs forwards on both engines.

- kpi_person_facts: unique (task, person) is the ledger's upsert key and serves a task's rows (its refresh).
- kpi_person_days: unique (person, deadline, unit, done, done_on) is the upsert's key and serves a person's keys
  whose deadline is in a period (index-only on PostgreSQL, with n included); (person, done_on) for done rows
  serves those completed in it.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-07T04:52:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "kpi_person_facts and kpi_person_days keys"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="dashboard", description=DESCRIPTION)

    async def run() -> None:
        from server.kpi.tables import KpiPersonDay

        engine = KpiPersonDay._meta.db
        statements = ["CREATE UNIQUE INDEX IF NOT EXISTS kpi_person_facts_key ON kpi_person_facts (task, person)"]
        if isinstance(engine, SQLiteEngine):
            statements += [
                "CREATE UNIQUE INDEX IF NOT EXISTS kpi_person_days_key"
                " ON kpi_person_days (person, deadline, unit, done, done_on)",
                "CREATE INDEX IF NOT EXISTS kpi_person_days_done_on"
                " ON kpi_person_days (person, done_on, unit, deadline, n) WHERE done",
            ]
        else:
            statements += [
                "CREATE UNIQUE INDEX IF NOT EXISTS kpi_person_days_key"
                " ON kpi_person_days (person, deadline, unit, done, done_on) INCLUDE (n)",
                "CREATE INDEX IF NOT EXISTS kpi_person_days_done_on"
                " ON kpi_person_days (person, done_on) INCLUDE (unit, deadline, n) WHERE done",
            ]
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
