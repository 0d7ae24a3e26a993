"""The parts of a task (the unit head splits a task among officers) and their parent.

- A part's worker sees, read-only, what the parent says about the place and the problem: its description,
  the directive, the report's address and point, the citizen's photos (as stripped copies, through a URL that
  checks the part). Nothing else of the parent: not its history, its other parts or its comments.
- The parent follows its parts (lifecycle.follow_parent, since it may move the parent's state): its progress is
  the mean of theirs (a done part counts 100, a cancelled one not at all); it is in progress as soon as one of
  them is; when all are done, its unit head is told (through the tasks events: the notifications domain listens
  for "parts_done").
- The evidence of a task is the photos of its and its parts' accepted progress reports; the "after" photos of
  a citizen's answer are chosen among them.
"""

from __future__ import annotations

from typing import Any

from server.lib.errors import Invalid, NotFound
from server.tasks.sources import report_place
from server.tasks.tables import ProgressReport, Task, TaskAssignee, TaskState

REPORT_SOURCES = frozenset({"citizen_report", "petition"})
PARTS_DONE = "parts_done"
MAX_PARTS = 200


def map_url(latitude: float, longitude: float) -> str:
    return f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}#map=18/{latitude}/{longitude}"


def citizen_photo_url(task_id: int, photo_id: int, size: str) -> str:
    return f"/api/v1/tasks/{task_id}/citizen-photos/{photo_id}/{size}"


async def report_context(task_id: int, row: dict[str, Any]) -> dict[str, Any] | None:
    """The citizen's report a task (or a part of it: parts keep the parent's source) was made from: its
    address, point and photos, the photos behind URLs that check this task."""
    if row["source"] not in REPORT_SOURCES or not row["source_ref"]:
        return None
    place = await report_place(row["source_ref"])
    if place is None:
        return None
    has_point = place["latitude"] is not None and place["longitude"] is not None
    return {
        "code": place["code"],
        "address": place["address"],
        "latitude": place["latitude"],
        "longitude": place["longitude"],
        "map_url": map_url(place["latitude"], place["longitude"]) if has_point else None,
        "photos": [
            {"id": photo_id, "thumb_url": citizen_photo_url(task_id, photo_id, "thumb"),
             "display_url": citizen_photo_url(task_id, photo_id, "display")}
            for photo_id in place["photo_ids"]
        ],
    }


async def parent_context(row: dict[str, Any]) -> dict[str, Any] | None:
    """What a part's worker needs from the parent, read-only: its title, description and directive."""
    if row["parent"] is None:
        return None
    parent = await Task.select(Task.id, Task.title, Task.description, Task.directive).where(
        Task.id == row["parent"]
    ).first()
    if parent is None:  # pragma: no cover - a foreign key
        return None
    directive = None
    if parent["directive"] is not None:
        from server.directives.services import directive_brief

        directive = await directive_brief(parent["directive"])
    return {"id": parent["id"], "title": parent["title"], "description": parent["description"],
            "directive": directive}


async def report_code_of(task_id: int) -> str:
    """The tracking code of the report the (visible) task was made from, for its citizen-photo URLs."""
    row = await Task.select(Task.source, Task.source_ref).where(Task.id == task_id).first()
    if row is None or row["source"] not in REPORT_SOURCES or not row["source_ref"]:
        raise NotFound("photo_not_found", "Không tìm thấy ảnh")
    return row["source_ref"]


async def assignee_names(task_ids: list[int]) -> dict[int, list[str]]:
    """The current assignees' names of several tasks in one query, main assignee first."""
    if not task_ids:
        return {}
    rows = await TaskAssignee.select(TaskAssignee.task, TaskAssignee.person.full_name, TaskAssignee.is_main).where(
        TaskAssignee.task.is_in(task_ids) & TaskAssignee.removed_at.is_null()
    ).order_by(TaskAssignee.id)
    names: dict[int, list[str]] = {}
    for row in sorted(rows, key=lambda r: not r["is_main"]):
        names.setdefault(row["task"], []).append(row["person.full_name"])
    return names


async def accepted_reports(task_ids: list[int]) -> list[dict[str, Any]]:
    """The tasks' accepted (not refused) progress reports, oldest first, with what a card shows of each."""
    return await ProgressReport.select(
        ProgressReport.id, ProgressReport.task, ProgressReport.note, ProgressReport.percent,
        ProgressReport.latitude, ProgressReport.longitude, ProgressReport.accuracy_m, ProgressReport.captured_at,
        ProgressReport.author.full_name,
    ).where(ProgressReport.task.is_in(task_ids) & ProgressReport.refused_reason.is_null()).order_by(ProgressReport.id)


