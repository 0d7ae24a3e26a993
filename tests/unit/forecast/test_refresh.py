"""The nightly refresh on a factory-made commune: too little history says so; a unit always late is learnt."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from server.forecast import services
from server.forecast.tables import ForecastModel, TaskRisk
from server.lib import clock
from server.lib.jobs import Job
from tests.factories import make_jurisdiction
from tests.unit.forecast.history import Planned, insert, past

TODAY = dt.date(2026, 10, 14)  # a Wednesday


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    clock.freeze(dt.datetime(2026, 10, 14, 3, tzinfo=dt.UTC))
    yield
    clock.freeze(None)


async def test_too_little_history_says_so_and_guesses_nothing() -> None:
    j = await make_jurisdiction()
    await insert(past(j, TODAY, 10, late_units=(j.dept.id,)))
    [open_id] = await insert([Planned(j.dept.id, j.officer2.id, TODAY - dt.timedelta(days=5),
                                      TODAY + dt.timedelta(days=3), None, state="in_progress")])
    result = await services.refresh(j.root.id)
    assert result.status == services.NOT_ENOUGH and result.closed == 20 and result.scored == 0
    assert await TaskRisk.count().where(TaskRisk.task == open_id) == 0
    panel = await services.panel(j.leader, j.root.path)
    assert panel["status"] == "not_enough_history" and panel["message"] == "Chưa đủ lịch sử" and panel["tasks"] == []
    row = await ForecastModel.select().where(ForecastModel.jurisdiction == j.root.id).first()
    assert row["params"] == ""


async def test_a_unit_always_late_gets_the_higher_risk() -> None:
    j = await make_jurisdiction()
    await insert(past(j, TODAY, 40, late_units=(j.dept.id,)))
    # The same task, at the same point, in each unit: 40% done, deadline in 4 days.
    same = {"assigned": TODAY - dt.timedelta(days=10), "deadline": TODAY + dt.timedelta(days=4), "completed": None,
            "reports": ((TODAY - dt.timedelta(days=2), 40),), "state": "in_progress"}
    late_unit, on_time_unit, awaiting = await insert([
        Planned(j.dept.id, j.officer2.id, **same), Planned(j.other_dept.id, j.other_officer.id, **same),
        Planned(j.dept.id, j.officer2.id, **{**same, "state": "submitted"}),  # its result is in: nothing to forecast
    ])
    result = await services.refresh(j.root.id)
    assert result.status == services.READY and result.closed == 80 and result.late == 40 and result.scored == 2
    risks = {r["task"]: r["probability"] for r in await TaskRisk.select().where(TaskRisk.jurisdiction == j.root.id)}
    assert risks[late_unit] > 0.5 > risks[on_time_unit] and awaiting not in risks
    assert risks[late_unit] - risks[on_time_unit] > 0.3

    # The leader's list names it with the unit's record as a reason; the figure counts it under its unit.
    panel = await services.panel(j.leader, j.root.path)
    assert [t["id"] for t in panel["tasks"]] == [late_unit]
    assert any("đơn vị này hoàn thành trễ" in reason for reason in panel["tasks"][0]["reasons"])
    assert panel["by_unit"] == [{"unit_id": j.dept.id, "unit_name": j.dept.name, "count": 1, "share": 1.0}]
    # The other unit's head sees none of it; the dept's head sees it; the officer has no badge.
    assert (await services.panel(j.other_head, j.other_dept.path))["tasks"] == []
    assert await services.task_risk(j.other_head, late_unit) is None
    assert (await services.task_risk(j.head, late_unit))["level"] in ("risk", "high")
    assert await services.task_risk(j.officer2, late_unit) is None


async def test_the_worker_fits_each_jurisdiction_once_a_night() -> None:
    from server.forecast import jobs
    from server.worker import DOMAIN_JOB_MODULES

    assert "server.forecast.jobs" in DOMAIN_JOB_MODULES
    j = await make_jurisdiction()
    await insert(past(j, TODAY, 3, late_units=(j.dept.id,)))
    # An old task (deadline more than two years ago) is not read at all.
    await insert([Planned(j.dept.id, j.officer2.id, TODAY - dt.timedelta(days=800), TODAY - dt.timedelta(days=780),
                          TODAY - dt.timedelta(days=770))])
    assert j.root.id in await services.due_jurisdictions(TODAY, 0, 2)  # never fitted: at once, whatever the hour
    await jobs.handle_refresh({})
    # The tick queues one short fit per jurisdiction that is due, once a night, and the fit does the work.
    queued = await Job.select(Job.id, Job.payload).where(Job.dedupe_key.like(f"forecast_fit:{j.root.id}:%"))
    assert len(queued) == 1
    await jobs.handle_refresh({})
    assert await Job.count().where(Job.dedupe_key.like(f"forecast_fit:{j.root.id}:%")) == 1
    await jobs.handle_fit(json.loads(queued[0]["payload"]))
    row = await ForecastModel.select().where(ForecastModel.jurisdiction == j.root.id).first()
    assert row["status"] == services.NOT_ENOUGH and row["closed_tasks"] == 6
    assert j.root.id not in await services.due_jurisdictions(TODAY, 23, 2)  # fitted today
    tomorrow = TODAY + dt.timedelta(days=1)
    assert j.root.id not in await services.due_jurisdictions(tomorrow, 1, 2)  # the night's hour has not come
    assert j.root.id in await services.due_jurisdictions(tomorrow, 2, 2)
    registered: dict[str, object] = {}
    jobs.register_jobs(lambda kind, handler, every_tick=False: registered.update({kind: every_tick}))
    assert registered == {"forecast_refresh": True, "forecast_fit": False}


async def test_the_history_is_read_with_its_parts_and_without_refused_reports() -> None:
    from server.tasks.tables import ProgressReport, Task
    from tests.factories import unique

    j = await make_jurisdiction()
    [top] = await insert([Planned(j.dept.id, j.officer2.id, TODAY - dt.timedelta(days=10),
                                  TODAY + dt.timedelta(days=5), None, ((TODAY - dt.timedelta(days=6), 10),),
                                  state="in_progress")])
    now = dt.datetime(2026, 10, 14, 3, tzinfo=dt.UTC)
    [part] = await Task.insert(Task(title=unique("part"), lead_unit=j.dept_sub.id, parent=top, state="in_progress",
                                    created_at=now, updated_at=now)).returning(Task.id)
    await ProgressReport.insert(
        ProgressReport(task=top, author=j.officer2.id, percent=90, refused_reason="task_closed",
                       received_at=now, client_id=unique("r")),
        ProgressReport(task=part["id"], author=j.officer.id, percent=50, received_at=now - dt.timedelta(days=1),
                       client_id=unique("r")),
    )
    histories, _paths = await services.load_histories(j.root.path, TODAY)
    [h] = [h for h in histories if h.id == top]
    assert h.reports == [(TODAY - dt.timedelta(days=6), 10)]
    assert h.part_reports == [(TODAY - dt.timedelta(days=1), part["id"], 50)]
