"""Directives (văn bản chỉ đạo) and meeting conclusions, and the roll-up of their tasks."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
from typing import Any

from server.audit import services as audit
from server.directives import sources
from server.directives.tables import Directive, DirectiveKind
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Forbidden, Invalid, NotFound
from server.lib.vn_text import fold, like_pattern
from server.people.services import Actor
from server.units.tables import Unit

MAX_FIELD = 255
PDF_MAGIC = b"%PDF-"
# A directive's PDF is a scanned or typed official letter: a few pages. The caps keep a hostile or huge file
# from holding a thread for long, and the search column small.
MAX_PDF_PAGES = 200
MAX_PDF_TEXT = 200_000

log = logging.getLogger("dieuhanh.directives")


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "number": row["number"],
        "issued_on": row["issued_on"],
        "signer": row["signer"],
        "issuing_body": row["issuing_body"],
        "kind": row["kind"],
        "title": row["title"],
        "summary": row["summary"],
        "unit_id": row["unit"],
        "created_at": row["created_at"],
    }


def _jurisdiction_filter(actor: Actor) -> Any:
    """Directives belong to a jurisdiction; anyone in its subtree may read them (their tasks stay scoped)."""
    return Directive.unit.is_in(Unit.select(Unit.id).where(Unit.path.like(f"{actor.jurisdiction_path}%")))


async def directive_exists_in_scope(actor: Actor, directive_id: int) -> bool:
    return await Directive.exists().where((Directive.id == directive_id) & _jurisdiction_filter(actor))


async def directive_brief(directive_id: int) -> dict[str, Any] | None:
    return await Directive.select(Directive.id, Directive.number, Directive.title, Directive.kind).where(
        Directive.id == directive_id
    ).first()


def search_text_of(number: str, title: str, summary: str, signer: str) -> str:
    """What the directive's search finds it by (its PDFs' words are kept apart, in document_text)."""
    return fold(f"{number} {title} {summary} {signer}")


def clean_fields(*, number: str, signer: str, issuing_body: str, title: str, kind: str,
                 issued_on: dt.date) -> dict[str, str]:
    """The directive's text fields, stripped, or the reason they are refused (shared by the import's revisions)."""
    fields = {"number": number, "signer": signer, "issuing_body": issuing_body, "title": title}
    cleaned = {key: (value or "").strip() for key, value in fields.items()}
    if not all(cleaned.values()):
        raise Invalid("directive_fields_required", "Cần nhập số/ký hiệu, người ký, cơ quan ban hành và trích yếu")
    if any(len(value) > MAX_FIELD for key, value in cleaned.items() if key != "title") or len(cleaned["title"]) > 500:
        raise Invalid("text_too_long", "Nội dung quá dài")
    if kind not in {k.value for k in DirectiveKind}:
        raise Invalid("directive_kind_invalid", "Loại văn bản không hợp lệ")
    if issued_on > clock.today_vn():
        raise Invalid("directive_date_future", "Ngày ban hành không được ở tương lai")
    return cleaned


async def create_directive(
    actor: Actor,
    *,
    number: str,
    issued_on: dt.date,
    signer: str,
    issuing_body: str,
    title: str,
    kind: str = DirectiveKind.document.value,
    summary: str = "",
) -> dict[str, Any]:
    if not actor.is_leader:
        raise Forbidden("directive_forbidden", "Chỉ lãnh đạo được ghi văn bản chỉ đạo")
    cleaned = clean_fields(number=number, signer=signer, issuing_body=issuing_body, title=title, kind=kind,
                           issued_on=issued_on)
    async with write_transaction():
        rows = await Directive.insert(
            Directive(
                **cleaned,
                issued_on=issued_on,
                kind=kind,
                summary=(summary or "").strip(),
                unit=actor.unit_id,
                created_by=actor.id,
                created_at=clock.now(),
                search_text=search_text_of(cleaned["number"], cleaned["title"], summary, cleaned["signer"]),
            )
        ).returning(Directive.id)
        directive = await get_directive_row(rows[0]["id"])
        await audit.record(
            actor_id=actor.id, actor_name=actor.full_name, action="directive.create", entity="directive",
            entity_id=directive["id"], after=directive,
        )
    return directive


async def get_directive_row(directive_id: int) -> dict[str, Any]:
    row = await Directive.select().where(Directive.id == directive_id).first()
    if row is None:
        raise NotFound("directive_not_found", "Không tìm thấy văn bản chỉ đạo")
    return _public(row)


async def list_directives(
    actor: Actor, *, q: str = "", kind: str | None = None, signer: str = "", limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    query = Directive.select().where(_jurisdiction_filter(actor)).order_by(Directive.issued_on, ascending=False)
    if q.strip():
        pattern = like_pattern(q)
        query = query.where(Directive.search_text.like(pattern) | Directive.document_text.like(pattern))
    if kind:
        query = query.where(Directive.kind == kind)
    if signer.strip():
        query = query.where(Directive.search_text.like(like_pattern(signer)))
    rows = await query.limit(max(1, min(limit, 200))).offset(max(0, offset))
    return [_public(row) for row in rows]


async def get_directive(actor: Actor, directive_id: int) -> dict[str, Any]:
    if not await directive_exists_in_scope(actor, directive_id):
        raise NotFound("directive_not_found", "Không tìm thấy văn bản chỉ đạo")
    directive = await get_directive_row(directive_id)
    directive["rollup"] = await rollup(directive_id)
    from server.media.services import list_attachments

    directive["attachments"] = await list_attachments("directive", [directive_id])
    return directive


async def rollups(
    directive_ids: list[int], *, within_path: str | None = None, today: dt.date | None = None
) -> dict[int, dict[str, Any]]:
    """Each directive's top-level tasks by state, the share done, and the late ones (open past the deadline,
    or approved after it). `within_path` keeps only the tasks led by units of that subtree: what a unit head's
    desk shows; the directive's own page counts them all. One query for any number of directives."""
    today = today or clock.today_vn()
    per: dict[int, dict[str, Any]] = {
        i: {"total": 0, "by_state": {}, "done": 0, "overdue": 0, "done_late": 0, "late_tasks": []}
        for i in directive_ids
    }
    if not directive_ids:
        return per
    # kpi counts "overdue" and "done late" (server/kpi/directives.py, provided through directives.sources).
    tasks = await sources.directive_task_rows(directive_ids, within_path=within_path, today=today)
    for t in tasks:
        roll = per[t["directive"]]
        roll["total"] += 1
        roll["by_state"][t["state"]] = roll["by_state"].get(t["state"], 0) + 1
        roll["done"] += t["state"] == "done"
        roll["overdue"] += int(t["overdue"])
        roll["done_late"] += int(t["done_late"])
        if int(t["overdue"]):
            deadline = clock.as_date(t["deadline"])
            roll["late_tasks"].append({"id": t["id"], "title": t["title"], "deadline": deadline,
                                       "days_late": (today - deadline).days if deadline else 0})
    for roll in per.values():
        counted = sum(n for state, n in roll["by_state"].items() if state not in ("cancelled", "draft"))
        roll["share_done"] = round(roll["done"] / counted, 4) if counted else None
    return per