def report_brief(report: dict[str, Any], photos: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    """One report of `accepted_reports` as the approval card and the parts' evidence show it, with its photos."""
    return {
        "id": report["id"], "note": report["note"], "percent": report["percent"], "latitude": report["latitude"],
        "longitude": report["longitude"], "accuracy_m": report["accuracy_m"], "captured_at": report["captured_at"],
        "author": report["author.full_name"], "attachments": photos.get(report["id"], []),
    }


async def _latest_reports(task_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each task's latest accepted progress report, with its photos and place."""
    from server.media.services import list_attachments

    if not task_ids:
        return {}
    latest = {row["task"]: row for row in await accepted_reports(task_ids)}
    photos: dict[int, list[dict[str, Any]]] = {}
    for attachment in await list_attachments("progress_report", [r["id"] for r in latest.values()]):
        photos.setdefault(attachment["owner_id"], []).append(attachment)
    return {task_id: report_brief(r, photos) for task_id, r in latest.items()}


async def parts_evidence(parent_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """For each parent, its parts (not cancelled) with their assignees and latest report: what the unit head
    submits and the approver judges the parent by."""
    if not parent_ids:
        return {}
    parts = await Task.select(
        Task.id, Task.parent, Task.title, Task.state, Task.progress_percent, Task.deadline,
    ).where(Task.parent.is_in(parent_ids) & (Task.state != TaskState.cancelled.value)).order_by(Task.id)
    ids = [p["id"] for p in parts]
    names = await assignee_names(ids)
    latest = await _latest_reports(ids)
    grouped: dict[int, list[dict[str, Any]]] = {}
    for part in parts:
        grouped.setdefault(part["parent"], []).append({
            "id": part["id"], "title": part["title"], "state": part["state"], "deadline": part["deadline"],
            "progress_percent": part["progress_percent"], "assignees": names.get(part["id"], []),
            "latest_report": latest.get(part["id"]),
        })
    return grouped


# ---------------------------------------------------------------- the parent follows its parts


def parts_percent(parts: list[dict[str, Any]]) -> int | None:
    """The mean progress of the parts that count (a done part is 100%, a cancelled one does not count)."""
    counted = [100 if p["state"] == TaskState.done.value else int(p["progress_percent"] or 0)
               for p in parts if p["state"] != TaskState.cancelled.value]
    if not counted:
        return None
    return round(sum(counted) / len(counted))


STARTED = frozenset({TaskState.in_progress.value, TaskState.submitted.value, TaskState.done.value})


# ---------------------------------------------------------------- evidence and the public "after" photos


async def _families(task_ids: list[int]) -> dict[int, int]:
    """Each of the tasks, their parts and theirs (a part may be split again), not cancelled ones, mapped to the
    task among `task_ids` they belong to: one query per level, whatever the number of tasks."""
    root_of = {task_id: task_id for task_id in task_ids}
    frontier = list(task_ids)
    while frontier and len(root_of) < MAX_PARTS * max(1, len(task_ids)):
        rows = await Task.select(Task.id, Task.parent).where(
            Task.parent.is_in(frontier) & (Task.state != TaskState.cancelled.value)
        )
        frontier = [r["id"] for r in rows if r["id"] not in root_of]
        root_of.update({r["id"]: root_of[r["parent"]] for r in rows})
    return root_of


async def evidence_photos_of(task_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """For each task, the photos of the accepted progress reports of it and its parts, oldest first, each marked
    `default` when it belongs to the approved submission: the latest report with photos of each of them."""
    from server.media.services import is_image, list_attachments

    if not task_ids:
        return {}
    root_of = await _families(task_ids)
    reports = await ProgressReport.select(ProgressReport.id, ProgressReport.task).where(
        ProgressReport.task.is_in(list(root_of)) & ProgressReport.refused_reason.is_null()
    ).order_by(ProgressReport.id)
    task_of = {r["id"]: r["task"] for r in reports}
    photos = [a for a in await list_attachments("progress_report", list(task_of)) if is_image(a["content_type"])]
    latest_with_photos: dict[int, int] = {}
    for photo in photos:
        task = task_of[photo["owner_id"]]
        latest_with_photos[task] = max(latest_with_photos.get(task, 0), photo["owner_id"])
    defaults = set(latest_with_photos.values())
    grouped: dict[int, list[dict[str, Any]]] = {task_id: [] for task_id in task_ids}
    for photo in photos:
        task = task_of[photo["owner_id"]]
        grouped[root_of[task]].append({**photo, "task_id": task, "default": photo["owner_id"] in defaults})
    return grouped


async def evidence_photos(task_id: int) -> list[dict[str, Any]]:
    return (await evidence_photos_of([task_id]))[task_id]


async def check_public_choice(task_id: int, photo_ids: list[int]) -> list[int]:
    """The chosen public photos, each of which must be evidence of this task or its parts."""
    known = {photo["id"] for photo in await evidence_photos(task_id)}
    chosen = sorted(set(photo_ids))
    if any(photo_id not in known for photo_id in chosen):
        raise Invalid("public_photo_invalid", "Ảnh được chọn công khai không thuộc nhiệm vụ này")
    return chosen
