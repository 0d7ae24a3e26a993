"""An officer's list is sent again from this process while their version has not moved (server/tasks/list_cache.py),
and every write that changes what it shows moves the version (the database's triggers: migration
tasks_2026_12_07t05_00_00), whoever makes the write.

Each step below is a write an officer's list must follow: done through the tasks' services where one exists, and
as a bare UPDATE where another writer (an import, the CLI, a script) could make it. After each, the officer's
list as the API sends it is the list read fresh from the tasks (`queries.list_tasks`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from server.lib import clock
from server.lib.db import write_transaction
from server.tasks import list_cache, listing, queries
from server.tasks import services as tasks
from server.tasks.tables import Task, TaskAssignee
from server.units.tables import Unit
from tests.api.tasks.test_list_sql import _as_sent


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The statements the lists run (they read through listing.fetch_value and fetch_rows, around Piccolo's query
    log)."""
    seen: list[str] = []
    for name in ("fetch_value", "fetch_rows"):
        original = getattr(listing, name)

        async def recording(sql: str, args: list[object], generic: bool = False, original: Any = original) -> Any:
            seen.append(sql)
            return await original(sql, args, generic)

        monkeypatch.setattr(listing, name, recording)
    yield seen


async def _sent(client: Any, actor: Any, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/tasks", params=params)
    assert response.status_code == 200, response.text
    fresh = _as_sent(await queries.list_tasks(actor, **params))
    assert response.json() == fresh, params
    return fresh


NO_FILTER: dict[str, Any] = {"states": None, "q": "", "overdue": False, "directive_id": None, "unit_id": None,
                             "parent_id": None}


async def _page(actor: Any, today: dt.date) -> bytes:
    return await listing.page_json(actor, today=today, **NO_FILTER)


async def _version(person_id: int) -> int:
    rows = await Task.raw(list_cache.version_sql().replace("$1", "{}"), person_id)
    return int(rows[0]["v"])


async def test_a_kept_page_costs_one_small_read(j, client_for, statements) -> None:  # type: ignore[no-untyped-def]
    today = clock.today_vn()
    await tasks.create_task(j.leader, title="Đo đạc thửa đất 12", lead_unit_id=j.dept_sub.id,
                            assignee_ids=[j.officer.id], deadline=today + dt.timedelta(days=2))
    client = await client_for(j.officer)
    statements.clear()
    first = (await client.get("/api/v1/tasks")).json()
    assert len(statements) == 2  # the version, then the page
    assert first == await _sent(client, j.officer)
    statements.clear()
    again = await client.get("/api/v1/tasks")
    assert again.json() == first
    assert statements == [list_cache.version_sql()]
    # Another page, another filter: kept apart.
    statements.clear()
    await client.get("/api/v1/tasks", params={"limit": 1})
    await client.get("/api/v1/tasks", params={"overdue": "true"})
    assert len(statements) == 4


async def test_every_write_the_list_shows_moves_it(j, client_for) -> None:  # type: ignore[no-untyped-def]
    today = clock.today_vn()
    made = [await tasks.create_task(j.leader, title=f"Kiểm tra cống số {n}", lead_unit_id=j.dept_sub.id,
                                    assignee_ids=[j.officer.id], deadline=today + dt.timedelta(days=n + 1))
            for n in range(3)]
    client = await client_for(j.officer)
    shown = await _sent(client, j.officer)
    assert [item["id"] for item in shown["items"]] == [task["id"] for task in made]

    async def follows(what: str) -> None:
        nonlocal shown
        before = shown
        shown = await _sent(client, j.officer)
        assert shown != before, what

    await tasks.transition(j.officer, made[0]["id"], "start")
    await follows("a change of state")
    await tasks.report_progress(j.officer, made[0]["id"], note="Đã xong một nửa", percent=50)
    await follows("progress")
    await Task.update({Task.title: "Kiểm tra cống số 1 (đã đổi tên)"}).where(Task.id == made[1]["id"])
    await follows("a title changed by a bare UPDATE")
    await Task.update({Task.deadline: today - dt.timedelta(days=4)}).where(Task.id == made[2]["id"])
    await follows("a deadline passed: overdue, first")
    assert shown["items"][0]["days_overdue"] == 4
    await Unit.update({Unit.name: "Tổ Đất đai và Môi trường"}).where(Unit.id == j.dept_sub.id)
    await follows("the lead unit renamed")
    assert shown["items"][0]["lead_unit_name"] == "Tổ Đất đai và Môi trường"
    # Filtered by a unit (its path) and by text (the folded search text): each follows its column.
    by_unit = await _sent(client, j.officer, unit_id=j.other_dept.id)
    assert by_unit["items"] == []
    await Unit.update({Unit.path: j.other_dept.path + str(j.dept_sub.id) + "/"}).where(Unit.id == j.dept_sub.id)
    assert len((await _sent(client, j.officer, unit_id=j.other_dept.id))["items"]) == 3
    await Unit.update({Unit.path: j.dept_sub.path}).where(Unit.id == j.dept_sub.id)
    assert (await _sent(client, j.officer, q="kenh"))["items"] == []
    await Task.update({Task.search_text: "kiem tra kenh"}).where(Task.id == made[1]["id"])
    assert [item["id"] for item in (await _sent(client, j.officer, q="kenh"))["items"]] == [made[1]["id"]]
    await tasks.set_assignees(j.head, made[1]["id"], [])
    await follows("taken off a task")
    assert made[1]["id"] not in [item["id"] for item in shown["items"]]
    await tasks.set_assignees(j.head, made[1]["id"], [j.officer.id])
    await follows("given it back")
    await TaskAssignee.delete().where(TaskAssignee.task == made[1]["id"])
    await follows("its link row deleted")
    await TaskAssignee.insert(TaskAssignee(task=made[1]["id"], person=j.officer.id, is_main=True))
    await follows("a link row inserted")
    await Task.delete().where(Task.id == made[0]["id"])
    await follows("a task deleted")
    await tasks.create_task(j.leader, title="Việc mới giao", lead_unit_id=j.dept_sub.id,
                            assignee_ids=[j.officer.id], deadline=today)
    await follows("a new task")


async def test_the_day_turning_recounts_urgency(j, client_for) -> None:  # type: ignore[no-untyped-def]
    today = clock.today_vn()
    await tasks.create_task(j.leader, title="Hạn ngày mai", lead_unit_id=j.dept_sub.id,
                            assignee_ids=[j.officer.id], deadline=today + dt.timedelta(days=1))
    page = await _page(j.officer, today)
    assert b'"due_soon"' in page
    tomorrow = await _page(j.officer, today + dt.timedelta(days=1))
    assert b'"due_today"' in tomorrow
    assert b'"overdue"' in await _page(j.officer, today + dt.timedelta(days=2))


async def test_a_page_read_in_a_transaction_is_not_kept(j) -> None:  # type: ignore[no-untyped-def]
    today = clock.today_vn()
    task = await tasks.create_task(j.leader, title="Đổi tên rồi bỏ", lead_unit_id=j.dept_sub.id,
                                   assignee_ids=[j.officer.id], deadline=today + dt.timedelta(days=5))
    kept_before = len(list_cache.pages)

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack):
        async with write_transaction():
            await Task.update({Task.title: "Tên chưa lưu"}).where(Task.id == task["id"])
            assert b"T\xc3\xaan ch\xc6\xb0a l\xc6\xb0u" in await _page(j.officer, today)
            raise RolledBack
    assert len(list_cache.pages) == kept_before
    assert "Tên chưa lưu".encode() not in await _page(j.officer, today)


