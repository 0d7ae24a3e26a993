"""Piccolo app for outgoing webhooks: the subscriptions and their delivery log."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="webhooks",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["server.webhooks.tables"], exclude_imported=True),
    migration_dependencies=["server.people.piccolo_app"],
    commands=[],
)
