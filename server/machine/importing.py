"""A directive sent by another system (the office's document system) with its PDF and its tasks.

Idempotent on the directive's identity: the key's jurisdiction, the issuing body, the number and symbol (số ký
hiệu) and the issue date (`natural_key`). The first send creates the directive, attaches the PDF (its text
becomes searchable, as on the desk) and gives the tasks; an identical resend writes nothing and answers with
the same directive; a corrected resend is a revision: the directive's fields are updated, new tasks are
given, tasks nobody has started take their new title, description, deadline, lead unit, coordinating units and
priority (server/tasks/revision.py: a started or split task keeps them), and `directive_revisions` keeps what
changed. Everything happens in one transaction: an unknown unit code, a deadline in the past, a damaged
PDF leave nothing behind.

It lives in `machine`, above directives and tasks, so that neither of those imports the other for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import msgspec

from server.audit import services as audit
from server.directives import importing as directive_import
from server.directives import services as directives
from server.lib import clock
from server.lib.db import is_sqlite, write_transaction
from server.lib.errors import DomainError, Invalid
from server.lib.i18n import gettext as _
from server.lib.jsontext import to_json
from server.machine.keys import KeyHolder
from server.machine.tables import DirectiveImport, DirectiveImportTask, DirectiveRevision
from server.people.services import Actor
from server.tasks import creation as task_creation
from server.tasks import revision as task_revision
from server.tasks.tables import Task
from server.units.tables import Unit

MAX_TASKS = 200
PDF_NAME = "van-ban.pdf"


class TaskIn(msgspec.Struct, forbid_unknown_fields=True):
    """One task of the directive. `ref` is the sender's own id for it (default: its place in the list, 1, 2…):
    a corrected resend updates the task with the same ref."""

    title: str
    lead_unit: str
    ref: str = ""
    description: str = ""
    coordinating_units: list[str] = msgspec.field(default_factory=list)
    deadline: dt.date | None = None
    working_days: int | None = None
    priority: str = "normal"


class DirectiveIn(msgspec.Struct, forbid_unknown_fields=True):
    """The directive's metadata, as the directives' own form has it, and its tasks."""

    issuing_body: str
    number: str
    issued_on: dt.date
    title: str
    signer: str
    summary: str = ""
    kind: str = "document"
    tasks: list[TaskIn] = msgspec.field(default_factory=list)


@dataclass
class Outcome:
    status_code: int
    body: dict[str, Any]


def parse(metadata: bytes) -> DirectiveIn:
    """The metadata part, decoded strictly; the wire gate's limits (no NUL, no huge strings) hold for it too."""
    from server.lib.wire import WireError, check_json_body

    try:
        check_json_body("application/json", metadata)
        payload = msgspec.json.decode(metadata, type=DirectiveIn)
    except WireError as error:
        refused = DomainError(error.code, error.message)
        refused.status_code = error.status  # 413 too large, 400 otherwise, as the gate answers a JSON body
        raise refused from None
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise DomainError("import_metadata_invalid",
                          _("Phần metadata không hợp lệ: {problem}", problem=str(error)), problem=str(error)) from None
    if len(payload.tasks) > MAX_TASKS:
        raise Invalid("import_too_many_tasks", _("Tối đa {n} nhiệm vụ cho một văn bản", n=MAX_TASKS))
    return payload


