"""The directive's side of an import by another system (server/machine/importing.py runs the import): a
corrected resend changes the directive's fields here, with the same rules as the desk's form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.audit import services as audit
from server.directives.services import clean_fields, search_text_of
from server.directives.tables import Directive
from server.lib.db import write_transaction
from server.lib.errors import NotFound
from server.people.services import Actor

# What a correction may change. The issuing body, the number and symbol and the issue date are the directive's
# identity (the import finds it by them): a different one is another directive.
REVISABLE = ("title", "summary", "signer", "kind")


async def revise_directive(
    actor: Actor, directive_id: int, *, number: str, issuing_body: str, issued_on: dt.date, title: str, signer: str,
    kind: str, summary: str,
) -> dict[str, dict[str, Any]]:
    """Apply what differs; returns {field: {before, after}} (empty when nothing did)."""
    cleaned = clean_fields(number=number, signer=signer, issuing_body=issuing_body, title=title, kind=kind,
                           issued_on=issued_on)
    wanted = {"title": cleaned["title"], "summary": (summary or "").strip(), "signer": cleaned["signer"],
              "kind": kind}
    async with write_transaction():
        row = await Directive.select().where(Directive.id == directive_id).first()
        if row is None:
            raise NotFound("directive_not_found", "Không tìm thấy văn bản chỉ đạo")
        changed = {name: {"before": row[name], "after": value} for name, value in wanted.items()
                   if row[name] != value}
        if not changed:
            return {}
        await Directive.update({
            **{getattr(Directive, name): value["after"] for name, value in changed.items()},
            Directive.search_text: search_text_of(row["number"], wanted["title"], wanted["summary"],
                                                  wanted["signer"]),
        }).where(Directive.id == directive_id)
        await audit.record(actor_id=actor.id, actor_name=actor.full_name, action="directive.revise",
                           entity="directive", entity_id=directive_id,
                           before={k: v["before"] for k, v in changed.items()},
                           after={k: v["after"] for k, v in changed.items()})
    return changed


async def pdf_hashes(directive_id: int) -> set[str]:
    """The SHA-256 of each PDF the directive has: a resend's PDF already among them is not attached again."""
    from server.media.services import list_attachments

    return {a["sha256"] for a in await list_attachments("directive", [directive_id])
            if a["content_type"] == "application/pdf"}
