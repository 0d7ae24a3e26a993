from enum import Enum

from piccolo.columns import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from server.directives.tables import Directive
from server.people.tables import Person
from server.units.tables import Unit


class TaskState(str, Enum):
    draft = "draft"
    assigned = "assigned"
    in_progress = "in_progress"
    submitted = "submitted"
    returned = "returned"
    done = "done"
    cancelled = "cancelled"


class TaskSource(str, Enum):
    directive = "directive"
    citizen_report = "citizen_report"
    petition = "petition"
    ad_hoc = "ad_hoc"


class Priority(str, Enum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class Task(Table, tablename="tasks"):
    title = Varchar(length=500)
    description = Text(default="")
    source = Varchar(length=32, choices=TaskSource, default=TaskSource.ad_hoc.value)
    source_ref = Varchar(length=64, null=True)
    directive = ForeignKey(references=Directive, null=True, index=True)
    parent = ForeignKey(references="self", null=True, index=True)
    lead_unit = ForeignKey(references=Unit, index=True)
    state = Varchar(length=16, choices=TaskState, default=TaskState.draft.value, index=True)
    priority = Varchar(length=16, choices=Priority, default=Priority.normal.value)
    # The deadline in force: the last approved one. Its history is in TaskDeadline.
    deadline = Date(null=True, default=None, index=True)
    deadline_working_days = Integer(null=True)
    assigned_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(references=Person, null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz(index=True)
    submitted_at = Timestamptz(null=True, default=None)
    # The time of the submission the leader approved, which is what "completed" means.
    completed_at = Timestamptz(null=True, default=None, index=True)
    approved_at = Timestamptz(null=True, default=None)
    approved_by = ForeignKey(references=Person, null=True)
    cancelled_reason = Text(null=True)
    progress_percent = Integer(default=0)
    version = Integer(default=1)
    search_text = Text(default="")


class TaskCoordinatingUnit(Table, tablename="task_coordinating_units"):
    task = ForeignKey(references=Task, index=True)
    unit = ForeignKey(references=Unit, index=True)


class TaskAssignee(Table, tablename="task_assignees"):
    task = ForeignKey(references=Task, index=True)
    person = ForeignKey(references=Person, index=True)
    is_main = Boolean(default=True)
    assigned_at = Timestamptz()
    # Kept when someone is taken off a task, so a late report from their phone can be refused by name.
    removed_at = Timestamptz(null=True, default=None)


class TaskEvent(Table, tablename="task_events"):
    """The task's history: every transition, assignment, deadline change, report and comment."""

    task = ForeignKey(references=Task, index=True)
    kind = Varchar(length=32)
    from_state = Varchar(length=16, null=True)
    to_state = Varchar(length=16, null=True)
    actor = ForeignKey(references=Person, null=True)
    note = Text(default="")
    refused = Boolean(default=False)
    progress_report = Integer(null=True)
    captured_at = Timestamptz(null=True, default=None)
    received_at = Timestamptz()


class TaskDeadline(Table, tablename="task_deadlines"):
    task = ForeignKey(references=Task, index=True)
    deadline = Date()
    previous = Date(null=True, default=None)
    reason = Text(default="")
    set_by = ForeignKey(references=Person, null=True)
    set_at = Timestamptz()


class ExtensionState(str, Enum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class ExtensionRequest(Table, tablename="extension_requests"):
    task = ForeignKey(references=Task, index=True)
    requested_by = ForeignKey(references=Person)
    requested_deadline = Date()
    reason = Text()
    state = Varchar(length=16, choices=ExtensionState, default=ExtensionState.pending.value)
    decided_by = ForeignKey(references=Person, null=True)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")
    created_at = Timestamptz()


class ProgressReport(Table, tablename="progress_reports"):
    task = ForeignKey(references=Task, index=True)
    author = ForeignKey(references=Person)
    note = Text(default="")
    percent = Integer(null=True)
    latitude = Float(null=True)
    longitude = Float(null=True)
    accuracy_m = Float(null=True)
    captured_at = Timestamptz(null=True, default=None)
    received_at = Timestamptz()
    client_id = Varchar(length=80, null=True, unique=True)
    # Set when the report arrived for a task that could no longer take it; the note is kept all the same.
    refused_reason = Varchar(length=64, null=True, default=None)  # None: accepted; a code: why it was refused
