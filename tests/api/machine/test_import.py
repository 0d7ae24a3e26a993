"""POST /api/v1/import/directives: a directive, its PDF and its tasks, sent by another system with a key."""

from __future__ import annotations

from typing import Any

from server.audit.tables import AuditEvent
from server.directives.tables import Directive
from server.machine.tables import DirectiveImport, DirectiveRevision
from server.media.tables import Attachment
from server.tasks.tables import Task, TaskCoordinatingUnit
from tests.api.machine.helpers import PDF, import_files, make_key, metadata, system
from tests.factories import unique


async def _counts(directive_id: int) -> tuple[int, int, int]:
    return (await Directive.count().where(Directive.id == directive_id),
            await Task.count().where(Task.directive == directive_id),
            await Attachment.count().where((Attachment.owner_kind == "directive")
                                           & (Attachment.owner_id == directive_id)))


async def test_a_directive_with_its_pdf_and_three_tasks_sent_twice_is_one_directive(j, client_for) -> None:
    key = (await make_key(client_for, j, ["directives:write", "tasks:read"]))["key"]
    sender = await system(client_for, key)
    meta = metadata(j, unique("15/CT-UBND-"))
    first = await sender.post("/api/v1/import/directives", files=import_files(meta))
    assert first.status_code == 201, first.text
    body = first.json()
    directive_id = body["directive_id"]
    assert body["status"] == "created" and [t["action"] for t in body["tasks"]] == ["created"] * 3
    assert await _counts(directive_id) == (1, 3, 1)

    again = await sender.post("/api/v1/import/directives", files=import_files(meta))
    assert again.status_code == 200, again.text
    assert again.json() == {"status": "unchanged", "directive_id": directive_id, "revision": 0}
    assert await _counts(directive_id) == (1, 3, 1)

    # The tasks are given (assigned) to the units named by code, the deadline in working days computed.
    tasks = await Task.select(Task.id, Task.title, Task.state, Task.lead_unit, Task.deadline, Task.created_by).where(
        Task.directive == directive_id).order_by(Task.id)
    assert [t["lead_unit"] for t in tasks] == [j.dept.id, j.dept_sub.id, j.other_dept.id]
    assert {t["state"] for t in tasks} == {"assigned"} and all(t["deadline"] for t in tasks)
    assert all(t["created_by"] is None for t in tasks)  # a system, not a person
    coordinating = await TaskCoordinatingUnit.select(TaskCoordinatingUnit.unit).where(
        TaskCoordinatingUnit.task == tasks[0]["id"])
    assert [c["unit"] for c in coordinating] == [j.other_dept.id]

    # People see it as any directive: the leader's API, with the PDF's words searchable without diacritics.
    leader = await client_for(j.leader)
    found = (await leader.get("/api/v1/directives", params={"q": "gia co de bao con noi"})).json()
    assert [d["id"] for d in found] == [directive_id]
    # The system reads back its tasks' states (tasks:read).
    state = (await sender.get(f"/api/v1/import/directives/{directive_id}")).json()
    assert [t["ref"] for t in state["tasks"]] == ["1", "2", "3"] and state["revision"] == 0


async def test_the_system_is_the_actor_in_the_audit_never_a_person(j, client_for) -> None:
    made = await make_key(client_for, j, ["directives:write"])
    sender = await system(client_for, made["key"])
    answer = await sender.post("/api/v1/import/directives", files=import_files(metadata(j, unique("7/CT-"))))
    assert answer.status_code == 201, answer.text
    directive_id = answer.json()["directive_id"]
    events = await AuditEvent.select(AuditEvent.actor_id, AuditEvent.actor_name, AuditEvent.action).where(
        (AuditEvent.entity == "directive") & (AuditEvent.entity_id == str(directive_id)))
    assert {"directive.create", "directive.import"} <= {e["action"] for e in events}
    assert all(e["actor_id"] is None and e["actor_name"] == f"hệ thống: {made['name']}" for e in events), events
    task_ids = [str(t["task_id"]) for t in answer.json()["tasks"]]
    task_events = await AuditEvent.select(AuditEvent.actor_id, AuditEvent.actor_name).where(
        (AuditEvent.entity == "task") & AuditEvent.entity_id.is_in(task_ids))
    assert task_events and all(e["actor_id"] is None and e["actor_name"].startswith("hệ thống: ")
                               for e in task_events)


