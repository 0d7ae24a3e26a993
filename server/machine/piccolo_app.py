"""Piccolo app for machine access: API keys for other systems, and the directives they import."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="machine",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["server.machine.tables"], exclude_imported=True),
    migration_dependencies=[
        "server.units.piccolo_app", "server.people.piccolo_app", "server.directives.piccolo_app",
        "server.tasks.piccolo_app",
    ],
    commands=[],
)
