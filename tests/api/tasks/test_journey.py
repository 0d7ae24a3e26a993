"""Journey 1 over HTTP: directive → task → split → progress → submit → return → submit → approve."""

from __future__ import annotations

import datetime as dt

from server.lib import clock


async def test_directive_to_approved_closure(j, client_for) -> None:
    leader, head, officer = await client_for(j.leader), await client_for(j.head), await client_for(j.officer)
    today = clock.today_vn()
    r = await leader.post(
        "/api/v1/directives",
        json={
            "number": "15/CT-UBND",
            "issued_on": str(today),
            "signer": "Trần Thị Lãnh Đạo",
            "issuing_body": "UBND xã Hoài Hương",
            "title": "Chỉ thị về bảo đảm nước sạch mùa khô",
        },
    )
    assert r.status_code == 201, r.text
    directive = r.json()
    r = await leader.post(
        "/api/v1/tasks",
        json={
            "title": "Kiểm tra chất lượng nước sinh hoạt",
            "lead_unit_id": j.dept.id,
            "directive_id": directive["id"],
            "coordinating_unit_ids": [j.other_dept.id],
            "assignee_ids": [j.head.id],
            "deadline_working_days": 5,
        },
    )
    assert r.status_code == 201, r.text
    task = r.json()
    assert task["state"] == "assigned" and task["source"] == "directive" and task["deadline"]

    r = await head.post(
        f"/api/v1/tasks/{task['id']}/subtasks",
        json={"title": "Lấy mẫu nước tại thôn 3", "assignee_ids": [j.officer.id], "lead_unit_id": j.dept_sub.id},
    )
    assert r.status_code == 201, r.text
    sub = r.json()
    assert sub["parent"]["id"] == task["id"]

    r = await officer.get("/api/v1/tasks")
    assert [t["id"] for t in r.json()["items"]] == [sub["id"]]
    r = await officer.get(f"/api/v1/tasks/{task['id']}")
    assert r.status_code == 404

    r = await officer.post(
        f"/api/v1/tasks/{sub['id']}/progress",
        json={"note": "Đã lấy 5 mẫu nước", "percent": 60, "latitude": 14.5, "longitude": 109.0, "accuracy_m": 8},
    )
    assert r.status_code == 201, r.text
    r = await officer.post(f"/api/v1/tasks/{sub['id']}/transitions", json={"action": "submit", "note": "Xong"})
    assert r.json()["state"] == "submitted"
    # The head judges the part by what came with it, in one answer (no detail per item).
    [part] = (await head.get("/api/v1/approvals")).json()
    assert (part["id"], part["submit_note"], part["parent"]["id"]) == (sub["id"], "Xong", task["id"])
    assert (part["latest_report"]["note"], part["latest_report"]["percent"]) == ("Đã lấy 5 mẫu nước", 60)
    assert part["latest_report"]["accuracy_m"] == 8
    r = await head.post(f"/api/v1/tasks/{sub['id']}/transitions", json={"action": "approve"})
    assert r.status_code == 200, r.text

    r = await head.post(f"/api/v1/tasks/{task['id']}/transitions", json={"action": "submit", "note": "Báo cáo kết quả"})
    assert r.json()["state"] == "submitted"
    r = await head.post(f"/api/v1/tasks/{task['id']}/transitions", json={"action": "approve"})
    assert r.status_code == 403
    r = await leader.get("/api/v1/approvals")
    queued = {t["id"]: t for t in r.json()}
    assert task["id"] in queued
    assert queued[task["id"]]["submit_note"] == "Báo cáo kết quả"
    assert queued[task["id"]]["submitted_by"] == j.head.full_name
    r = await head.get("/api/v1/approvals")
    assert r.json() == []  # the head's own part was approved; the whole task is the leader's to judge
    r = await leader.post(f"/api/v1/tasks/{task['id']}/transitions", json={"action": "return"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "reason_required"
    r = await leader.post(
        f"/api/v1/tasks/{task['id']}/transitions", json={"action": "return", "reason": "Thiếu kết quả xét nghiệm"}
    )
    assert r.json()["state"] == "returned"
    r = await head.post(f"/api/v1/tasks/{task['id']}/transitions", json={"action": "submit"})
    assert r.json()["state"] == "submitted"
    r = await leader.post(f"/api/v1/tasks/{task['id']}/transitions", json={"action": "approve"})
    assert r.json()["state"] == "done"

    detail = (await leader.get(f"/api/v1/tasks/{task['id']}")).json()
    transitions = [(e["from_state"], e["to_state"]) for e in detail["history"] if e["kind"] == "transition"]
    assert transitions == [
        ("draft", "assigned"),
        ("assigned", "in_progress"),  # the parent starts when its part does (issue 10, point 5)
        ("in_progress", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "done"),
    ]
    assert detail["completed_at"] is not None
    r = await leader.get(f"/api/v1/directives/{directive['id']}")
    assert r.json()["rollup"]["done"] == 1

    r = await leader.get("/api/v1/search", params={"q": "nuoc sinh hoat"})
    assert task["id"] in [t["id"] for t in r.json()["tasks"]]
    r = await leader.get("/api/v1/search", params={"q": "CHI THI VE BAO DAM NUOC"})
    assert directive["id"] in [d["id"] for d in r.json()["directives"]]


async def test_extension_changes_the_deadline_in_force(j, client_for) -> None:
    leader, head = await client_for(j.leader), await client_for(j.head)
    deadline = clock.today_vn() + dt.timedelta(days=5)
    r = await leader.post(
        "/api/v1/tasks",
        json={"title": "Rà soát hộ nghèo", "lead_unit_id": j.dept.id, "assignee_ids": [j.head.id],
              "deadline": str(deadline)},
    )
    task = r.json()
    new = deadline + dt.timedelta(days=7)
    r = await head.post(
        f"/api/v1/tasks/{task['id']}/extensions", json={"requested_deadline": str(new), "reason": "Mưa lũ"}
    )
    assert r.status_code == 201, r.text
    ext = r.json()
    r = await leader.post(f"/api/v1/extensions/{ext['id']}/decision", json={"approve": True})
    assert r.json()["state"] == "approved"
    detail = (await leader.get(f"/api/v1/tasks/{task['id']}")).json()
    assert detail["deadline"] == str(new)
    assert [d["deadline"] for d in detail["deadlines"]] == [str(deadline), str(new)]


async def test_a_report_from_someone_taken_off_the_task_is_refused_and_kept(j, client_for) -> None:
    leader, head, officer = await client_for(j.leader), await client_for(j.head), await client_for(j.officer)
    r = await leader.post(
        "/api/v1/tasks",
        json={"title": "Dọn vệ sinh kênh mương", "lead_unit_id": j.dept.id, "assignee_ids": [j.officer.id],
              "deadline": str(clock.today_vn() + dt.timedelta(days=3))},
    )
    task = r.json()
    r = await head.post(f"/api/v1/tasks/{task['id']}/assignees", json={"person_ids": [j.officer2.id]})
    assert r.status_code == 200, r.text
    assert (await officer.get(f"/api/v1/tasks/{task['id']}")).status_code == 404
    r = await officer.post(f"/api/v1/tasks/{task['id']}/progress", json={"note": "Đã dọn xong đoạn 1"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "task_reassigned"
    detail = (await head.get(f"/api/v1/tasks/{task['id']}")).json()
    assert [(p["note"], p["refused_reason"]) for p in detail["progress_reports"]] == [
        ("Đã dọn xong đoạn 1", "task_reassigned")
    ]


async def test_a_directive_shows_everyone_its_counts_but_not_other_units_late_tasks(j, client_for) -> None:
    """Everyone in the commune reads a directive; only the desk, within the viewer's units, names late tasks."""
    from server.tasks.tables import Task
    from tests.factories import make_task

    leader, officer = await client_for(j.leader), await client_for(j.other_officer)
    directive = (await leader.post("/api/v1/directives", json={
        "number": "21/CT-UBND", "issued_on": str(clock.today_vn()), "signer": "Trần Thị Lãnh Đạo",
        "issuing_body": "UBND xã", "title": "Chỉ thị về phòng chống cháy rừng"})).json()
    task = await make_task(j, title="Rà soát chòi canh lửa tổ 3", assignees=[j.officer], lead_unit=j.dept,
                           deadline=clock.today_vn())
    await Task.update({Task.directive: directive["id"],
                       Task.deadline: clock.today_vn() - dt.timedelta(days=3)}).where(Task.id == task["id"])
    seen = await officer.get(f"/api/v1/directives/{directive['id']}")
    assert seen.status_code == 200
    assert seen.json()["rollup"]["overdue"] == 1
    assert "late_tasks" not in seen.json()["rollup"] and "Rà soát chòi canh lửa" not in seen.text