def _norm(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def natural_key(jurisdiction_path: str, payload: DirectiveIn) -> str:
    return "|".join((jurisdiction_path, _norm(payload.issuing_body), _norm(payload.number),
                     payload.issued_on.isoformat()))


def content_hash(payload: DirectiveIn, pdf: bytes | None) -> str:
    digest = hashlib.sha256(msgspec.json.encode(msgspec.to_builtins(payload), order="sorted"))
    digest.update(b"\x00" + (hashlib.sha256(pdf).hexdigest().encode() if pdf else b"-"))
    return digest.hexdigest()


def _refs(payload: DirectiveIn) -> list[str]:
    refs = [(task.ref or "").strip() or str(index) for index, task in enumerate(payload.tasks, start=1)]
    if len(set(refs)) != len(refs):
        raise Invalid("import_task_ref_duplicate", "Hai nhiệm vụ trùng mã tham chiếu (ref)")
    if any(len(ref) > 128 for ref in refs):
        raise Invalid("text_too_long", "Nội dung quá dài")
    return refs


async def _units(holder: KeyHolder, actor: Actor, payload: DirectiveIn) -> dict[str, int]:
    """Every unit code the tasks name → its id. Unknown codes (or another jurisdiction's, or closed units) are
    refused together, by name; a lead unit outside the key's unit is refused too. Nothing is written before."""
    codes = sorted({code.strip() for task in payload.tasks for code in (task.lead_unit, *task.coordinating_units)})
    found: dict[str, dict[str, Any]] = {}
    if codes:
        rows = await Unit.select(Unit.id, Unit.code, Unit.path).where(
            Unit.code.is_in(codes) & Unit.path.like(f"{actor.jurisdiction_path}%") & Unit.active.eq(True))
        found = {row["code"]: row for row in rows}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise Invalid("unit_code_unknown", _("Không có đơn vị mang mã: {codes}", codes=", ".join(unknown)),
                      unit_codes=unknown)
    outside = sorted({task.lead_unit.strip() for task in payload.tasks
                      if not found[task.lead_unit.strip()]["path"].startswith(holder.unit_path)})
    if outside:
        raise Invalid("unit_code_outside_scope",
                      _("Đơn vị chủ trì nằm ngoài phạm vi của khoá API: {codes}", codes=", ".join(outside)),
                      unit_codes=outside)
    return {code: row["id"] for code, row in found.items()}


def _task_fields(task: TaskIn, units: dict[str, int]) -> dict[str, Any]:
    lead = units[task.lead_unit.strip()]
    return {
        "title": task.title, "description": task.description, "lead_unit_id": lead,
        "coordinating_unit_ids": sorted({units[c.strip()] for c in task.coordinating_units} - {lead}),
        "deadline": task.deadline, "deadline_working_days": task.working_days, "priority": task.priority,
    }


async def _lock(key: str) -> None:
    """Two sends of one directive at once: the second waits for the first (SQLite's write lock does it there)."""
    if not is_sqlite():
        await DirectiveImport.raw("SELECT pg_advisory_xact_lock(hashtext({}))", key)


async def _existing(key: str) -> dict[str, Any] | None:
    return await DirectiveImport.select().where(DirectiveImport.natural_key == key).first()


def _answer(status: str, ledger: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"status": status, "directive_id": ledger["directive"], "revision": ledger["revision"], **more}


async def _task_map(ledger_id: int) -> dict[str, int]:
    rows = await DirectiveImportTask.select(DirectiveImportTask.ref, DirectiveImportTask.task).where(
        DirectiveImportTask.directive_import == ledger_id)
    return {row["ref"]: row["task"] for row in rows}


async def import_directive(
    holder: KeyHolder, actor: Actor, payload: DirectiveIn, pdf: bytes | None, pdf_name: str = PDF_NAME
) -> Outcome:
    if pdf is not None:
        directives.check_pdf(pdf)
    directives.clean_fields(number=payload.number, signer=payload.signer, issuing_body=payload.issuing_body,
                            title=payload.title, kind=payload.kind, issued_on=payload.issued_on)
    refs = _refs(payload)
    key = natural_key(actor.jurisdiction_path, payload)
    digest = content_hash(payload, pdf)
    ledger = await _existing(key)
    if ledger is not None and ledger["content_hash"] == digest:
        return Outcome(200, _answer("unchanged", ledger))  # nothing to write, not even a lock to take
    units = await _units(holder, actor, payload)
    async with write_transaction():
        await _lock(key)
        ledger = await _existing(key)
        if ledger is None:
            return Outcome(201, await _create(holder, actor, payload, pdf, pdf_name, refs, units, key, digest))
        if ledger["content_hash"] == digest:  # the same send, done meanwhile by a concurrent request
            return Outcome(200, _answer("unchanged", ledger))
        return Outcome(200, await _revise(holder, actor, ledger, payload, pdf, pdf_name, refs, units, digest))


async def _attach(actor: Actor, directive_id: int, pdf: bytes, pdf_name: str) -> None:
    await directives.attach_file(actor, directive_id, filename=pdf_name or PDF_NAME, data=pdf, pdf_only=True)


async def _create(
    holder: KeyHolder, actor: Actor, payload: DirectiveIn, pdf: bytes | None, pdf_name: str, refs: list[str],
    units: dict[str, int], key: str, digest: str,
) -> dict[str, Any]:
    directive = await directives.create_directive(
        actor, number=payload.number, issued_on=payload.issued_on, signer=payload.signer,
        issuing_body=payload.issuing_body, title=payload.title, kind=payload.kind, summary=payload.summary)
    if pdf is not None:
        await _attach(actor, directive["id"], pdf, pdf_name)
    now = clock.now()
    rows = await DirectiveImport.insert(DirectiveImport(
        natural_key=key, directive=directive["id"], content_hash=digest, revision=0, machine_key=holder.id,
        created_at=now, updated_at=now)).returning(DirectiveImport.id)
    ledger_id = rows[0]["id"]
    created = []
    for ref, task in zip(refs, payload.tasks, strict=True):
        created.append(await _give_task(actor, ledger_id, directive["id"], ref, task, units))
    await audit.record(actor_id=None, actor_name=actor.full_name, action="directive.import", entity="directive",
                       entity_id=directive["id"], after={"key": holder.id, "tasks": created})
    return {"status": "created", "directive_id": directive["id"], "revision": 0, "tasks": created}


async def _give_task(
    actor: Actor, ledger_id: int, directive_id: int, ref: str, task: TaskIn, units: dict[str, int]
) -> dict[str, Any]:
    made = await task_creation.create_task(actor, directive_id=directive_id, **_task_fields(task, units))
    await DirectiveImportTask.insert(DirectiveImportTask(directive_import=ledger_id, ref=ref, task=made["id"]))
    return {"ref": ref, "task_id": made["id"], "action": "created"}


async def _revise(
    holder: KeyHolder, actor: Actor, ledger: dict[str, Any], payload: DirectiveIn, pdf: bytes | None,
    pdf_name: str, refs: list[str], units: dict[str, int], digest: str,
) -> dict[str, Any]:
    directive_id = ledger["directive"]
    revision = ledger["revision"] + 1
    fields = await directive_import.revise_directive(
        actor, directive_id, number=payload.number, issuing_body=payload.issuing_body, issued_on=payload.issued_on,
        title=payload.title, signer=payload.signer, kind=payload.kind, summary=payload.summary)
    pdf_changed = False
    if pdf is not None and hashlib.sha256(pdf).hexdigest() not in await directive_import.pdf_hashes(directive_id):
        await _attach(actor, directive_id, pdf, pdf_name)
        pdf_changed = True
    known = await _task_map(ledger["id"])
    states = {row["id"]: row["state"] for row in await Task.select(Task.id, Task.state).where(
        Task.id.is_in(list(known.values()) or [0]))}
    waiting = await task_revision.unstarted(states)
    codes = {unit_id: code for code, unit_id in units.items()}
    tasks: list[dict[str, Any]] = []
    for ref, task in zip(refs, payload.tasks, strict=True):
        task_id = known.get(ref)
        if task_id is None:
            tasks.append(await _give_task(actor, ledger["id"], directive_id, ref, task, units))
            continue
        if task_id not in waiting:  # started, or split among parts by its unit head
            tasks.append({"ref": ref, "task_id": task_id, "action": "kept_started", "state": states.get(task_id)})
            continue
        changed = await task_revision.revise_unstarted(actor, task_id, **_task_fields(task, units), revision=revision)
        tasks.append({"ref": ref, "task_id": task_id, "action": "updated" if changed else "unchanged",
                      **({"changes": await _as_sent(changed, codes)} if changed else {})})
    left_out = sorted(ref for ref in known if ref not in set(refs))
    for ref in left_out:  # a task the correction no longer lists is not cancelled here: a person decides
        tasks.append({"ref": ref, "task_id": known[ref], "action": "not_in_resend"})
    changes = {"directive": fields, "pdf_added": pdf_changed, "tasks": tasks}
    now = clock.now()
    await DirectiveImport.update({DirectiveImport.content_hash: digest, DirectiveImport.revision: revision,
                                  DirectiveImport.updated_at: now}).where(DirectiveImport.id == ledger["id"])
    await DirectiveRevision.insert(DirectiveRevision(
        directive_import=ledger["id"], directive=directive_id, revision=revision, changes=to_json(changes),
        machine_key=holder.id, key_name=holder.name, created_at=now))
    await audit.record(actor_id=None, actor_name=actor.full_name, action="directive.import_revision",
                       entity="directive", entity_id=directive_id, after={"revision": revision, **changes})
    return {"status": "revised", "directive_id": directive_id, "revision": revision, **changes}


async def _as_sent(changed: dict[str, dict[str, Any]], codes: dict[int, str]) -> dict[str, dict[str, Any]]:
    """A task's changes as the sender names them: units by their codes, not by this server's ids."""
    lead = changed.get("lead_unit", {})
    coordinating = changed.get("coordinating_units", {})
    unit_ids = {*lead.values(), *(unit for side in coordinating.values() for unit in side)}
    missing = sorted(unit_ids - set(codes))
    if missing:  # a former unit the correction no longer names
        rows = await Unit.select(Unit.id, Unit.code).where(Unit.id.is_in(missing))
        codes = {**codes, **{row["id"]: row["code"] for row in rows}}
    shown = dict(changed)
    if lead:
        shown["lead_unit"] = {side: codes.get(unit, unit) for side, unit in lead.items()}
    if coordinating:
        shown["coordinating_units"] = {side: sorted(codes.get(unit, str(unit)) for unit in units)
                                       for side, units in coordinating.items()}
    return shown


async def revisions(directive_id: int) -> list[dict[str, Any]]:
    """A directive's corrections as sent, newest first. The caller has checked that the reader may read the
    directive (once per page: the directive's own read does it)."""
    rows = await DirectiveRevision.select(
        DirectiveRevision.revision, DirectiveRevision.changes, DirectiveRevision.key_name,
        DirectiveRevision.created_at,
    ).where(DirectiveRevision.directive == directive_id).order_by(DirectiveRevision.revision, ascending=False)
    return [{**row, "changes": msgspec.json.decode(row["changes"])} for row in rows]
