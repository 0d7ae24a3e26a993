"""Piccolo app for the leaders' desk: the report exports, and kpi's kept counts that this app created.

The kept counts' Table classes live in server.kpi.tables (kpi is their one reader and writer) but stay registered
here, the app whose migrations created them: moving a class changed no table, and needs no migration."""

import os

from piccolo.conf.apps import AppConfig, table_finder

from server.kpi.tables import KEPT_COUNTS

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="dashboard",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[*table_finder(modules=["server.dashboard.tables"], exclude_imported=True), *KEPT_COUNTS],
    migration_dependencies=["server.units.piccolo_app", "server.people.piccolo_app", "server.tasks.piccolo_app"],
    commands=[],
)
