"""Issue 11: on SQLite a request runs its queries on one connection (server.lib.db.RequestSQLiteEngine), not one
per query; writes keep their own BEGIN IMMEDIATE transaction."""

from __future__ import annotations

from typing import Any
from unittest import mock

import aiosqlite
import pytest

from server.lib.db import is_sqlite
from tests.factories import make_task

pytestmark = pytest.mark.skipif("not __import__('server.lib.db', fromlist=['x']).is_sqlite()")


async def test_a_request_opens_one_connection(j: Any, client_for: Any) -> None:
    assert is_sqlite()
    for n in range(3):
        await make_task(j, title=f"Việc số {n}", assignees=[j.officer])
    client = await client_for(j.officer)
    assert (await client.get("/api/v1/tasks?view=mine")).status_code == 200  # warm: the actor is cached now
    real = aiosqlite.connect
    with mock.patch.object(aiosqlite, "connect", side_effect=real) as connect:
        response = await client.get("/api/v1/tasks?view=mine&limit=50")
        assert response.status_code == 200 and len(response.json()["items"]) == 3
        listed = connect.call_count
        page = await client.get("/tasks", headers={"Accept": "text/html"})
        assert page.status_code == 200
    # At most one each; none when the previous request's connection was kept (server.lib.db: KEPT_SQLITE_CONNECTIONS).
    assert listed <= 1, listed
    assert connect.call_count <= 2, connect.call_count


async def test_a_write_in_a_request_still_commits(j: Any, client_for: Any) -> None:
    task = await make_task(j, title="Việc cần báo cáo", assignees=[j.officer])
    client = await client_for(j.officer)
    real = aiosqlite.connect
    with mock.patch.object(aiosqlite, "connect", side_effect=real) as connect:
        said = await client.post(f"/api/v1/tasks/{task['id']}/comments", json={"note": "Đã nhận việc"})
        assert said.status_code == 201, said.text
    # Reads share the request's connection; the write's IMMEDIATE transaction has its own.
    assert connect.call_count <= 3, connect.call_count
    again = await client.get(f"/api/v1/tasks/{task['id']}")
    assert "Đã nhận việc" in again.text
