"""kpi's kept counts: the unit figures kept per day and per subtree, written by `server.kpi.counts` only.

`kpi_unit_days` holds, for each (lead unit, done or open, deadline in force, completion date), how many
top-level tasks have exactly those values; `kpi_task_facts` remembers, per task, the values it was last counted
under, so a change moves one count from the old key to the new one. Both are written only by
`server.kpi.counts` (registered as a task listener by `server.dashboard.aggregate`), inside the task's own write
transaction. Sentinels instead of NULL keep the unique key usable on both engines: a done task without a
deadline has 9999-12-30, an open task's completion date is 0001-01-02, a done task without a completion time has
9999-12-30. Open tasks without a deadline never count, so they have no row.

The tables were created by the Piccolo app "dashboard" and stay registered there (its piccolo_app.py lists them):
moving the classes here changed no table, so no migration was needed.
"""

from piccolo.columns import Boolean, Date, Integer, Timestamptz, Varchar
from piccolo.table import Table


class KpiTaskFact(Table, tablename="kpi_task_facts"):
    task = Integer(unique=True)
    unit = Integer()
    done = Boolean()
    deadline = Date()
    done_on = Date()


class KpiUnitDay(Table, tablename="kpi_unit_days"):
    # The unique key and the covering indexes are written by hand in the migration (composite, partial).
    unit = Integer()
    done = Boolean()
    deadline = Date()
    done_on = Date()
    n = Integer(default=0)


class KpiTreeDay(Table, tablename="kpi_tree_days"):
    """The same top-level tasks rolled up to every unit above their lead unit (itself included), by deadline and
    class ('open', 'on_time', 'late'): a subtree's tasks due in a period are its own few rows (the province's
    year: ~800 rows instead of ~265,000 keys of kpi_unit_days). Written by server.kpi.counts with the rest."""

    # The unique key (unit, deadline, cls) is written by hand in the migration (composite).
    unit = Integer()
    deadline = Date()
    cls = Varchar(length=8)
    n = Integer(default=0)


class KpiAggregateState(Table, tablename="kpi_aggregate_state"):
    """One row ("unit_days"): when the aggregate was last rebuilt and last checked against the tasks."""

    name = Varchar(length=32, unique=True)
    built_at = Timestamptz(null=True, default=None)
    checked_at = Timestamptz(null=True, default=None)
    last_differences = Integer(default=0)


KEPT_COUNTS = [KpiTaskFact, KpiUnitDay, KpiTreeDay, KpiAggregateState]