async def rollup(directive_id: int) -> dict[str, Any]:
    """One directive's roll-up, over all its top-level tasks, as counts only: everyone in the jurisdiction reads
    the directive, not every unit's tasks (the desk names the late ones within the viewer's units)."""
    counts = (await rollups([directive_id]))[directive_id]
    counts.pop("late_tasks")
    return counts


# ---------------------------------------------------------------- the directive's files (its PDF)


def check_pdf(data: bytes) -> None:
    """The desk's form takes the directive's PDF only, judged by its bytes, not its name or declared type."""
    from server.media.services import MAX_ATTACHMENT_BYTES

    if not data:
        raise Invalid("file_empty", "Tệp rỗng")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise Invalid("file_too_large", "Tệp quá lớn (tối đa 10 MB)")
    if not data.startswith(PDF_MAGIC):
        raise Invalid("directive_pdf_only", "Chỉ nhận tệp PDF cho văn bản chỉ đạo")


def pdf_text(data: bytes) -> str:
    """The text of a PDF's pages, or "" when it has none to give (a scan, a damaged or encrypted file): the file
    is still kept and listed, it just cannot be found by its words."""
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return ""
        parts: list[str] = []
        size = 0
        for page in reader.pages[:MAX_PDF_PAGES]:
            text = page.extract_text() or ""
            parts.append(text)
            size += len(text)
            if size >= MAX_PDF_TEXT:
                break
        return "\n".join(parts)[:MAX_PDF_TEXT]
    except Exception as error:  # pypdf raises many kinds on a malformed file; none of them may refuse the upload
        log.info("no text from a PDF: %s", error)
        return ""


async def index_documents(directive_id: int) -> None:
    """Rebuild the directive's document_text from all its PDFs (a directive has one or a few)."""
    from server.media.services import list_attachments, read_bytes

    texts = []
    for attachment in await list_attachments("directive", [directive_id]):
        if attachment["content_type"] == "application/pdf":
            data = await read_bytes(attachment["sha256"])
            texts.append(await asyncio.to_thread(pdf_text, data))
    folded = fold(" ".join(texts))[:MAX_PDF_TEXT]
    async with write_transaction():
        await Directive.update({Directive.document_text: folded}).where(Directive.id == directive_id)


async def attach_file(
    actor: Actor, directive_id: int, *, filename: str, data: bytes, client_id: str | None = None,
    pdf_only: bool = False,
) -> dict[str, Any]:
    """Attach a file to a directive (the leader who may record directives); a PDF's text becomes searchable."""
    from server.media.services import attach

    if not actor.is_leader:
        raise Forbidden("directive_forbidden", "Chỉ lãnh đạo được ghi văn bản chỉ đạo")
    if not await directive_exists_in_scope(actor, directive_id):
        raise NotFound("directive_not_found", "Không tìm thấy văn bản chỉ đạo")
    if pdf_only:
        check_pdf(data)
    attachment = await attach(owner_kind="directive", owner_id=directive_id, filename=filename, data=data,
                              actor_id=actor.id, client_id=client_id, actor_name=actor.full_name)
    if attachment["content_type"] == "application/pdf":
        await index_documents(directive_id)
    return attachment


async def directive_file(actor: Actor, directive_id: int, attachment_id: int) -> tuple[dict[str, Any], bytes]:
    """One of a directive's files and its bytes, for whoever may read the directive; else "not found"."""
    from server.media.services import get_attachment, read_bytes

    if not await directive_exists_in_scope(actor, directive_id):
        raise NotFound("directive_not_found", "Không tìm thấy văn bản chỉ đạo")
    try:
        attachment = await get_attachment(attachment_id)
    except NotFound:
        attachment = None
    if attachment is None or attachment["owner_kind"] != "directive" or attachment["owner_id"] != directive_id:
        raise NotFound("attachment_not_found", "Không tìm thấy tệp đính kèm")
    return attachment, await read_bytes(attachment["sha256"])
