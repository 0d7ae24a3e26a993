"""kpi_tree_days: the kept counts rolled up to every unit above a task's lead unit (server.kpi.counts).

Its unique key is the next migration (Piccolo runs a migration's raw steps before its tables). Generated on
PostgreSQL; runs forwards on both engines. The table starts empty: kpi.counts reads it only once its own state row
("tree_days") says it was built, which the periodic check (or any rebuild) does.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date, Integer, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T23:24:42:525695"
VERSION = "1.38.0"
DESCRIPTION = "kpi_tree_days"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="dashboard", description=DESCRIPTION
    )

    manager.add_table(
        class_name="KpiTreeDay",
        tablename="kpi_tree_days",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="KpiTreeDay",
        tablename="kpi_tree_days",
        column_name="unit",
        db_column_name="unit",
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
        table_class_name="KpiTreeDay",
        tablename="kpi_tree_days",
        column_name="deadline",
        db_column_name="deadline",
        column_class_name="Date",
        column_class=Date,
        params={
            "default": DateNow(),
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
        table_class_name="KpiTreeDay",
        tablename="kpi_tree_days",
        column_name="cls",
        db_column_name="cls",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 8,
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
        table_class_name="KpiTreeDay",
        tablename="kpi_tree_days",
        column_name="n",
        db_column_name="n",
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

    return manager
