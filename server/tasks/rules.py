"""The state machine's rules: which action goes from which states to which, who may take it, and the
limits every write checks. Pure: no database (tests/unit/tasks checks the table).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from server.lib import clock
from server.lib.errors import Invalid
from server.people.services import Actor
from server.tasks.access import in_scope
from server.tasks.tables import Priority, TaskState

OPEN_STATES = frozenset(
    {TaskState.draft, TaskState.assigned, TaskState.in_progress, TaskState.submitted, TaskState.returned}
)


CLOSED_STATES = frozenset({TaskState.done, TaskState.cancelled})


MAX_TITLE = 500


MAX_TEXT = 20_000


MAX_WORKING_DAYS = 365


# A phone's clock may be wrong; a captured-at time further back than this is not believed.
MAX_OFFLINE_AGE = dt.timedelta(days=30)


@dataclass(frozen=True)
class Rule:
    sources: frozenset[TaskState]
    target: TaskState
    who: str  # "manager", "worker" (assignee or manager) or "approver"
    reason_required: bool = False


RULES: dict[str, Rule] = {
    "assign": Rule(frozenset({TaskState.draft}), TaskState.assigned, "manager"),
    "start": Rule(frozenset({TaskState.assigned, TaskState.returned}), TaskState.in_progress, "worker"),
    "submit": Rule(
        frozenset({TaskState.assigned, TaskState.in_progress, TaskState.returned}), TaskState.submitted, "worker"
    ),
    "approve": Rule(frozenset({TaskState.submitted}), TaskState.done, "approver"),
    "return": Rule(frozenset({TaskState.submitted}), TaskState.returned, "approver", reason_required=True),
    "cancel": Rule(OPEN_STATES, TaskState.cancelled, "approver", reason_required=True),
}


@dataclass
class TaskContext:
    """What the rules need to know about one task, loaded once per write."""

    row: dict[str, Any]
    lead_unit_path: str
    parent_lead_unit_path: str | None
    assignee_ids: set[int]

    @property
    def state(self) -> TaskState:
        return TaskState(self.row["state"])


def _is_manager(actor: Actor, ctx: TaskContext) -> bool:
    return in_scope(actor, ctx.lead_unit_path)


def _is_approver(actor: Actor, ctx: TaskContext) -> bool:
    """A top-level task is approved by a leader; a split part by whoever manages the parent's unit."""
    if ctx.parent_lead_unit_path is None:
        return actor.is_leader and in_scope(actor, ctx.lead_unit_path)
    return in_scope(actor, ctx.parent_lead_unit_path)


def _allowed(actor: Actor, ctx: TaskContext, who: str) -> bool:
    if who == "manager":
        return _is_manager(actor, ctx)
    if who == "worker":
        return actor.id in ctx.assignee_ids or _is_manager(actor, ctx)
    return _is_approver(actor, ctx)


def allowed_actions(actor: Actor, ctx: TaskContext) -> list[str]:
    return [
        name
        for name, rule in RULES.items()
        if ctx.state in rule.sources and _allowed(actor, ctx, rule.who) and name != "start"
    ]


def _captured(captured_at: dt.datetime | None, received_at: dt.datetime) -> dt.datetime:
    """The phone's time, bounded by the server's: never in the future, never implausibly old."""
    if captured_at is None:
        return received_at
    captured_at = clock.as_utc(captured_at)
    return max(min(captured_at, received_at), received_at - MAX_OFFLINE_AGE)


def check_fields(title: str, description: str, deadline: dt.date | None, working_days: int | None,
                 priority: str) -> None:
    """What a task's own fields must hold, whether it is given (creation) or corrected (revision)."""
    if not title:
        raise Invalid("title_required", "Cần nhập tên nhiệm vụ")
    if len(title) > MAX_TITLE or len(description or "") > MAX_TEXT:
        raise Invalid("text_too_long", "Nội dung quá dài")
    if priority not in {p.value for p in Priority}:
        raise Invalid("priority_invalid", "Mức độ ưu tiên không hợp lệ")
    if deadline is not None and working_days is not None:
        raise Invalid("deadline_ambiguous", "Chỉ chọn một cách đặt hạn: ngày cụ thể hoặc số ngày làm việc")
    if working_days is not None and not 1 <= working_days <= MAX_WORKING_DAYS:
        raise Invalid("deadline_days_invalid", "Số ngày làm việc phải từ 1 đến 365")
