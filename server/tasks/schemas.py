from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from server.lib.params import ID_MAX

AttachmentId = Annotated[int, msgspec.Meta(gt=0, le=ID_MAX)]


class TaskCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: str
    lead_unit_id: int
    description: str = ""
    source: str = "ad_hoc"
    directive_id: int | None = None
    coordinating_unit_ids: list[int] = []
    assignee_ids: list[int] = []
    deadline: dt.date | None = None
    deadline_working_days: int | None = None
    priority: str = "normal"
    assign_now: bool = True


class SubtaskCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: str
    assignee_ids: list[int]
    description: str = ""
    lead_unit_id: int | None = None
    deadline: dt.date | None = None
    priority: str = "normal"


class TransitionBody(msgspec.Struct, forbid_unknown_fields=True):
    action: str
    note: str = ""
    reason: str = ""
    expected_version: int | None = None
    captured_at: dt.datetime | None = None
    # On approval of a citizen's task: the evidence photos (attachment ids) to publish; None: the submission's.
    public_photo_ids: Annotated[list[AttachmentId], msgspec.Meta(max_length=100)] | None = None


class AssigneesBody(msgspec.Struct, forbid_unknown_fields=True):
    person_ids: list[int]


class ProgressBody(msgspec.Struct, forbid_unknown_fields=True):
    note: str = ""
    percent: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None
    captured_at: dt.datetime | None = None


class CommentBody(msgspec.Struct, forbid_unknown_fields=True):
    note: str


class ExtensionBody(msgspec.Struct, forbid_unknown_fields=True):
    requested_deadline: dt.date
    reason: str


class ExtensionDecision(msgspec.Struct, forbid_unknown_fields=True):
    approve: bool
    note: str = ""
