"""The task list's JSON, written by the database (server/tasks/listing.py), is the answer the rows' path gives.

`GET /api/v1/tasks` sends the bytes PostgreSQL's json_build_object / SQLite's json_object wrote. Here every view
and filter is compared with `queries.list_tasks` (the same page read as rows, made into dicts by `_summary` and
written by msgspec as Litestar writes any answer): nulls (no deadline, no parent, no directive), dates, a
timestamp with and without microseconds, Vietnamese text with quotes, a backslash, a newline and a control
character, parts, several assignees and coordinating units, and every page of a paged list.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec

from server.lib import clock
from server.tasks import queries
from server.tasks import services as tasks
from server.tasks.tables import Task
from tests.factories import make_unit

TRICKY = 'Sửa "cống" thoát nước \\ đường Lê Lợi\nđoạn 2\x01 — ưu tiên'


def _as_sent(value: Any) -> Any:
    """What Litestar sends for a dict answer: msgspec's JSON, read back."""
    return json.loads(msgspec.json.encode(value))


async def _province(j: Any) -> list[dict[str, Any]]:
    today = clock.today_vn()
    sub2 = await make_unit("Tổ Đô thị", "subunit", j.other_dept)
    made = []
    deadlines = [None, today - dt.timedelta(days=9), today, today + dt.timedelta(days=2),
                 today + dt.timedelta(days=30), today - dt.timedelta(days=1), None, today + dt.timedelta(days=3)]
    for n, deadline in enumerate(deadlines):
        task = await tasks.create_task(
            j.leader, title=f"{TRICKY} số {n}" if n % 2 else f"Kiểm tra đê điều xã Hoài Hương {n}",
            lead_unit_id=(j.dept if n % 3 else j.dept_sub if n % 2 else j.other_dept).id,
            assignee_ids=[j.other_officer.id] if n % 6 == 0 else [j.officer.id, j.officer2.id] if n % 3
            else [j.officer.id],
            coordinating_unit_ids=[j.other_dept.id, sub2.id] if n % 4 == 1 else [],
            deadline=None if deadline is None else max(deadline, today), priority="urgent" if n == 3 else "normal",
        )
        if deadline is not None and deadline < today:  # time passed since it was given
            await Task.update({Task.deadline: deadline}).where(Task.id == task["id"])
        made.append(task)
    await tasks.transition(j.officer, made[1]["id"], "start")
    await tasks.transition(j.officer, made[2]["id"], "start")
    await tasks.transition(j.officer, made[2]["id"], "submit", note="Đã xong")
    await tasks.transition(j.leader, made[2]["id"], "approve")
    await tasks.transition(j.leader, made[4]["id"], "cancel", reason="Trùng việc")
    part = await tasks.create_task(j.head, title="Phần việc: đo đạc lại", lead_unit_id=j.dept_sub.id,
                                   parent_id=made[3]["id"], assignee_ids=[j.officer.id],
                                   deadline=today + dt.timedelta(days=1))
    made.append(part)
    # A timestamp without microseconds is written without a fraction, as msgspec writes it.
    whole = dt.datetime.combine(today, dt.time(3, 4, 5), tzinfo=dt.UTC)
    await Task.update({Task.updated_at: whole}).where(Task.id == made[0]["id"])
    return made


async def _same(client: Any, actor: Any, **params: Any) -> dict[str, Any]:
    query = {k: v for k, v in params.items() if k != "states"}
    if "states" in params:
        query["state"] = params["states"]
    response = await client.get("/api/v1/tasks", params=query)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    expected = _as_sent(await queries.list_tasks(actor, **params))
    assert response.json() == expected, (params, response.text)
    # The bytes are sent as the database wrote them: valid JSON on their own, with the text not escaped away.
    text = response.content.decode("utf-8")
    assert "\\u1e" not in text and "\\u01" not in text, text
    return expected


