"""Learned routing's tables; on PostgreSQL the pg_trgm extension (the duplicates' similarity()) and a trigram
GIN index on reports.search_text (the queue's and the portal's LIKE '%word%' searches use it). SQLite computes the
same similarity in Python (server.forecast.text.trigram_similarity) and needs nothing here.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T23:00:03:924857"
VERSION = "1.38.0"
DESCRIPTION = "Learned routing: the fitted model per jurisdiction, the per-category switch; pg_trgm on PostgreSQL"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="forecast", description=DESCRIPTION
    )

    manager.add_table(
        class_name="RoutingModel",
        tablename="forecast_routing_models",
        schema=None,
        columns=None,
    )

    manager.add_table(
        class_name="RoutingSetting",
        tablename="forecast_routing_settings",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="RoutingModel",
        tablename="forecast_routing_models",
        column_name="jurisdiction",
        db_column_name="jurisdiction",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": True,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoutingModel",
        tablename="forecast_routing_models",
        column_name="status",
        db_column_name="status",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 32,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoutingModel",
        tablename="forecast_routing_models",
        column_name="examples",
        db_column_name="examples",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoutingModel",
        tablename="forecast_routing_models",
        column_name="units",
        db_column_name="units",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoutingModel",
        tablename="forecast_routing_models",
        column_name="params",
        db_column_name="params",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoutingModel",
        tablename="forecast_routing_models",
        column_name="fitted_at",
        db_column_name="fitted_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoutingSetting",
        tablename="forecast_routing_settings",
        column_name="category",
        db_column_name="category",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": True,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoutingSetting",
        tablename="forecast_routing_settings",
        column_name="learned",
        db_column_name="learned",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoutingSetting",
        tablename="forecast_routing_settings",
        column_name="updated_at",
        db_column_name="updated_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    async def trigram() -> None:
        from piccolo.engine.sqlite import SQLiteEngine

        from server.forecast.tables import RoutingModel

        engine = RoutingModel._meta.db
        if isinstance(engine, SQLiteEngine):
            return
        await engine.run_ddl("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS reports_search_text_trgm ON reports USING gin (search_text gin_trgm_ops)")

    manager.add_raw(trigram)
    return manager
