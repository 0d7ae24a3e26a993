"""Reading tasks: the lists (most urgent first), one task's page, the approval queue, visibility checks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.lib import clock
from server.lib.errors import Forbidden, NotFound
from server.people.services import Actor
from server.tasks import listing
from server.tasks import parts as task_parts
from server.tasks import revision as task_revision
from server.tasks.access import visibility_sql
from server.tasks.lifecycle import _load, _visible
from server.tasks.rules import CLOSED_STATES, _is_manager, allowed_actions
from server.tasks.tables import (
    ExtensionRequest,
    ProgressReport,
    Task,
    TaskAssignee,
    TaskCoordinatingUnit,
    TaskDeadline,
    TaskEvent,
    TaskState,
)
from server.units.tables import Unit


def urgency(state: str, deadline: dt.date | None, today: dt.date) -> str:
    """overdue / due_today / due_soon (3 days) / later / closed: the order of an officer's list."""
    if state in {TaskState.done.value, TaskState.cancelled.value}:
        return "closed"
    if deadline is None:
        return "later"
    if deadline < today:
        return "overdue"
    if deadline == today:
        return "due_today"
    if deadline <= today + dt.timedelta(days=3):
        return "due_soon"
    return "later"


def _summary(row: dict[str, Any], today: dt.date) -> dict[str, Any]:
    return {
        "id": row["id"],
        "title": row["title"],
        "state": row["state"],
        "priority": row["priority"],
        "deadline": row["deadline"],
        "lead_unit_id": row["lead_unit"],
        "lead_unit_name": row.get("lead_unit.name", ""),
        "parent_id": row["parent"],
        "directive_id": row["directive"],
        "source": row["source"],
        "progress_percent": row["progress_percent"],
        "version": row["version"],
        "updated_at": row["updated_at"],
        "urgency": urgency(row["state"], row["deadline"], today),
        "days_overdue": (today - row["deadline"]).days
        if row["deadline"] and row["deadline"] < today and row["state"] not in ("done", "cancelled")
        else 0,
    }


SUMMARY_COLUMNS = (
    Task.id, Task.title, Task.state, Task.priority, Task.deadline, Task.lead_unit, Task.parent, Task.directive,
    Task.source, Task.progress_percent, Task.version, Task.updated_at, Task.lead_unit.name,
)


