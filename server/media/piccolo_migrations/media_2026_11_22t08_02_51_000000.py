"""One derivative per (original, kind): a composite UNIQUE index, which Piccolo's table syntax cannot make
on SQLite (it adds constraints with ALTER TABLE). Written by hand; it runs forwards on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T08:02:51:000000"
VERSION = "1.38.0"
DESCRIPTION = "one image derivative per original and kind"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="media", description=DESCRIPTION)

    async def run() -> None:
        from server.media.tables import ImageDerivative

        await ImageDerivative._meta.db.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS image_derivatives_original_kind"
            " ON image_derivatives (original, kind)"
        )

    manager.add_raw(run)
    return manager
