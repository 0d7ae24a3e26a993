"""The unit head's morning digest lists the unit's tasks at risk of being late, with their reasons; the head of a
unit with nothing at risk reads no such section."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from server.forecast import services
from server.lib import clock
from server.notifications.schedule import run_schedule
from server.notifications.tables import Notification
from tests.factories import make_jurisdiction
from tests.unit.forecast.history import Planned, insert, past

TODAY = dt.date(2026, 10, 14)  # a Wednesday
MORNING = dt.datetime(2026, 10, 14, 1, 0, tzinfo=dt.UTC)  # 08:00 in Vietnam


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    clock.freeze(MORNING)
    yield
    clock.freeze(None)


async def digest_of(person_id: int) -> dict[str, Any] | None:
    return await Notification.select(Notification.title, Notification.body, Notification.link).where(
        (Notification.person == person_id) & (Notification.kind == "digest")).first()


async def test_the_head_reads_the_units_at_risk_tasks_and_the_other_head_none(client_for: Any) -> None:
    j = await make_jurisdiction()
    await insert(past(j, TODAY, 40, late_units=(j.dept.id,)))
    same = {"assigned": TODAY - dt.timedelta(days=10), "deadline": TODAY + dt.timedelta(days=4), "completed": None,
            "reports": ((TODAY - dt.timedelta(days=2), 40),), "state": "in_progress"}
    risky, _safe = await insert([Planned(j.dept.id, j.officer2.id, **same),
                                 Planned(j.other_dept.id, j.other_officer.id, **same)])
    assert (await services.refresh(j.root.id)).status == services.READY
    risky_title = (await services.TaskRisk.raw("SELECT title FROM tasks WHERE id = {}", risky))[0]["title"]

    await run_schedule(MORNING, within=(j.root.path,))
    head = await digest_of(j.head.id)
    assert head is not None and "Có nguy cơ trễ hạn (1 nhiệm vụ):" in head["body"]
    assert risky_title in head["body"] and "đơn vị này hoàn thành trễ" in head["body"]
    assert head["link"] == "/dashboard"
    other = await digest_of(j.other_head.id)
    assert other is None or "nguy cơ trễ hạn" not in other["body"]
    # Once a day: the next tick adds nothing.
    assert await run_schedule(MORNING + dt.timedelta(minutes=5), within=(j.root.path,)) == 0
    # The head sees it in the inbox, in their language.
    inbox = (await (await client_for(j.head, headers={})).get("/inbox")).text
    assert "Có nguy cơ trễ hạn" in inbox and risky_title in inbox


async def test_before_the_digest_hour_nothing_is_sent() -> None:
    j = await make_jurisdiction()
    await insert(past(j, TODAY, 40, late_units=(j.dept.id,)))
    await services.refresh(j.root.id)
    await run_schedule(dt.datetime(2026, 10, 13, 23, 0, tzinfo=dt.UTC), within=(j.root.path,))  # 06:00 there
    assert await digest_of(j.head.id) is None
