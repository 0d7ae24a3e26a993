"""Who is told what when a task changes: the notifications domain's listeners of the tasks' events
(server/tasks/events.py). Tasks publish; nothing in tasks calls notifications.

- In the transaction (the inbox item exists exactly when the change does): a transition (assigned,
  submitted, returned, approved, cancelled), people newly assigned, a comment, an extension asked for or
  decided, a chase (nhắc việc: the assignees of a late task are reminded; the chase learns how many were told).
- After commit: "parts_done": every part of a task is done; its unit head (and whoever the task is assigned
  to) is told to submit the task with the parts' evidence.
"""

from __future__ import annotations

from typing import Any

from server.lib import i18n
from server.notifications.inbox import (
    DEADLINE_LINE,
    EVENT_TITLES,
    RETURN_REASON_LINE,
    _managers_of,
    _people,
    notify,
    task_link,
)
from server.people.tables import Person
from server.tasks.events import TaskChange, on_task_change, on_task_changed
from server.tasks.tables import Task, TaskAssignee

# What the people concerned are told about each transition.
NOTICE_OF_ACTION = {
    "assign": "assigned",
    "submit": "submitted",
    "return": "returned",
    "approve": "approved",
    "cancel": "cancelled",
}
PARTS_DONE_TITLE = "Các phần việc đã hoàn thành: {title}"
PARTS_DONE_BODY = "Hãy gửi kết quả của nhiệm vụ để duyệt, kèm minh chứng của các phần việc."
CHASE_TITLE = "Nhắc việc: {title}"
CHASE_DEADLINE_LINE = "Hạn xử lý: {deadline}"


REPORT_SOURCES = frozenset({"citizen_report", "petition"})


async def _task_facts(task_id: int) -> dict[str, Any] | None:
    # A read-only look at the tasks domain's tables, by the id the event carries.
    row = await Task.select(
        Task.id, Task.title, Task.state, Task.deadline, Task.lead_unit, Task.lead_unit.path, Task.lead_unit.name,
        Task.parent, Task.parent.lead_unit.path, Task.source, Task.source_ref,
    ).where(Task.id == task_id).first()
    if row is None:
        return None
    assignees = await TaskAssignee.select(TaskAssignee.person).where(
        (TaskAssignee.task == task_id) & TaskAssignee.removed_at.is_null()
    )
    row["assignee_ids"] = sorted({a["person"] for a in assignees})
    return row


async def _approvers(task: dict[str, Any]) -> list[int]:
    """A top-level task is approved by the jurisdiction's leaders; a split part by the parent unit's head."""
    parent_path = task.get("parent.lead_unit.path")
    if task.get("parent") is None or not parent_path:
        return await _managers_of(task["lead_unit.path"], "leader")
    return await _managers_of(parent_path, "unit_head") or await _managers_of(parent_path, "leader")


async def on_task_event(kind: str, task_id: int, actor_id: int | None, **info: Any) -> list[int]:
    """Tell the people concerned that something happened to a task. Called by the tasks' events' listener below,
    inside the task's write transaction, after the change: the inbox item exists exactly when the change does.

    kind: assigned (info person_ids: the newly assigned, default all current assignees), submitted, returned
    (info reason), approved, cancelled (info reason), extension_requested, extension_decided (info approved:
    bool, requested_by: person id), comment (info note). The actor is never told about their own act.
    """
    task = await _task_facts(task_id)
    if task is None:
        return []
    assignees: list[int] = task["assignee_ids"]
    note = str(info.get("reason") or info.get("note") or "")
    if kind == "assigned":
        recipients = list(info.get("person_ids") or assignees)
    elif kind in {"submitted", "extension_requested"}:
        recipients = await _approvers(task)
    elif kind in {"returned", "approved", "cancelled"}:
        recipients = assignees or await _managers_of(task["lead_unit.path"], "unit_head")
    elif kind == "extension_decided":
        kind = "extension_approved" if info.get("approved") else "extension_rejected"
        requester = info.get("requested_by")
        recipients = [int(requester)] if requester else assignees
    elif kind == "comment":
        recipients = sorted(set(assignees) | set(await _managers_of(task["lead_unit.path"], "unit_head")))
    else:
        raise ValueError(f"unknown task event {kind!r}")
    recipients = sorted({int(p) for p in recipients} - {actor_id} if actor_id else {int(p) for p in recipients})
    notices = [(person_id, kind) for person_id in recipients]
    # A citizen report (or voter petition) accepted for a unit: its head is told the report is theirs now.
    if kind == "assigned" and not info.get("person_ids") and task.get("source") in REPORT_SOURCES:
        heads = await _managers_of(task["lead_unit.path"], "unit_head")
        notices += [(head, "report_routed") for head in heads if head != actor_id and head not in recipients]
    people = await _people(sorted({person_id for person_id, _ in notices}))
    deadline = i18n.format_date(task["deadline"]) if task["deadline"] else ""
    mail_context = {
        "task_title": task["title"], "deadline": deadline, "note": note[:2000], "unit_name": task["lead_unit.name"],
        "approved": bool(info.get("approved")), "report_code": task.get("source_ref") or "",
    }
    created: list[int] = []
    for person_id, notice in notices:
        if person_id not in people:
            continue
        locale = people[person_id]["locale"]
        title = i18n.gettext_in(locale, EVENT_TITLES[notice], title=task["title"], code=task.get("source_ref") or "")
        lines = []
        if note and notice == "returned":  # what to mend, said as such in the push and the inbox
            lines.append(i18n.gettext_in(locale, RETURN_REASON_LINE, reason=note[:300]))
        elif note:
            lines.append(note[:300])
        if task["deadline"] and notice in {"assigned", "returned", "extension_approved", "report_routed"}:
            lines.append(i18n.gettext_in(locale, DEADLINE_LINE, deadline=deadline))
        notification_id = await notify(
            person_id, notice, title, "\n".join(lines), link=task_link(task_id), task_id=task_id,
            mail_context=mail_context,
        )
        if notification_id:
            created.append(notification_id)
    return created


