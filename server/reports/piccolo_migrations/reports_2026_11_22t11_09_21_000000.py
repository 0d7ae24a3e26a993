"""Open311 API keys kept as their SHA-256 from now on: the keys already issued are hashed in place (each keeps
working, since a request's key is hashed the same way before the lookup) and their prefix is kept for the
admin's list. Written by hand, with SQL both engines run the same way."""

import hashlib
import re

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T11:09:21:000000"
VERSION = "1.38.0"
DESCRIPTION = "hash the open311 keys already issued"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)

    async def run() -> None:
        from server.reports.tables import Open311Key

        rows = await Open311Key.raw("SELECT id, key FROM open311_keys WHERE key_prefix = ''")
        for row in rows:
            if re.fullmatch(r"[0-9a-f]{64}", row["key"]):
                continue  # already a digest (this ran before, and the prefix column was rebuilt): never twice
            digest = hashlib.sha256(row["key"].encode()).hexdigest()
            await Open311Key.raw(
                "UPDATE open311_keys SET key = {}, key_prefix = {} WHERE id = {}", digest, row["key"][:4], row["id"]
            )

    manager.add_raw(run)
    return manager
