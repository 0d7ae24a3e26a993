"""The approver judges a submission from the queue alone: the note, the place, and the before/after photos."""

from __future__ import annotations

from tests.factories import jpeg, make_task, report_progress


async def _report_with_photo(client, task_id: int, note: str, colour: tuple[int, int, int]) -> int:  # type: ignore[no-untyped-def]
    sent = await report_progress(client, task_id, note, photo=jpeg(colour), latitude=14.5, longitude=109.0,
                                 accuracy_m=6)
    return sent["attachment"]["id"]


async def test_queue_carries_before_and_after_photos(j, client_for) -> None:
    head, officer = await client_for(j.head), await client_for(j.officer)
    parent = await make_task(j, assignees=[j.head], lead_unit=j.dept)
    r = await head.post(f"/api/v1/tasks/{parent['id']}/subtasks",
                        json={"title": "Nạo vét mương thôn 2", "assignee_ids": [j.officer.id],
                              "lead_unit_id": j.dept_sub.id})
    assert r.status_code == 201, r.text
    part = r.json()
    before = await _report_with_photo(officer, part["id"], "truoc", (120, 80, 40))
    r = await officer.post(f"/api/v1/tasks/{part['id']}/progress", json={"note": "Đang làm, chưa có ảnh"})
    assert r.status_code == 201, r.text
    after = await _report_with_photo(officer, part["id"], "sau", (40, 160, 90))
    r = await officer.post(f"/api/v1/tasks/{part['id']}/transitions", json={"action": "submit", "note": "Đã xong"})
    assert r.json()["state"] == "submitted", r.text

    [item] = (await head.get("/api/v1/approvals")).json()
    assert item["id"] == part["id"] and item["submit_note"] == "Đã xong"
    assert [a["id"] for a in item["latest_report"]["attachments"]] == [after]
    assert [a["id"] for a in item["before_photos"]] == [before]
    assert item["latest_report"]["accuracy_m"] == 6


async def test_a_single_report_has_no_separate_before(j, client_for) -> None:
    head, officer = await client_for(j.head), await client_for(j.officer)
    parent = await make_task(j, assignees=[j.head], lead_unit=j.dept)
    r = await head.post(f"/api/v1/tasks/{parent['id']}/subtasks",
                        json={"title": "Sửa đèn đường", "assignee_ids": [j.officer.id], "lead_unit_id": j.dept_sub.id})
    part = r.json()
    only = await _report_with_photo(officer, part["id"], "mot-lan", (10, 10, 200))
    await officer.post(f"/api/v1/tasks/{part['id']}/transitions", json={"action": "submit", "note": "Xong"})
    [item] = [t for t in (await head.get("/api/v1/approvals")).json() if t["id"] == part["id"]]
    assert [a["id"] for a in item["latest_report"]["attachments"]] == [only]
    assert item["before_photos"] == []
