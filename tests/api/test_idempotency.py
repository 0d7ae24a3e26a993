"""The same change sent twice with one Idempotency-Key happens once (ARCHITECTURE.md, "The offline contract").

The PWA's outbox may replay a queued change from Background Sync and from its `online` handler at the same
time, so the server must hold under concurrency too, on SQLite (IMMEDIATE transactions) and on PostgreSQL
(the UNIQUE key). The suite runs on both.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from server.lib import clock
from server.sync.tables import IdempotencyKey
from server.tasks.tables import ProgressReport, Task, TaskEvent
from tests.api.access.clients import Clients
from tests.api.access.world import forget_jobs_after, last_job_id
from tests.factories import Jurisdiction, make_jurisdiction, make_task, unique

CONCURRENCY = 8


@pytest.fixture(scope="module")
async def j() -> Jurisdiction:
    """One commune for the module (every test works on tasks of its own): signing in people is what costs."""
    return await make_jurisdiction()


class SignedIn:
    """One signed-in client per person, kept for the module."""

    def __init__(self, app: Any) -> None:
        self.pool = Clients(app)
        self.by_person: dict[int, httpx.AsyncClient] = {}

    async def signed_in(self, person: Any) -> httpx.AsyncClient:
        if person.id not in self.by_person:
            self.by_person[person.id] = await self.pool.signed_in(person)
        return self.by_person[person.id]


@pytest.fixture(scope="module")
async def clients(app: Any) -> AsyncIterator[SignedIn]:
    jobs_before = await last_job_id()
    signed = SignedIn(app)
    yield signed
    await signed.pool.aclose()
    await forget_jobs_after(jobs_before)


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def task_body(j: Jurisdiction, title: str) -> dict[str, Any]:
    deadline = clock.today_vn() + dt.timedelta(days=10)
    return {"title": title, "lead_unit_id": j.dept.id, "assignee_ids": [j.officer.id], "deadline": str(deadline)}


def same_answers(responses: list[httpx.Response]) -> None:
    first = responses[0]
    for other in responses[1:]:
        assert (other.status_code, other.content) == (first.status_code, first.content)


# ---------------------------------------------------------------- (a) one after the other


async def test_a_replayed_create_answers_the_first_answer_byte_for_byte(j, clients) -> None:
    leader = await clients.signed_in(j.leader)
    title = unique("Khơi thông cống thoát nước ")
    headers = key()
    first = await leader.post("/api/v1/tasks", json=task_body(j, title), headers=headers)
    second = await leader.post("/api/v1/tasks", json=task_body(j, title), headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    assert second.status_code == 201
    assert second.headers.get("idempotent-replayed") == "true"
    assert second.content == first.content
    assert await Task.count().where(Task.title == title) == 1


async def test_a_replayed_progress_report_is_recorded_once(j, clients) -> None:
    task = await make_task(j, assignees=[j.officer])
    officer = await clients.signed_in(j.officer)
    headers = key()
    body = {"note": "Đã khảo sát 3 hộ", "percent": 30, "latitude": 14.5, "longitude": 109.0}
    first = await officer.post(f"/api/v1/tasks/{task['id']}/progress", json=body, headers=headers)
    second = await officer.post(f"/api/v1/tasks/{task['id']}/progress", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert (second.status_code, second.content) == (first.status_code, first.content)
    assert second.headers.get("idempotent-replayed") == "true"
    assert await ProgressReport.count().where(ProgressReport.task == task["id"]) == 1
    assert await TaskEvent.count().where((TaskEvent.task == task["id"]) & (TaskEvent.kind == "progress")) == 1


async def test_a_change_without_a_key_happens_every_time(j, clients) -> None:
    task = await make_task(j, assignees=[j.officer])
    officer = await clients.signed_in(j.officer)
    for _ in range(2):
        r = await officer.post(f"/api/v1/tasks/{task['id']}/progress", json={"note": "Lần nữa"})
        assert r.status_code == 201, r.text
        assert "idempotent-replayed" not in r.headers
    assert await ProgressReport.count().where(ProgressReport.task == task["id"]) == 2


# ---------------------------------------------------------------- (b) at the same time


async def _submitted(j: Jurisdiction, clients: SignedIn) -> tuple[dict[str, Any], httpx.AsyncClient, str]:
    """A task the officer has submitted, the leader's client, and the URL of the task's transitions."""
    from server.tasks.services import transition

    task = await make_task(j, assignees=[j.officer])
    await transition(j.officer, task["id"], "submit")
    return task, await clients.signed_in(j.leader), f"/api/v1/tasks/{task['id']}/transitions"


async def _together(client: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str]) -> list[Any]:
    return await asyncio.gather(*(client.post(url, json=body, headers=headers) for _ in range(CONCURRENCY)))


async def test_b_concurrent_progress_reports_with_one_key_make_one_row(j, clients) -> None:
    task = await make_task(j, assignees=[j.officer])
    officer = await clients.signed_in(j.officer)
    body = {"note": "Gửi lại từ hộp thư đi", "percent": 50}
    responses = await _together(officer, f"/api/v1/tasks/{task['id']}/progress", body, key())
    assert responses[0].status_code == 201, responses[0].text
    same_answers(responses)
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == CONCURRENCY - 1
    assert await ProgressReport.count().where(ProgressReport.task == task["id"]) == 1
    assert await TaskEvent.count().where((TaskEvent.task == task["id"]) & (TaskEvent.kind == "progress")) == 1


async def test_b_concurrent_creates_with_one_key_make_one_task(j, clients) -> None:
    leader = await clients.signed_in(j.leader)
    title = unique("Sửa đường liên thôn ")
    responses = await _together(leader, "/api/v1/tasks", task_body(j, title), key())
    assert responses[0].status_code == 201, responses[0].text
    same_answers(responses)
    assert await Task.count().where(Task.title == title) == 1


async def test_b_concurrent_approvals_with_different_keys_approve_once(j, clients) -> None:
    """Two leaders' phones approve the same closure at once: one wins, the other is refused, one history entry."""
    task, leader, url = await _submitted(j, clients)
    responses = await asyncio.gather(
        *(leader.post(url, json={"action": "approve"}, headers=key()) for _ in range(CONCURRENCY))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (CONCURRENCY - 1), [r.text for r in responses]
    done = await TaskEvent.count().where(
        (TaskEvent.task == task["id"]) & (TaskEvent.kind == "transition") & (TaskEvent.to_state == "done")
    )
    assert done == 1


# ---------------------------------------------------------------- (c) one key, another change


async def test_c_same_key_with_another_body_is_refused(j, clients) -> None:
    task = await make_task(j, assignees=[j.officer])
    officer = await clients.signed_in(j.officer)
    headers = key()
    url = f"/api/v1/tasks/{task['id']}/progress"
    assert (await officer.post(url, json={"note": "Lần một"}, headers=headers)).status_code == 201
    r = await officer.post(url, json={"note": "Lần hai"}, headers=headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "idempotency_key_reused"
    assert r.json()["error"]["message"]
    assert await ProgressReport.count().where(ProgressReport.task == task["id"]) == 1


async def test_c_same_key_on_another_route_or_by_another_person_is_refused(j, clients) -> None:
    task = await make_task(j, assignees=[j.officer])
    officer, head = await clients.signed_in(j.officer), await clients.signed_in(j.head)
    headers = key()
    body = {"note": "Ghi chú"}
    assert (await officer.post(f"/api/v1/tasks/{task['id']}/comments", json=body, headers=headers)).status_code == 201
    other_route = await officer.post(f"/api/v1/tasks/{task['id']}/progress", json=body, headers=headers)
    assert other_route.status_code == 422 and other_route.json()["error"]["code"] == "idempotency_key_reused"
    other_person = await head.post(f"/api/v1/tasks/{task['id']}/comments", json=body, headers=headers)
    assert other_person.status_code == 422 and other_person.json()["error"]["code"] == "idempotency_key_reused"
    assert await ProgressReport.count().where(ProgressReport.task == task["id"]) == 0


async def test_a_refused_change_keeps_no_key_so_a_corrected_retry_goes_through(j, clients) -> None:
    leader = await clients.signed_in(j.leader)
    headers = key()
    title = unique("Trồng cây xanh ")
    bad = {**task_body(j, title), "deadline": str(clock.today_vn() - dt.timedelta(days=1))}
    r = await leader.post("/api/v1/tasks", json=bad, headers=headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "deadline_in_past"
    assert await IdempotencyKey.count().where(IdempotencyKey.key == headers["Idempotency-Key"]) == 0
    r = await leader.post("/api/v1/tasks", json=task_body(j, title), headers=headers)
    assert r.status_code == 201, r.text
    assert await Task.count().where(Task.title == title) == 1


@pytest.mark.parametrize("value", ["", "   ", "x" * 81, "khóa-có-dấu"])
async def test_an_invalid_key_is_refused(j, clients, value: str) -> None:
    task = await make_task(j, assignees=[j.officer])
    officer = await clients.signed_in(j.officer)
    headers = {"Idempotency-Key": value.encode()}  # raw UTF-8 bytes for the non-ASCII one
    r = await officer.post(f"/api/v1/tasks/{task['id']}/progress", json={"note": "Có khóa lạ"}, headers=headers)  # type: ignore[arg-type]
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "idempotency_key_invalid"
    assert await ProgressReport.count().where(ProgressReport.task == task["id"]) == 0


# ---------------------------------------------------------------- (d) transitions


async def test_d_an_approval_replayed_answers_200_and_a_new_approval_is_refused(j, clients) -> None:
    task, leader, url = await _submitted(j, clients)
    headers = key()
    first = await leader.post(url, json={"action": "approve"}, headers=headers)
    replay = await leader.post(url, json={"action": "approve"}, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["state"] == "done"
    assert (replay.status_code, replay.content) == (first.status_code, first.content)
    assert replay.headers.get("idempotent-replayed") == "true"
    again = await leader.post(url, json={"action": "approve"}, headers=key())
    assert again.status_code == 409, again.text
    assert again.json()["error"]["code"] == "transition_not_allowed"
    row = await Task.select(Task.state, Task.version).where(Task.id == task["id"]).first()
    assert row == {"state": "done", "version": first.json()["version"]}


# ---------------------------------------------------------------- (e) the outbox batch shares the keys


async def test_e_a_change_sent_alone_and_again_in_the_outbox_batch_happens_once(j, clients) -> None:
    task = await make_task(j, assignees=[j.officer])
    officer = await clients.signed_in(j.officer)
    change_id = str(uuid.uuid4())
    body = {"note": "Đã dọn xong bãi rác", "percent": 70}
    alone = await officer.post(f"/api/v1/tasks/{task['id']}/progress", json=body,
                               headers={"Idempotency-Key": change_id})
    assert alone.status_code == 201, alone.text
    batch = {"changes": [{"id": change_id, "kind": "progress", "task_id": task["id"], "body": body}]}
    again = await officer.post("/api/v1/sync", json=batch)
    assert again.status_code == 200, again.text
    result = again.json()["results"][0]
    assert (result["status"], result["body"], result["replayed"]) == (201, alone.json(), True)
    assert await ProgressReport.count().where(ProgressReport.task == task["id"]) == 1


async def test_e_concurrent_outbox_batches_and_single_requests_make_one_row(j, clients) -> None:
    """Background Sync sends the batch while the `online` handler sends the change alone: one report."""
    task = await make_task(j, assignees=[j.officer])
    officer = await clients.signed_in(j.officer)
    change_id = str(uuid.uuid4())
    body = {"note": "Ảnh hiện trường sau khi xử lý", "percent": 90}
    batch = {"changes": [{"id": change_id, "kind": "progress", "task_id": task["id"], "body": body}]}
    alone = [officer.post(f"/api/v1/tasks/{task['id']}/progress", json=body, headers={"Idempotency-Key": change_id})
             for _ in range(CONCURRENCY // 2)]
    batches = [officer.post("/api/v1/sync", json=batch) for _ in range(CONCURRENCY // 2)]
    responses = await asyncio.gather(*alone, *batches)
    half = CONCURRENCY // 2
    answers = [(r.status_code, r.json()) for r in responses[:half]]
    answers += [(r.json()["results"][0]["status"], r.json()["results"][0]["body"]) for r in responses[half:]]
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    assert answers[0][0] == 201 and all(answer == answers[0] for answer in answers), answers
    assert await ProgressReport.count().where(ProgressReport.task == task["id"]) == 1