async def test_a_corrected_resend_is_a_revision(j, client_for) -> None:
    key = (await make_key(client_for, j, ["directives:write", "tasks:read"]))["key"]
    sender = await system(client_for, key)
    meta = metadata(j, unique("21/CT-"))
    first = await sender.post("/api/v1/import/directives", files=import_files(meta))
    assert first.status_code == 201, first.text
    directive_id = first.json()["directive_id"]
    task_ids = {t["ref"]: t["task_id"] for t in first.json()["tasks"]}
    # Task 3 is started by its unit before the correction arrives: it is kept as it is.
    await Task.update({Task.state: "in_progress"}).where(Task.id == task_ids["3"])

    corrected = {**meta, "title": "Chỉ thị về phòng chống lụt bão và sạt lở năm 2027"}
    corrected["tasks"] = [dict(t) for t in meta["tasks"]]
    corrected["tasks"][0]["title"] = "Rà soát và gia cố đê bao"
    corrected["tasks"][2]["title"] = "Tuyên truyền (đã sửa)"
    corrected["tasks"].append({"ref": "4", "title": "Diễn tập sơ tán", "lead_unit": j.dept.code, "working_days": 10})
    answer = await sender.post("/api/v1/import/directives", files=import_files(corrected))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "revised" and body["revision"] == 1 and body["directive_id"] == directive_id
    assert body["directive"]["title"]["after"] == corrected["title"]
    actions = {t["ref"]: t["action"] for t in body["tasks"]}
    assert actions == {"1": "updated", "2": "unchanged", "3": "kept_started", "4": "created"}
    assert (await Directive.select(Directive.title).where(Directive.id == directive_id).first())["title"] \
        == corrected["title"]
    titles = {t["id"]: t["title"] for t in await Task.select(Task.id, Task.title).where(
        Task.directive == directive_id)}
    assert titles[task_ids["1"]] == "Rà soát và gia cố đê bao" and titles[task_ids["3"]] == "Tuyên truyền người dân"
    assert len(titles) == 4
    revisions = await DirectiveRevision.select().where(DirectiveRevision.directive == directive_id)
    assert [r["revision"] for r in revisions] == [1] and "Rà soát và gia cố đê bao" in revisions[0]["changes"]
    # Sent once more as corrected: nothing more happens.
    again = await sender.post("/api/v1/import/directives", files=import_files(corrected))
    assert again.json() == {"status": "unchanged", "directive_id": directive_id, "revision": 1}
    read = (await sender.get(f"/api/v1/import/directives/{directive_id}")).json()
    assert read["revision"] == 1 and read["revisions"][0]["key_name"]

    # The leader reads on the directive's page what the document system corrected, in either language.
    desk = await client_for(j.leader, headers={})
    page = (await desk.get(f"/directives/{directive_id}")).text
    assert "Lịch sử đính chính" in page and "Lần 1" in page and read["revisions"][0]["key_name"] in page
    assert "Trích yếu" in page and "Giao thêm 1 nhiệm vụ" in page and "Cập nhật 1 nhiệm vụ chưa bắt đầu" in page
    assert "Giữ nguyên 1 nhiệm vụ đã bắt đầu" in page
    english = (await desk.get(f"/directives/{directive_id}?lang=en")).text
    assert "Corrections" in english and "1 more task(s) assigned" in english and "Lịch sử đính chính" not in english