async def list_tasks(
    actor: Actor,
    *,
    view: str = "mine",
    states: list[str] | None = None,
    q: str = "",
    overdue: bool = False,
    directive_id: int | None = None,
    unit_id: int | None = None,
    parent_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """A page of tasks the actor can see, most urgent first: overdue, due today, due soon, later, closed.

    One statement (server/tasks/listing.py); `list_tasks_json` is the same page as the bytes the API sends."""
    limit = max(1, min(limit, 200))
    offset = max(0, offset)
    today = clock.today_vn()
    rows, has_more = await listing.page_rows(
        actor, view=view, limit=limit, offset=offset, today=today, states=states, q=q, overdue=overdue,
        directive_id=directive_id, unit_id=unit_id, parent_id=parent_id,
    )
    items = [
        _summary({**row, "deadline": clock.as_date(row["deadline"]), "updated_at": clock.as_datetime(row["updated_at"]),
                  "lead_unit.name": row["lead_unit_name"]}, today)
        for row in rows
    ]
    return {"items": items, "has_more": has_more, "offset": offset, "limit": limit}


async def list_tasks_json(actor: Actor, *, view: str = "mine", states: list[str] | None = None, q: str = "",
                          overdue: bool = False, directive_id: int | None = None, unit_id: int | None = None,
                          parent_id: int | None = None, limit: int = 50, offset: int = 0) -> bytes:
    """`list_tasks`' answer as JSON built by the database (docs/decisions/0004-list-sql.md)."""
    return await listing.page_json(
        actor, view=view, limit=limit, offset=offset, states=states, q=q, overdue=overdue,
        directive_id=directive_id, unit_id=unit_id, parent_id=parent_id,
    )


async def get_task(actor: Actor, task_id: int) -> dict[str, Any]:
    ctx = await _load(actor, task_id)
    today = clock.today_vn()
    row = ctx.row
    assignees = await TaskAssignee.select(
        TaskAssignee.person, TaskAssignee.is_main, TaskAssignee.person.full_name, TaskAssignee.person.title
    ).where((TaskAssignee.task == task_id) & TaskAssignee.removed_at.is_null())
    coordinating = await TaskCoordinatingUnit.select(TaskCoordinatingUnit.unit, TaskCoordinatingUnit.unit.name).where(
        TaskCoordinatingUnit.task == task_id
    )
    history = (await _histories([task_id])).get(task_id, [])
    deadlines = await TaskDeadline.select(
        TaskDeadline.deadline, TaskDeadline.previous, TaskDeadline.reason, TaskDeadline.set_at,
        TaskDeadline.set_by.full_name,
    ).where(TaskDeadline.task == task_id).order_by(TaskDeadline.id)
    extensions = await ExtensionRequest.select(
        ExtensionRequest.id, ExtensionRequest.requested_deadline, ExtensionRequest.reason, ExtensionRequest.state,
        ExtensionRequest.decision_note, ExtensionRequest.created_at, ExtensionRequest.requested_by.full_name,
    ).where(ExtensionRequest.task == task_id).order_by(ExtensionRequest.id)
    reports = await ProgressReport.select(
        ProgressReport.id, ProgressReport.note, ProgressReport.percent, ProgressReport.latitude,
        ProgressReport.longitude, ProgressReport.accuracy_m, ProgressReport.captured_at, ProgressReport.received_at,
        ProgressReport.refused_reason, ProgressReport.author.full_name,
    ).where(ProgressReport.task == task_id).order_by(ProgressReport.id)
    from server.media.services import list_attachments

    photos: dict[int, list[dict[str, Any]]] = {}
    for attachment in await list_attachments("progress_report", [p["id"] for p in reports]):
        photos.setdefault(attachment["owner_id"], []).append(attachment)
    subtasks = await list_tasks(actor, view="scope", parent_id=task_id, limit=200)
    parent = None
    if row["parent"] is not None and await _visible(actor, row["parent"]):
        parent_row = await Task.select(Task.id, Task.title).where(Task.id == row["parent"]).first()
        parent = parent_row
    directive = None
    if row["directive"] is not None:
        from server.directives.services import directive_brief

        directive = await directive_brief(row["directive"])
    summary = _summary({**row, "lead_unit.name": await _unit_name(row["lead_unit"])}, today)
    part_names = await task_parts.assignee_names([sub["id"] for sub in subtasks["items"]])
    parts_evidence = (await task_parts.parts_evidence([task_id])).get(task_id, []) if subtasks["items"] else []
    latest_of_part = {part["id"]: part["latest_report"] for part in parts_evidence}
    return {
        **summary,
        "description": row["description"],
        "source_ref": row["source_ref"],
        "deadline_working_days": row["deadline_working_days"],
        "assigned_at": row["assigned_at"],
        "created_at": row["created_at"],
        "submitted_at": row["submitted_at"],
        "completed_at": row["completed_at"],
        "approved_at": row["approved_at"],
        "cancelled_reason": row["cancelled_reason"],
        "assignees": [
            {"id": a["person"], "full_name": a["person.full_name"], "title": a["person.title"], "is_main": a["is_main"]}
            for a in assignees
        ],
        "coordinating_units": [{"id": c["unit"], "name": c["unit.name"]} for c in coordinating],
        "history": history,
        "deadlines": [
            {"deadline": d["deadline"], "previous": d["previous"], "reason": task_revision.shown_note(d["reason"]),
             "set_at": d["set_at"], "set_by": d["set_by.full_name"]}
            for d in deadlines
        ],
        "extensions": [
            {"id": x["id"], "requested_deadline": x["requested_deadline"], "reason": x["reason"], "state": x["state"],
             "decision_note": x["decision_note"], "created_at": x["created_at"],
             "requested_by": x["requested_by.full_name"]}
            for x in extensions
        ],
        "progress_reports": [
            {"id": p["id"], "note": p["note"], "percent": p["percent"], "latitude": p["latitude"],
             "longitude": p["longitude"], "accuracy_m": p["accuracy_m"], "captured_at": p["captured_at"],
             "received_at": p["received_at"], "refused_reason": p["refused_reason"], "author": p["author.full_name"],
             "attachments": photos.get(p["id"], [])}
            for p in reports
        ],
        "subtasks": [{**sub, "assignees": part_names.get(sub["id"], []),
                      "latest_report": latest_of_part.get(sub["id"])} for sub in subtasks["items"]],
        # Each part's latest report and photos: what the unit head submits the parent with.
        "parts_evidence": parts_evidence,
        "parent": parent,
        # Read-only, for whoever works on a part: what the parent says about the place and the problem.
        "parent_context": await task_parts.parent_context(row),
        "citizen_report": await task_parts.report_context(task_id, row),
        "directive": directive,
        "allowed_actions": allowed_actions(actor, ctx),
        "can_split": _is_manager(actor, ctx) and ctx.state not in CLOSED_STATES,
        "can_report": actor.id in ctx.assignee_ids or _is_manager(actor, ctx),
    }


async def _unit_name(unit_id: int) -> str:
    row = await Unit.select(Unit.name).where(Unit.id == unit_id).first()
    return row["name"] if row else ""


async def _histories(task_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The history of several tasks in one query, each oldest first."""
    if not task_ids:
        return {}
    rows = await TaskEvent.select(
        TaskEvent.id, TaskEvent.task, TaskEvent.kind, TaskEvent.from_state, TaskEvent.to_state, TaskEvent.note,
        TaskEvent.refused, TaskEvent.captured_at, TaskEvent.received_at, TaskEvent.actor.full_name,
        TaskEvent.progress_report,
    ).where(TaskEvent.task.is_in(task_ids)).order_by(TaskEvent.id)
    grouped: dict[int, list[dict[str, Any]]] = {}
    for e in rows:
        grouped.setdefault(e["task"], []).append(
            {
                "kind": e["kind"],
                "from_state": e["from_state"],
                "to_state": e["to_state"],
                "note": task_revision.shown_note(e["note"]) if e["kind"] == task_revision.REVISED else e["note"],
                "refused": e["refused"],
                "actor": e["actor.full_name"],
                "captured_at": e["captured_at"],
                "received_at": e["received_at"],
                "progress_report_id": e["progress_report"],
            }
        )
    return grouped


async def histories(actor: Actor, task_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The histories of the tasks among `task_ids` that the actor can see (e.g. a task's parts)."""
    return await _histories(sorted(await task_ids_visible(actor, task_ids)))


async def _approval_context(ids: list[int], items: list[dict[str, Any]]) -> None:
    """What a leader judges a submission by, for the whole queue in four queries (not one detail per item):
    the note sent with the result, the latest accepted progress report with its photos and place, the photos of
    the first report that had any (the "before"), the parent."""
    from server.media.services import list_attachments

    submits = await TaskEvent.select(TaskEvent.task, TaskEvent.note, TaskEvent.actor.full_name).where(
        TaskEvent.task.is_in(ids) & (TaskEvent.kind == "transition") & (TaskEvent.to_state == "submitted")
    ).order_by(TaskEvent.id)
    last_submit = {row["task"]: row for row in submits}
    reports = await task_parts.accepted_reports(ids)
    last_report = {row["task"]: row for row in reports}
    photos: dict[int, list[dict[str, Any]]] = {}
    for attachment in await list_attachments("progress_report", [r["id"] for r in reports]):
        photos.setdefault(attachment["owner_id"], []).append(attachment)
    # "Before" photos: those of the first report that had any, when the latest report is another one.
    first_with_photos: dict[int, dict[str, Any]] = {}
    for report in reports:
        if photos.get(report["id"]):
            first_with_photos.setdefault(report["task"], report)
    parts = await task_parts.parts_evidence(ids)
    candidates = await task_parts.evidence_photos_of(
        [item["id"] for item in items if item["source"] in task_parts.REPORT_SOURCES and item["parent_id"] is None]
    )
    parent_ids = sorted({item["parent_id"] for item in items if item["parent_id"]})
    parents = {row["id"]: row for row in await Task.select(Task.id, Task.title).where(Task.id.is_in(parent_ids))} \
        if parent_ids else {}
    for item in items:
        submit = last_submit.get(item["id"])
        item["submit_note"] = submit["note"] if submit else ""
        item["submitted_by"] = submit["actor.full_name"] if submit else ""
        report = last_report.get(item["id"])
        item["latest_report"] = None if report is None else task_parts.report_brief(report, photos)
        first = first_with_photos.get(item["id"])
        item["before_photos"] = photos[first["id"]] if first and report and first["id"] != report["id"] else []
        item["parent"] = parents.get(item["parent_id"])
        item["parts"] = parts.get(item["id"], [])
        # A citizen's answer: the approver picks its public "after" photos (by default the submission's).
        item["public_photo_candidates"] = candidates.get(item["id"], [])


async def approval_queue(actor: Actor, limit: int = 100) -> list[dict[str, Any]]:
    """Submitted tasks this actor may approve, oldest submission first."""
    if not actor.manages_units:
        return []
    pattern = f"{actor.unit_path}%"
    # Parts of a split task go to whoever manages the parent's unit; top-level tasks go to leaders.
    clauses = ["t.parent IN (SELECT p.id FROM tasks p JOIN units pu ON pu.id = p.lead_unit WHERE pu.path LIKE {})"]
    if actor.is_leader:
        clauses.append("(t.parent IS NULL AND t.lead_unit IN (SELECT u.id FROM units u WHERE u.path LIKE {}))")
    sql = (
        "SELECT t.id FROM tasks t WHERE t.state = 'submitted' AND (" + " OR ".join(clauses) + ")"
        f" ORDER BY t.submitted_at LIMIT {max(1, min(limit, 500))}"
    )
    ids = [row["id"] for row in await Task.raw(sql, *([pattern] * len(clauses)))]
    if not ids:
        return []
    today = clock.today_vn()
    rows = await Task.select(*SUMMARY_COLUMNS, Task.submitted_at).where(Task.id.is_in(ids))
    by_id = {row["id"]: row for row in rows}
    items = [{**_summary(by_id[i], today), "submitted_at": by_id[i]["submitted_at"]} for i in ids]
    await _approval_context(ids, items)
    return items


async def task_ids_visible(actor: Actor, task_ids: list[int]) -> set[int]:
    if not task_ids:
        return set()
    predicate, args = visibility_sql(actor)
    placeholders = ", ".join("{}" for _ in task_ids)
    rows = await Task.raw(f"SELECT t.id FROM tasks t WHERE t.id IN ({placeholders}) AND {predicate}", *task_ids, *args)
    return {row["id"] for row in rows}


async def progress_report_task(actor: Actor, report_id: int, *, for_upload: bool) -> int:
    """The task a progress report belongs to, if the actor may see it (or, to upload photos, wrote it)."""
    row = await ProgressReport.select(ProgressReport.task, ProgressReport.author).where(
        ProgressReport.id == report_id
    ).first()
    if row is None:
        raise NotFound("progress_not_found", "Không tìm thấy báo cáo tiến độ")
    if for_upload:
        # The author keeps adding the report's photos even when the report was refused (offline contract);
        # others who can see the report may look, not add.
        if row["author"] != actor.id:
            if await _visible(actor, row["task"]):
                raise Forbidden("progress_not_author", "Chỉ người viết báo cáo được thêm ảnh vào báo cáo")
            raise NotFound("progress_not_found", "Không tìm thấy báo cáo tiến độ")
        return row["task"]
    if row["author"] != actor.id and not await _visible(actor, row["task"]):
        raise NotFound("progress_not_found", "Không tìm thấy báo cáo tiến độ")
    return row["task"]
