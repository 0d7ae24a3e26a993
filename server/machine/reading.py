"""What a key with a read scope may read: the state of the tasks of a directive it imported (tasks:read), and
the citizens' reports as the public portal shows them (reports:read)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.directives import services as directives
from server.lib.errors import NotFound
from server.machine.importing import revisions
from server.machine.keys import KeyHolder
from server.machine.tables import DirectiveImport, DirectiveImportTask
from server.people.services import Actor
from server.tasks.tables import Task


async def imported_directive(holder: KeyHolder, actor: Actor, directive_id: int) -> dict[str, Any]:
    """Only a directive that came through the import, in the key's jurisdiction; only the tasks led within the
    key's unit. Anything else is "not found"."""
    ledger = await DirectiveImport.select(DirectiveImport.id, DirectiveImport.revision).where(
        DirectiveImport.directive == directive_id).first()
    if ledger is None or not await directives.directive_exists_in_scope(actor, directive_id):
        raise NotFound("directive_not_found", "Không tìm thấy văn bản chỉ đạo")
    directive = await directives.get_directive_row(directive_id)
    refs = {row["task"]: row["ref"] for row in await DirectiveImportTask.select(
        DirectiveImportTask.task, DirectiveImportTask.ref).where(DirectiveImportTask.directive_import == ledger["id"])}
    rows = await Task.select(
        Task.id, Task.title, Task.state, Task.deadline, Task.progress_percent, Task.completed_at, Task.updated_at,
        Task.lead_unit.code,
    ).where((Task.directive == directive_id) & Task.parent.is_null()
            & Task.lead_unit.path.like(f"{holder.unit_path}%")).order_by(Task.id)
    tasks = [{"task_id": row["id"], "ref": refs.get(row["id"]), "title": row["title"], "state": row["state"],
              "deadline": row["deadline"], "lead_unit": row["lead_unit.code"],
              "progress_percent": row["progress_percent"], "completed_at": row["completed_at"],
              "updated_at": row["updated_at"]} for row in rows]
    return {**directive, "revision": ledger["revision"], "revisions": await revisions(directive_id),
            "tasks": tasks}


async def public_reports(
    *, date_from: dt.date | None, date_to: dt.date | None, limit: int, offset: int
) -> dict[str, Any]:
    from server.reports.public import public_list

    return await public_list(date_from=date_from, date_to=date_to, limit=limit, offset=offset)