async def on_task_change_notify(change: TaskChange) -> None:
    """In the task's write transaction: the inbox items (and their deliveries) that follow from the change."""
    action, info, task_id, actor_id = change.action, change.info, change.task_id, change.actor_id
    notice = NOTICE_OF_ACTION.get(action)
    if notice:
        await on_task_event(notice, task_id, actor_id, reason=info.get("reason", ""))
    elif action == "assignees":
        if info.get("added") and info.get("state") != "draft":
            await on_task_event("assigned", task_id, actor_id, person_ids=info["added"])
    elif action == "comment":
        await on_task_event("comment", task_id, actor_id, note=info.get("note", ""))
    elif action == "extension_requested":
        await on_task_event("extension_requested", task_id, actor_id, note=info.get("note", ""))
    elif action in ("deadline", "extension_rejected") and "extension" in info:
        await on_task_event("extension_decided", task_id, actor_id, approved=info.get("approved", False),
                            requested_by=info.get("requested_by"), note=info.get("note", ""))
    elif action == "chase":
        change.outcome["notified"] = await _chase(change)


async def _chase(change: TaskChange) -> int:
    """Remind each assignee chased (inbox and push), once per chase (the chase's history entry dedupes)."""
    task = await _task_facts(change.task_id)
    recipients = list(change.info.get("recipients") or [])
    if task is None or not recipients:
        return 0
    note = str(change.info.get("note") or "")
    people = await Person.select(Person.id, Person.locale).where(Person.id.is_in(recipients)).order_by(
        Person.full_name
    )
    notified = 0
    for person in people:
        locale = person["locale"]
        lines = [note] if note else []
        if task["deadline"] is not None:
            lines.append(i18n.gettext_in(locale, CHASE_DEADLINE_LINE, deadline=i18n.format_date(task["deadline"])))
        sent = await notify(
            person["id"], "chase", i18n.gettext_in(locale, CHASE_TITLE, title=task["title"]), "\n".join(lines),
            link=task_link(change.task_id), task_id=change.task_id,
            dedupe_key=f"chase:{change.info['event_id']}:{person['id']}",
        )
        notified += 1 if sent else 0
    return notified


async def on_parts_done(task_id: int, action: str) -> None:
    """After commit: tell the parent's unit head and assignees, once per number of parts done."""
    if action != "parts_done":
        return
    task = await _task_facts(task_id)
    if task is None:
        return
    done = await Task.count().where((Task.parent == task_id) & (Task.state == "done"))
    recipients = sorted(set(await _managers_of(task["lead_unit.path"], "unit_head")) | set(task["assignee_ids"]))
    people = await _people(recipients)
    for person_id in recipients:
        if person_id not in people:
            continue
        locale = people[person_id]["locale"]
        await notify(
            person_id, "parts_done", i18n.gettext_in(locale, PARTS_DONE_TITLE, title=task["title"]),
            i18n.gettext_in(locale, PARTS_DONE_BODY), link=task_link(task_id), task_id=task_id,
            dedupe_key=f"parts_done:{task_id}:{done}:{person_id}", push_as="submitted",
            mail_context={"task_title": task["title"], "unit_name": task["lead_unit.name"], "deadline": "",
                          "note": i18n.gettext_in(locale, PARTS_DONE_BODY),
                          "report_code": task.get("source_ref") or ""},
        )


def subscribe() -> None:
    """Listen to the tasks' events (idempotent: a second subscription is ignored)."""
    on_task_change(on_task_change_notify, in_transaction=True)
    on_task_changed(on_parts_done)