async def test_an_unknown_unit_code_is_named_and_nothing_is_written(j, client_for) -> None:
    key = (await make_key(client_for, j, ["directives:write"]))["key"]
    sender = await system(client_for, key)
    number = unique("30/CT-")
    meta = metadata(j, number)
    meta["tasks"][1]["lead_unit"] = "KHONG-CO-MA-NAY"
    meta["tasks"][2]["coordinating_units"] = ["MA-LA-2"]
    before = (await Directive.count(), await Task.count(), await DirectiveImport.count(), await Attachment.count(),
              await AuditEvent.count())
    answer = await sender.post("/api/v1/import/directives", files=import_files(meta))
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "unit_code_unknown" and error["details"]["unit_codes"] == ["KHONG-CO-MA-NAY", "MA-LA-2"]
    assert "KHONG-CO-MA-NAY" in error["message"] and "MA-LA-2" in error["message"]
    after = (await Directive.count(), await Task.count(), await DirectiveImport.count(), await Attachment.count(),
             await AuditEvent.count())
    assert after == before
    assert not await Directive.exists().where(Directive.number == number)


async def test_a_failure_after_the_first_writes_leaves_nothing(j, client_for) -> None:
    """The third task's deadline is in the past: the directive and the first two tasks were already written in
    the transaction when it is refused; all of it is rolled back."""
    key = (await make_key(client_for, j, ["directives:write"]))["key"]
    sender = await system(client_for, key)
    number = unique("31/CT-")
    meta = metadata(j, number)
    meta["tasks"][2]["deadline"] = "2001-01-01"
    before = (await Task.count(), await Attachment.count(), await AuditEvent.count())
    answer = await sender.post("/api/v1/import/directives", files=import_files(meta))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "deadline_in_past"
    assert not await Directive.exists().where(Directive.number == number)
    assert (await Task.count(), await Attachment.count(), await AuditEvent.count()) == before


async def test_bad_parts_are_refused_clearly(j, client_for) -> None:
    key = (await make_key(client_for, j, ["directives:write"]))["key"]
    sender = await system(client_for, key)
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"metadata": (None, "{not json", "application/json")}, 400, "import_metadata_invalid"),
        ({"metadata": (None, '{"number": "1"}', "application/json")}, 400, "import_metadata_invalid"),
        (import_files(metadata(j, unique("n")), pdf=b"GIF89a not a pdf"), 422, "directive_pdf_only"),
        (import_files(metadata(j, unique("n"), tasks=[{"title": "A", "lead_unit": j.dept.code, "ref": "x"},
                                                      {"title": "B", "lead_unit": j.dept.code, "ref": "x"}])),
         422, "import_task_ref_duplicate"),
    ]
    for files, status, code in cases:
        answer = await sender.post("/api/v1/import/directives", files=files)
        assert answer.status_code == status, answer.text
        assert answer.json()["error"]["code"] == code
    # A PDF over the attachments' 10 MB is refused in words, not by the size of the body.
    huge = await sender.post("/api/v1/import/directives",
                             files=import_files(metadata(j, unique("n")), pdf=PDF + b"0" * 10_500_000))
    assert huge.status_code == 422 and huge.json()["error"]["code"] == "file_too_large", huge.text[:300]
    no_metadata = await sender.post("/api/v1/import/directives", files={"pdf": ("a.pdf", PDF, "application/pdf")})
    assert no_metadata.status_code == 400, no_metadata.text
    # Without a PDF the directive is imported all the same (the PDF may follow in a resend).
    bare = await sender.post("/api/v1/import/directives", files=import_files(metadata(j, unique("n")), pdf=None))
    assert bare.status_code == 201, bare.text


async def test_the_same_directive_sent_twice_at_once_is_one_directive(j, client_for) -> None:
    """Two sends of one directive racing: the second waits for the first (SQLite's write lock, PostgreSQL's
    advisory lock on the directive's identity) and finds it."""
    import asyncio

    key = (await make_key(client_for, j, ["directives:write"]))["key"]
    first, second = await system(client_for, key), await system(client_for, key)
    meta = metadata(j, unique("40/CT-"))
    answers = await asyncio.gather(*(c.post("/api/v1/import/directives", files=import_files(meta))
                                     for c in (first, second)))
    assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
    assert len({a.json()["directive_id"] for a in answers}) == 1
    assert await Directive.count().where(Directive.number == meta["number"]) == 1
    assert await Task.count().where(Task.directive == answers[0].json()["directive_id"]) == 3
