"""Piccolo app for citizen reports, voter petitions, routing rules and Open311 keys."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="reports",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["server.reports.tables"], exclude_imported=True),
    migration_dependencies=["server.units.piccolo_app", "server.people.piccolo_app", "server.media.piccolo_app"],
    commands=[],
)
