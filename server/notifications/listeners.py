"""Notices that follow from the tasks domain's events (server/tasks/events.py), not from a call by tasks.

- "parts_done": every part of a task is done; its unit head (and whoever the task is assigned to) is told
  to submit the task with the parts' evidence.
"""

from __future__ import annotations

PARTS_DONE_TITLE = "Các phần việc đã hoàn thành: {title}"
PARTS_DONE_BODY = "Hãy gửi kết quả của nhiệm vụ để duyệt, kèm minh chứng của các phần việc."


async def on_parts_done(task_id: int, action: str) -> None:
    """After commit: tell the parent's unit head and assignees, once per number of parts done."""
    if action != "parts_done":
        return
    from server.lib import i18n
    from server.notifications.services import _managers_of, _people, _task_facts, notify, task_link
    from server.tasks.tables import Task

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
    from server.tasks.events import on_task_changed

    on_task_changed(on_parts_done)
