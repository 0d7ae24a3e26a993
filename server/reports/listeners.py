"""What a citizen's report does when the task made from it moves: the reports domain's listener of the tasks'
events (server/tasks/events.py), after commit. Tasks publish; nothing in tasks calls reports.

approve → the unit's submitted result becomes the public answer, its photos the "after" photos, and the report
is resolved; submit/return → a public timeline step (no text); cancel → back to triage.
"""

from __future__ import annotations

from typing import Any

from server.audit import services as audit
from server.lib import clock
from server.lib.db import write_transaction
from server.reports import photos as photo_work
from server.reports.answer import after_photo_shas
from server.reports.events import report_changed
from server.reports.services import SYSTEM_READER, _event, _mail, _queue_photo_job
from server.reports.tables import Report, ReportPhoto, ReportStatus
from server.tasks.events import TaskChange, on_task_change
from server.tasks.services import get_task

# The task's moves a report's timeline follows; the others (start, assign, progress, ...) leave it as it is.
FOLLOWED_ACTIONS = frozenset({"submit", "return", "cancel", "approve"})


async def on_task_transition(change: TaskChange) -> None:
    """After commit of any task's change; acts only on the transitions of tasks made from a report."""
    task_id, action = change.task_id, change.action
    if action not in FOLLOWED_ACTIONS:
        return
    report = await Report.select(Report.id, Report.status, Report.code).where(Report.task_id == task_id).first()
    if report is None:
        return
    now = clock.now()
    if action in ("submit", "return"):
        await _event(report["id"], "submitted" if action == "submit" else "returned", at=now)
        return
    if action == "cancel":
        async with write_transaction():
            await Report.update({Report.status: ReportStatus.new.value, Report.task_id: None, Report.unit: None,
                                 Report.updated_at: now}).where(Report.id == report["id"])
            await _event(report["id"], "reopened", at=now)
        return
    if report["status"] == ReportStatus.resolved.value:
        return
    task = await get_task(SYSTEM_READER, task_id)
    answer = change.info.get("answer") or answer_of(task)
    # The officers' photos are often on the parts: the approver chose among the task's and its parts' evidence,
    # else those of the approved submission are published.
    after_shas = await after_photo_shas(task_id, change.info.get("public_photo_ids"))
    async with write_transaction():
        await Report.update({Report.status: ReportStatus.resolved.value, Report.public_answer: answer,
                             Report.resolved_at: now, Report.updated_at: now}).where(Report.id == report["id"])
        existing = {r["original_sha256"] for r in await ReportPhoto.select(ReportPhoto.original_sha256).where(
            (ReportPhoto.report == report["id"]) & (ReportPhoto.kind == "after"))}
        for position, sha in enumerate(after_shas[:photo_work.MAX_PHOTOS]):
            if sha not in existing:
                await ReportPhoto.insert(ReportPhoto(report=report["id"], kind="after", original_sha256=sha,
                                                     position=position, created_at=now))
        await _event(report["id"], "answered", note=answer, at=now)
        await _event(report["id"], "resolved", at=now)
        await report_changed(report["id"], "resolved", actor_id=change.actor_id)
        await audit.record(actor_id=change.actor_id, action="report.resolve", entity="report",
                           entity_id=report["id"], after={"task": task_id})
        if after_shas:  # the "after" photos' public copies, by the worker too (not in the leader's request)
            await _queue_photo_job(report["id"], "after")
    await _mail(report["id"], "Phản ánh đã được giải quyết", "Trả lời: {answer}\n\nBạn có thể đánh giá câu trả lời "
                "bằng đường dẫn riêng đã nhận khi gửi phản ánh.", answer=answer)


def answer_of(task: dict[str, Any]) -> str:
    """The note of the submission the leader approved, else the last progress report's note."""
    for event in reversed(task["history"]):
        if event["kind"] == "transition" and event["to_state"] == "submitted" and (event["note"] or "").strip():
            return event["note"].strip()
    for progress in reversed(task["progress_reports"]):
        if (progress["note"] or "").strip():
            return progress["note"].strip()
    return "Đơn vị đã xử lý xong."


def subscribe() -> None:
    """Listen to the tasks' events (idempotent: a second subscription is ignored)."""
    on_task_change(on_task_transition)
