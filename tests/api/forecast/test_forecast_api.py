"""The forecast where people act: the leader's dashboard list and figure, the task's badge, the JSON twin; each
manager sees their own subtree only, an officer sees no risk."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest

from server.forecast import services
from server.lib import clock
from tests.factories import make_jurisdiction
from tests.unit.forecast.history import insert, one_risky_one_safe, past

TODAY = dt.date(2026, 10, 14)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    clock.freeze(dt.datetime(2026, 10, 14, 3, tzinfo=dt.UTC))
    yield
    clock.freeze(None)


def risk_section(html: str) -> str:
    found = re.search(r'<section class="dash-section" aria-labelledby="risk-h".*?</section>', html, re.S)
    assert found, "no at-risk section"
    return found.group(0)


async def test_leader_and_heads_see_their_at_risk_tasks_and_officers_none(client_for) -> None:  # type: ignore[no-untyped-def]
    j = await make_jurisdiction()
    risky, safe = await one_risky_one_safe(j, TODAY)

    leader = await client_for(j.leader)
    section = risk_section((await leader.get("/dashboard")).text)
    assert f'data-task="{risky}"' in section and f'data-task="{safe}"' not in section
    assert "Có nguy cơ trễ hạn" in section and "đơn vị này hoàn thành trễ" in section
    assert f'data-unit="{j.dept.id}"' in section and f'data-unit="{j.other_dept.id}"' not in section
    english = risk_section((await leader.get("/dashboard?lang=en")).text)
    assert "At risk of being late" in english and "similar tasks late" in english
    data = (await leader.get("/api/v1/forecast/at-risk")).json()
    assert data["status"] == "ready" and [t["id"] for t in data["tasks"]] == [risky]
    assert data["tasks"][0]["probability"] > 0.5 and data["tasks"][0]["reasons"]
    page = (await leader.get(f"/tasks/{risky}")).text
    assert 'data-risk="' in page and "Vì:" in page
    assert (await leader.get(f"/api/v1/forecast/tasks/{risky}")).json()["risk"]["level"] in ("risk", "high")
    assert (await leader.get(f"/api/v1/forecast/tasks/{safe}")).json()["risk"]["level"] == "low"

    head = await client_for(j.head)  # heads the late unit
    assert [t["id"] for t in (await head.get("/api/v1/forecast/at-risk")).json()["tasks"]] == [risky]
    assert f'data-task="{risky}"' in risk_section((await head.get("/dashboard")).text)
    assert 'data-risk="' in (await head.get(f"/tasks/{risky}")).text

    other_head = await client_for(j.other_head)
    assert (await other_head.get("/api/v1/forecast/at-risk")).json()["tasks"] == []
    assert f'data-task="{risky}"' not in (await other_head.get("/dashboard")).text
    assert (await other_head.get(f"/api/v1/forecast/at-risk?unit_id={j.dept.id}")).status_code == 404
    assert (await other_head.get(f"/api/v1/forecast/tasks/{risky}")).status_code == 404
    assert (await other_head.get(f"/api/v1/forecast/tasks/{safe}")).json()["risk"]["level"] == "low"

    assignee = await client_for(j.officer2)  # may see the task, but risk is the managers' instrument
    assert (await assignee.get("/api/v1/forecast/at-risk")).status_code == 403
    assert (await assignee.get(f"/api/v1/forecast/tasks/{risky}")).status_code == 403
    page = await assignee.get(f"/tasks/{risky}")
    assert page.status_code == 200 and 'data-risk="' not in page.text
    stranger = await client_for(j.officer)
    assert (await stranger.get(f"/tasks/{risky}")).status_code == 404


async def test_the_dashboard_says_when_the_history_is_too_short(client_for) -> None:  # type: ignore[no-untyped-def]
    j = await make_jurisdiction()
    await insert(past(j, TODAY, 5, late_units=(j.dept.id,)))
    leader = await client_for(j.leader)
    assert 'data-forecast="not_fitted"' in (await leader.get("/dashboard")).text
    await services.refresh(j.root.id)
    section = risk_section((await leader.get("/dashboard")).text)
    assert 'data-forecast="not_enough_history"' in section and "Chưa đủ lịch sử" in section
    assert "(hiện có 10)" in section
    assert (await leader.get("/api/v1/forecast/at-risk")).json()["status"] == "not_enough_history"
    assert "Not enough history" in (await leader.get("/dashboard?lang=en")).text
