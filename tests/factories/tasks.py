"""Tasks: one assigned by the commune's leader, with a deadline ten days ahead unless told."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.people.services import Actor
from server.units.services import UnitInfo
from tests.factories.people import Jurisdiction


async def make_task(
    j: Jurisdiction,
    *,
    title: str = "Kiểm tra tình trạng nước sinh hoạt",
    assignees: list[Actor] | None = None,
    deadline: dt.date | None = None,
    lead_unit: UnitInfo | None = None,
) -> dict[str, Any]:
    from server.lib import clock
    from server.tasks.services import create_task

    return await create_task(
        j.leader,
        title=title,
        lead_unit_id=(lead_unit or j.dept).id,
        assignee_ids=[a.id for a in (assignees if assignees is not None else [j.head])],
        deadline=deadline or clock.today_vn() + dt.timedelta(days=10),
    )


async def report_progress(client: Any, task_id: int, note: str, *, photo: bytes | None = None,
                          **fields: Any) -> dict[str, Any]:
    """A progress report sent over the API as the app sends it, then its photo (named after the note) if given:
    {"report_id": …, "attachment": the attachment's answer when there is a photo}."""
    r = await client.post(f"/api/v1/tasks/{task_id}/progress", json={"note": note, **fields})
    assert r.status_code == 201, r.text
    out: dict[str, Any] = {"report_id": r.json()["report_id"]}
    if photo is not None:
        r = await client.post(f"/api/v1/progress/{out['report_id']}/attachments",
                              files={"data": (f"{note}.jpg", photo, "image/jpeg")})
        assert r.status_code == 201, r.text
        out["attachment"] = r.json()
    return out