async def test_versions_move_for_the_people_on_the_task_only(j) -> None:  # type: ignore[no-untyped-def]
    today = clock.today_vn()
    task = await tasks.create_task(j.leader, title="Hai người cùng làm", lead_unit_id=j.dept.id,
                                   assignee_ids=[j.officer.id, j.officer2.id], deadline=today + dt.timedelta(days=5))
    mine, theirs, other = [await _version(p.id) for p in (j.officer, j.officer2, j.other_officer)]
    # A column the list neither shows nor filters by (the description) moves nobody.
    await Task.update({Task.description: "Kiểm tra lại hồ sơ"}).where(Task.id == task["id"])
    assert [await _version(p.id) for p in (j.officer, j.officer2, j.other_officer)] == [mine, theirs, other]
    await Task.update({Task.priority: "urgent"}).where(Task.id == task["id"])
    assert await _version(j.officer.id) > mine
    assert await _version(j.officer2.id) > theirs
    assert await _version(j.other_officer.id) == other


def test_the_kept_pages_stay_within_their_bytes() -> None:
    cache = list_cache.PageCache(limit=100)
    cache.put("a", b"x" * 40)
    cache.put("b", b"y" * 40)
    assert cache.get("a") == b"x" * 40  # a is now the most recently used
    cache.put("c", b"z" * 40)
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    assert cache.size == 80
    cache.put("huge", b"h" * 101)
    assert cache.get("huge") is None and len(cache) == 2
    cache.put("a", b"x" * 10)
    assert cache.size == 50
