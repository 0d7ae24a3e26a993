"""The leaders' desk's own table: the reports the worker builds (dashboard_exports).

kpi's kept counts (kpi_task_facts, kpi_unit_days, kpi_tree_days, kpi_person_facts, kpi_person_days,
kpi_aggregate_state) are declared in `server.kpi.tables`; this Piccolo app created them and still lists them
(piccolo_app.py), so their migrations are here. The older ones are re-exported below for old imports.
"""

from enum import Enum

from piccolo.columns import Bytea, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.kpi.tables import KpiAggregateState, KpiTaskFact, KpiTreeDay, KpiUnitDay
from server.people.tables import Person

__all__ = ["ExportState", "KpiAggregateState", "KpiTaskFact", "KpiTreeDay", "KpiUnitDay", "ReportExport"]


class ExportState(str, Enum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class ReportExport(Table, tablename="dashboard_exports"):
    """A báo cáo tổng hợp too large to build during a request: the worker builds it, only its requester gets it."""

    person = ForeignKey(references=Person, index=True)
    unit = Integer()
    period_kind = Varchar(length=16)
    start = Date()
    end = Date()
    today = Date()
    state = Varchar(length=16, choices=ExportState, default=ExportState.queued.value)
    progress = Integer(default=0)
    filename = Varchar(length=200, default="")
    content = Bytea(null=True, default=None)
    # The figures the file was built from (JSON), for the printable A4 page of the same report.
    snapshot = Text(default="")
    error = Text(default="")
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
