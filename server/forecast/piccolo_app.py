"""Piccolo app for the late-risk forecast: the fitted model per jurisdiction and the current scores."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="forecast",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["server.forecast.tables"], exclude_imported=True),
    migration_dependencies=["server.units.piccolo_app", "server.tasks.piccolo_app", "server.reports.piccolo_app"],
    commands=[],
)