async def test_the_database_json_equals_the_rows_path_in_every_view(j, client_for) -> None:  # type: ignore[no-untyped-def]
    made = await _province(j)
    people = {"officer": j.officer, "officer2": j.officer2, "head": j.head, "leader": j.leader,
              "other_head": j.other_head, "other_officer": j.other_officer}
    for name, actor in people.items():
        client = await client_for(actor)
        for view in ("mine", "scope"):
            whole = await _same(client, actor, view=view, limit=200)
            seen = [item["id"] for item in whole["items"]]
            assert len(seen) == len(set(seen)), (name, view)
            # Every page of two, until has_more says there is none: the same tasks in the same order.
            paged: list[int] = []
            offset = 0
            while True:
                page = await _same(client, actor, view=view, limit=2, offset=offset)
                paged += [item["id"] for item in page["items"]]
                if not page["has_more"]:
                    break
                offset += 2
            assert paged == seen, (name, view)
    leader = await client_for(j.leader)
    for filters in ({"states": ["done"]}, {"states": ["in_progress", "assigned"]}, {"overdue": True},
                    {"q": "cong thoat"}, {"unit_id": j.dept.id}, {"offset": 500}):
        await _same(leader, j.leader, view="scope", **filters)
    # A task's parts (its page reads them through list_tasks; the API's list has no such filter).
    for actor in (j.leader, j.head, j.officer):
        parts = await queries.list_tasks(actor, view="scope", parent_id=made[3]["id"], limit=200)
        sent = json.loads(await queries.list_tasks_json(actor, view="scope", parent_id=made[3]["id"], limit=200))
        assert sent == _as_sent(parts) and [i["id"] for i in parts["items"]] == [made[8]["id"]]


async def test_the_fields_as_the_app_reads_them(j, client_for) -> None:  # type: ignore[no-untyped-def]
    made = await _province(j)
    today = clock.today_vn()
    body = (await (await client_for(j.leader)).get("/api/v1/tasks", params={"view": "scope", "limit": 200})).json()
    by_id = {item["id"]: item for item in body["items"]}
    no_deadline = by_id[made[0]["id"]]
    assert no_deadline["deadline"] is None and no_deadline["parent_id"] is None and no_deadline["directive_id"] is None
    assert no_deadline["urgency"] == "later" and no_deadline["days_overdue"] == 0
    assert no_deadline["updated_at"] == f"{today.isoformat()}T03:04:05Z"
    late = by_id[made[1]["id"]]
    assert late["title"] == f"{TRICKY} số 1" and late["deadline"] == (today - dt.timedelta(days=9)).isoformat()
    assert late["urgency"] == "overdue" and late["days_overdue"] == 9 and late["state"] == "in_progress"
    assert by_id[made[2]["id"]]["urgency"] == "closed" and by_id[made[2]["id"]]["days_overdue"] == 0
    assert by_id[made[3]["id"]]["urgency"] == "due_soon" and by_id[made[3]["id"]]["priority"] == "urgent"
    assert by_id[made[8]["id"]]["parent_id"] == made[3]["id"]
    assert by_id[made[8]["id"]]["lead_unit_name"] == "Tổ Quản lý đất đai"
    # The order: open by deadline, then open without one (newest first), then closed.
    order = [item["id"] for item in body["items"]]
    assert order.index(made[1]["id"]) < order.index(made[5]["id"]) < order.index(made[7]["id"])
    assert order.index(made[6]["id"]) < order.index(made[0]["id"]) < order.index(made[2]["id"])
    assert body["has_more"] is False and body["offset"] == 0 and body["limit"] == 200


async def test_the_other_units_head_sees_what_their_unit_coordinates(j, client_for) -> None:  # type: ignore[no-untyped-def]
    made = await _province(j)
    client = await client_for(j.other_head)
    ids = {item["id"] for item in (await client.get("/api/v1/tasks", params={"view": "scope"})).json()["items"]}
    # Led by the other department (0, 6), coordinated by it (1, 5); not the department's own tasks.
    assert {made[0]["id"], made[6]["id"], made[1]["id"], made[5]["id"]} <= ids
    assert made[3]["id"] not in ids and made[8]["id"] not in ids
