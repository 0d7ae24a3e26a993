"""Issue 10, point 6: the citizen's "after" photo comes from the task and its parts, chosen by the approver;
and the desk takes photos with progress reports and submissions.

The report is accepted for the department; its head splits it to an officer of the sub-unit, whose photos are
on the part; the head submits the parent and the leader approves it, which publishes the answer.
"""

from __future__ import annotations

from typing import Any

from server.media.tables import Attachment
from server.reports.services import accept, public_photo_bytes, public_report
from server.reports.tables import ReportPhoto
from tests.factories import jpeg, report_progress
from tests.helpers import CSRF_TOKEN
from tests.unit.reports.helpers import has_metadata, jpeg_with_gps, make_category, make_report


async def _photographed_report(client: Any, task_id: int, note: str, data: bytes) -> int:
    return (await report_progress(client, task_id, note, photo=data, percent=100))["attachment"]["id"]


async def _split_and_work(j: Any, client_for: Any) -> dict[str, Any]:
    """A report accepted, split to the officer, who reports twice with a photo; the part is done and the
    parent submitted by the head. Nothing is on the parent's own reports."""
    category = await make_category(j, unit=j.dept)
    report = await make_report(category)
    parent_id = (await accept(j.leader, report["id"]))["task_id"]
    head, officer, leader = await client_for(j.head), await client_for(j.officer), await client_for(j.leader)
    r = await head.post(f"/api/v1/tasks/{parent_id}/subtasks",
                        json={"title": "Thay ống nước", "assignee_ids": [j.officer.id], "lead_unit_id": j.dept_sub.id})
    assert r.status_code == 201, r.text
    part_id = r.json()["id"]
    during = await _photographed_report(officer, part_id, "dang-lam", jpeg_with_gps(color="yellow"))
    after = await _photographed_report(officer, part_id, "xong", jpeg_with_gps(color="green"))
    await officer.post(f"/api/v1/tasks/{part_id}/transitions", json={"action": "submit", "note": "Đã thay ống"})
    assert (await head.post(f"/api/v1/tasks/{part_id}/transitions", json={"action": "approve"})).status_code == 200
    r = await head.post(f"/api/v1/tasks/{parent_id}/transitions",
                        json={"action": "submit", "note": "Đã thay đoạn ống vỡ, nước đã trong"})
    assert r.status_code == 200, r.text
    return {"report": report, "parent_id": parent_id, "during": during, "after": after, "leader": leader}


async def _published_originals(code: str) -> list[str]:
    page = await public_report(code)
    ids = [p["id"] for p in page["after_photos"]]
    rows = await ReportPhoto.select(ReportPhoto.id, ReportPhoto.original_sha256).where(ReportPhoto.id.is_in(ids)) \
        if ids else []
    return sorted(r["original_sha256"] for r in rows)


async def _sha(attachment_id: int) -> str:
    row = await Attachment.select(Attachment.file.sha256).where(Attachment.id == attachment_id).first()
    return row["file.sha256"]


async def test_the_public_answer_takes_the_parts_photo_by_default(j, client_for) -> None:
    world = await _split_and_work(j, client_for)
    [card] = [t for t in (await world["leader"].get("/api/v1/approvals")).json() if t["id"] == world["parent_id"]]
    offered = {p["id"]: p["default"] for p in card["public_photo_candidates"]}
    assert offered == {world["during"]: False, world["after"]: True}
    r = await world["leader"].post(f"/api/v1/tasks/{world['parent_id']}/transitions", json={"action": "approve"})
    assert r.status_code == 200, r.text
    code = world["report"]["code"]
    assert await _published_originals(code) == [await _sha(world["after"])]
    page = await public_report(code)
    public = await public_photo_bytes(code, page["after_photos"][0]["id"], "full")
    assert not has_metadata(public)  # the public copy is stripped as ever


async def test_the_approver_chooses_which_photos_are_public(j, client_for) -> None:
    world = await _split_and_work(j, client_for)
    leader, parent_id = world["leader"], world["parent_id"]
    r = await leader.post(f"/api/v1/tasks/{parent_id}/transitions",
                          json={"action": "approve", "public_photo_ids": [987654]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "public_photo_invalid"
    r = await leader.post(f"/api/v1/tasks/{parent_id}/transitions",
                          json={"action": "approve", "public_photo_ids": [world["during"]]})
    assert r.status_code == 200, r.text
    assert await _published_originals(world["report"]["code"]) == [await _sha(world["during"])]


async def test_the_desk_approval_form_chooses_the_public_photos(j, client_for) -> None:
    world = await _split_and_work(j, client_for)
    desk = await client_for(j.leader, headers={})
    page = (await desk.get("/approvals")).text
    assert f'name="public_photo" value="{world["after"]}" checked' in page
    token = CSRF_TOKEN.search(page).group(1)
    r = await desk.post(f"/approvals/{world['parent_id']}",
                        data={"_csrf_token": token, "action": "approve", "photo_choice": "1",
                              "public_photo": [str(world["during"]), str(world["after"])]})
    assert r.status_code == 303, r.text[:500]
    assert await _published_originals(world["report"]["code"]) == sorted(
        [await _sha(world["during"]), await _sha(world["after"])])


async def test_the_desk_reports_and_submits_with_photos(j, client_for) -> None:
    from tests.factories import make_task

    task = await make_task(j, assignees=[j.officer], lead_unit=j.dept)
    desk = await client_for(j.officer, headers={})
    page = (await desk.get(f"/tasks/{task['id']}")).text
    assert 'enctype="multipart/form-data"' in page and 'name="photos"' in page
    token = CSRF_TOKEN.search(page).group(1)
    r = await desk.post(f"/tasks/{task['id']}/progress",
                        data={"_csrf_token": token, "note": "Đã dọn một nửa", "percent": "50"},
                        files=[("photos", ("a.jpg", jpeg((200, 30, 30)), "image/jpeg")),
                               ("photos", ("b.jpg", jpeg((30, 30, 200)), "image/jpeg"))])
    assert r.status_code == 303 and "ok=progress" in r.headers["location"], r.text[:500]
    # A file that is no photo is refused before anything is recorded, and the note is kept in the form.
    r = await desk.post(f"/tasks/{task['id']}/progress",
                        data={"_csrf_token": token, "note": "Tệp lạ"},
                        files=[("photos", ("x.jpg", b"not an image at all", "image/jpeg"))])
    assert r.status_code == 422 and "Tệp lạ" in r.text
    r = await desk.post(f"/tasks/{task['id']}/transition",
                        data={"_csrf_token": token, "action": "submit", "note": "Đã dọn xong"},
                        files=[("photos", ("c.jpg", jpeg((30, 200, 30)), "image/jpeg"))])
    assert r.status_code == 303 and "ok=submitted" in r.headers["location"], r.text[:500]

    api = await client_for(j.officer)
    detail = (await api.get(f"/api/v1/tasks/{task['id']}")).json()
    assert detail["state"] == "submitted"
    reports = detail["progress_reports"]
    assert [(r["note"], len(r["attachments"])) for r in reports] == [("Đã dọn một nửa", 2), ("Đã dọn xong", 1)]
    page = (await desk.get(f"/tasks/{task['id']}")).text
    assert reports[0]["attachments"][0]["thumb_url"] in page
