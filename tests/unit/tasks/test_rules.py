"""The task state machine's rules, without HTTP or a database: which action goes from which state to which, and
who may take it, for every role of a commune and every state, on a task and on a part of one (PRODUCT.md,
"Task states" and "Who may see and do what"). The expectations are written out here, not derived from RULES."""

from __future__ import annotations

import pytest

from server.people.services import Actor
from server.tasks.rules import RULES, TaskContext, _allowed, allowed_actions
from server.tasks.tables import TaskState

D, A, P, S, R, DONE, C = "draft", "assigned", "in_progress", "submitted", "returned", "done", "cancelled"
STATES = (D, A, P, S, R, DONE, C)
OPEN = {D, A, P, S, R}

# action: (the states it may start from, the state it leads to, a reason required)
EXPECTED_MOVES = {
    "assign": ({D}, A, False),
    "start": ({A, R}, P, False),
    "submit": ({A, P, R}, S, False),
    "approve": ({S}, DONE, False),
    "return": ({S}, R, True),
    "cancel": (OPEN, C, True),
}

# A commune as tests/factories.make_jurisdiction builds it: the committee (/1/), a department (/1/2/) with a
# team (/1/2/3/), another department (/1/4/), the one-stop desk (/1/5/).
ROOT, DEPT, TEAM, OTHER, ONE_STOP = "/1/", "/1/2/", "/1/2/3/", "/1/4/", "/1/5/"
PEOPLE = {
    "leader": Actor(id=1, username="leader", full_name="Lãnh Đạo", role="leader", unit_id=1, unit_path=ROOT),
    "head": Actor(id=2, username="head", full_name="Trưởng", role="unit_head", unit_id=2, unit_path=DEPT),
    "team_head": Actor(id=3, username="team_head", full_name="Tổ Trưởng", role="unit_head", unit_id=3,
                       unit_path=TEAM),
    "officer": Actor(id=4, username="officer", full_name="Cán", role="officer", unit_id=3, unit_path=TEAM),
    "officer2": Actor(id=5, username="officer2", full_name="Bộ", role="officer", unit_id=2, unit_path=DEPT),
    "other_head": Actor(id=6, username="other_head", full_name="Khác", role="unit_head", unit_id=4,
                        unit_path=OTHER),
    "receptionist": Actor(id=7, username="receptionist", full_name="Tiếp Nhận", role="receptionist", unit_id=5,
                          unit_path=ONE_STOP),
    "admin": Actor(id=8, username="admin", full_name="Quản Trị", role="admin", unit_id=1, unit_path=ROOT),
}
OFFICER_ID = PEOPLE["officer"].id

# Who plays which part, per kind of task. manager: assigns (and splits, sets assignees); worker: starts and
# submits; approver: approves, returns, cancels.
# - a task of the department, assigned to the officer: a leader approves it, its unit head manages it;
# - a part of it led by the team, assigned to the officer: whoever manages the parent's unit approves it.
EXPECTED_WHO = {
    "task": {
        "leader": {"manager", "worker", "approver"},
        "head": {"manager", "worker"},
        "team_head": set(),
        "officer": {"worker"},
        "officer2": set(),
        "other_head": set(),
        "receptionist": set(),
        "admin": set(),
    },
    "part": {
        "leader": {"manager", "worker", "approver"},
        "head": {"manager", "worker", "approver"},
        "team_head": {"manager", "worker"},
        "officer": {"worker"},
        "officer2": set(),
        "other_head": set(),
        "receptionist": set(),
        "admin": set(),
    },
}
WHO_OF_ACTION = {"assign": "manager", "start": "worker", "submit": "worker", "approve": "approver",
                 "return": "approver", "cancel": "approver"}


def context(kind: str, state: str) -> TaskContext:
    lead, parent = (DEPT, None) if kind == "task" else (TEAM, DEPT)
    return TaskContext(row={"id": 1, "state": state, "version": 1}, lead_unit_path=lead,
                       parent_lead_unit_path=parent, assignee_ids={OFFICER_ID})


def test_the_moves_are_the_products_diagram() -> None:
    assert set(RULES) == set(EXPECTED_MOVES)
    for action, (sources, target, reason) in EXPECTED_MOVES.items():
        rule = RULES[action]
        assert {s.value for s in rule.sources} == sources, action
        assert rule.target.value == target, action
        assert rule.reason_required is reason, action
        assert rule.who == WHO_OF_ACTION[action], action


def test_a_closed_task_moves_no_more() -> None:
    for rule in RULES.values():
        assert TaskState.done not in rule.sources and TaskState.cancelled not in rule.sources


@pytest.mark.parametrize("kind", ["task", "part"])
@pytest.mark.parametrize("person", sorted(PEOPLE))
@pytest.mark.parametrize("state", STATES)
def test_who_may_take_which_action_from_which_state(kind: str, person: str, state: str) -> None:
    actor, ctx = PEOPLE[person], context(kind, state)
    parts = EXPECTED_WHO[kind][person]
    for action, (sources, _target, _reason) in EXPECTED_MOVES.items():
        may = state in sources and WHO_OF_ACTION[action] in parts
        assert (state in sources and _allowed(actor, ctx, RULES[action].who)) is may, (kind, person, state, action)
    # The buttons a person is offered: the same, except "start", which follows from the first progress report.
    offered = {a for a, (sources, _t, _r) in EXPECTED_MOVES.items()
               if a != "start" and state in sources and WHO_OF_ACTION[a] in parts}
    assert set(allowed_actions(actor, ctx)) == offered, (kind, person, state)


def test_an_officer_no_longer_assigned_may_not_work_on_the_task() -> None:
    ctx = context("task", P)
    ctx.assignee_ids.clear()
    assert not _allowed(PEOPLE["officer"], ctx, "worker")
    assert allowed_actions(PEOPLE["officer"], ctx) == []
