"""kpi's kept counts: the unit figures kept per day and per subtree, and each person's, written by kpi only.

`kpi_unit_days` holds, for each (lead unit, done or open, deadline in force, completion date), how many
top-level tasks have exactly those values; `kpi_task_facts` remembers, per task, the values it was last counted
under, so a change moves one count from the old key to the new one. Both are written only by
`server.kpi.counts` (registered as a task listener by `server.dashboard.aggregate`), inside the task's own write
transaction. Sentinels instead of NULL keep the unique key usable on both engines: a done task without a
deadline has 9999-12-30, an open task's completion date is 0001-01-02, a done task without a completion time has
9999-12-30. Open tasks without a deadline never count, so they have no row.

`kpi_person_facts` and `kpi_person_days` are the same for people: per (task, current assignee) and per
(person, lead unit, done or open, deadline in force, completion date), every task (parts included), with the same
sentinels; written by `server.kpi.people_counts` in the same transactions.

The tables were created by the Piccolo app "dashboard" and stay registered there (its piccolo_app.py lists them):
moving the classes here changed no table, so no migration was needed. The people's two tables came later, with
migrations of that app.
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


class KpiPersonFact(Table, tablename="kpi_person_facts"):
    """Per (task, current assignee), the values the task was last counted under for that person: a change of the
    task moves one count per assignee, and taking someone off a task (or adding them) moves theirs alone."""

    # The unique key (task, person) is written by hand in the migration (composite).
    task = Integer()
    person = Integer()
    unit = Integer()
    done = Boolean()
    deadline = Date()
    done_on = Date()


class KpiPersonDay(Table, tablename="kpi_person_days"):
    """How many tasks (top-level or part) each person holds with exactly these values: a person's figures, and
    a unit's people table, without reading their tasks. The lead unit is kept so that a viewer's figures can keep
    the tasks led inside their subtree."""

    # The unique key (person, deadline, unit, done, done_on) and the index of done rows by completion date are
    # written by hand in the migration (composite, partial).
    person = Integer()
    unit = Integer()
    done = Boolean()
    deadline = Date()
    done_on = Date()
    n = Integer(default=0)


class KpiAggregateState(Table, tablename="kpi_aggregate_state"):
    """One row per kind of counts ("unit_days", "tree_days", "person_days"): when they were last rebuilt (and,
    for "unit_days", which stands for all of them, last checked against the tasks)."""

    name = Varchar(length=32, unique=True)
    built_at = Timestamptz(null=True, default=None)
    checked_at = Timestamptz(null=True, default=None)
    last_differences = Integer(default=0)


KEPT_COUNTS = [KpiTaskFact, KpiUnitDay, KpiTreeDay, KpiPersonFact, KpiPersonDay, KpiAggregateState]
