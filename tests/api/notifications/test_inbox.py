"""The inbox API: unread count, mark read (one, all), only one's own items; the admin's failed-jobs list."""

from __future__ import annotations

from server.notifications import jobs, services
from tests.factories import make_person


async def test_inbox_count_read_and_read_all(nj, client_for) -> None:  # type: ignore[no-untyped-def]
    j = nj
    reader, neighbour = await make_person(j.dept_sub, full_name="Người Đọc"), await make_person(j.dept_sub)
    first = await services.notify(reader.id, "comment", "Một", link="/tasks/1")
    second = await services.notify(reader.id, "overdue", "Hai")
    foreign = await services.notify(neighbour.id, "comment", "Của người khác")
    officer = await client_for(reader)
    inbox = (await officer.get("/api/v1/inbox")).json()
    assert inbox["unread"] == 2
    assert [i["id"] for i in inbox["items"]] == [second, first]

    no_header = await client_for(reader, headers={})
    assert (await no_header.post(f"/api/v1/inbox/{first}/read")).status_code == 403
    assert (await officer.post(f"/api/v1/inbox/{foreign}/read")).status_code == 404
    read = await officer.post(f"/api/v1/inbox/{first}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert (await officer.get("/api/v1/inbox")).json()["unread"] == 1
    assert [i["id"] for i in (await officer.get("/api/v1/inbox?unread=true")).json()["items"]] == [second]
    assert (await officer.post("/api/v1/inbox/read-all")).json() == {"marked": 1}
    assert (await officer.get("/api/v1/inbox")).json()["unread"] == 0
    other = await client_for(neighbour)
    assert (await other.get("/api/v1/inbox")).json()["unread"] == 1


async def test_a_dedupe_key_makes_one_item(nj) -> None:  # type: ignore[no-untyped-def]
    j = nj
    key = f"test:{j.other_officer.id}:once"
    assert await services.notify(j.other_officer.id, "overdue", "A", dedupe_key=key) is not None
    assert await services.notify(j.other_officer.id, "overdue", "A", dedupe_key=key) is None


async def test_failed_jobs_are_for_the_admin(nj, client_for) -> None:  # type: ignore[no-untyped-def]
    j = nj
    job_id = await jobs.enqueue("no-such-kind-for-admin-test", {"x": 1})
    from server.worker import run_job

    [claimed] = [c for c in await jobs.claim_batch("admin-test", 200) if c.id == job_id] or [None]
    assert claimed is not None
    assert await run_job(claimed, "admin-test") == "failed"
    admin = await client_for(j.admin)
    response = await admin.get("/api/v1/admin/jobs?state=failed&limit=500")
    assert response.status_code == 200
    [row] = [r for r in response.json() if r["id"] == job_id]
    assert "no handler" in row["last_error"]
    officer = await client_for(j.officer)
    assert (await officer.get("/api/v1/admin/jobs?state=failed")).status_code == 403
    assert (await admin.post(f"/api/v1/admin/jobs/{job_id}/retry")).status_code == 200
