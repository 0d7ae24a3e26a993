"""The phone's task sync (`GET /api/v1/sync/tasks?since=<cursor>`) carries the officer's list version in its cursor:
while it has not moved, the answer is "nothing changed" from one small read, and every write the list shows (the
same triggers as the kept list pages, test_list_cache.py) brings the changed task back on the next sync.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from server.lib import clock
from server.tasks import listing
from server.tasks import services as tasks
from server.tasks.tables import Task
from tests.api.tasks.test_list_cache import statements  # noqa: F401 - the fixture
from tests.statements import recorded


async def _sync(client: Any, since: str | None = None) -> dict[str, Any]:
    response = await client.get("/api/v1/sync/tasks", params={"since": since} if since else {})
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_unchanged_sync_reads_only_the_version(  # type: ignore[no-untyped-def]
    j, client_for, statements, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    today = clock.today_vn()
    made = [await tasks.create_task(j.leader, title=f"Kiểm tra kênh số {n}", lead_unit_id=j.dept_sub.id,
                                    assignee_ids=[j.officer.id], deadline=today + dt.timedelta(days=n + 1))
            for n in range(2)]
    client = await client_for(j.officer)
    first = await _sync(client)
    assert sorted(first["ids"]) == sorted(t["id"] for t in made) and len(first["items"]) == 2
    assert first["cursor"].endswith(f"~{j.officer.id}.{first['cursor'].rsplit('.', 1)[-1]}")
    statements.clear()
    with recorded(monkeypatch) as through_piccolo:
        again = await _sync(client, first["cursor"])
    assert again["items"] == [] and sorted(again["ids"]) == sorted(first["ids"])
    # The version, and no read of the tasks (the ids are kept under it).
    assert len(statements) == 1 and "task_list_versions" in statements[0], statements
    assert not [sql for sql in through_piccolo if "tasks" in sql.replace("task_list_versions", "")], through_piccolo

    # A change written past the services: the next sync brings that task (and, as before, whatever changed within
    # the cursor's overlap of a few seconds: here the other new task).
    await Task.update({Task.title: "Kiểm tra kênh số 0 (bổ sung)"}).where(Task.id == made[0]["id"])
    changed = await _sync(client, again["cursor"])
    titles = {item["id"]: item["title"] for item in changed["items"]}
    assert titles[made[0]["id"]] == "Kiểm tra kênh số 0 (bổ sung)"
    # Taken off a task: its id leaves `ids`, so the phone drops it.
    await tasks.set_assignees(j.head, made[1]["id"], [])
    dropped = await _sync(client, changed["cursor"])
    assert dropped["ids"] == [made[0]["id"]]
    assert (await _sync(client, dropped["cursor"]))["items"] == []


async def test_cursors_of_another_person_or_from_before_still_ask_the_tasks(j, client_for) -> None:  # type: ignore[no-untyped-def]
    today = clock.today_vn()
    mine = await tasks.create_task(j.leader, title="Việc của cán bộ", lead_unit_id=j.dept_sub.id,
                                   assignee_ids=[j.officer.id], deadline=today + dt.timedelta(days=2))
    officer, other = await client_for(j.officer), await client_for(j.officer2)
    cursor = (await _sync(officer))["cursor"]
    moment = cursor.partition("~")[0]
    theirs = await tasks.create_task(j.leader, title="Việc của người khác", lead_unit_id=j.dept.id,
                                     assignee_ids=[j.officer2.id], deadline=today + dt.timedelta(days=2))
    # The same phone, another officer, even with the very version number the other officer's list is at now: the
    # cursor names the first officer, so the time is asked and their task comes (made after the cursor).
    handed_cursor = f"{moment}~{j.officer.id}.{await listing.list_version(j.officer2.id)}"
    handed = await _sync(other, handed_cursor)
    assert [item["id"] for item in handed["items"]] == [theirs["id"]]
    assert handed["ids"] == [theirs["id"]]
    # A cursor written before versions (time only) is read as a time, as before.
    await Task.update({Task.priority: "urgent", Task.updated_at: clock.now()}).where(Task.id == mine["id"])
    assert [item["id"] for item in (await _sync(officer, moment))["items"]] == [mine["id"]]
    bad = await officer.get("/api/v1/sync/tasks", params={"since": "hôm qua~1.2"})
    assert bad.status_code == 400 and "cursor_invalid" in bad.text
