"""Running the mail jobs the way the worker does."""

from __future__ import annotations

import json

from server import worker
from server.mail.tables import MailMessage
from server.notifications.tables import Job

FINAL = {"sent", "failed", "uncertain"}


async def mail_jobs(mail_id: int) -> list[dict]:
    rows = await Job.select().where(Job.kind == "mail.send")
    return [r for r in rows if json.loads(r["payload"]).get("message") == mail_id]


async def run_until(mail_ids: list[int], rounds: int = 30) -> list[dict]:
    """Run due jobs (the worker's own loop, one batch at a time) until these messages are sent or given up."""
    if not worker.HANDLERS:
        worker._builtin_handlers()
    for _ in range(rounds):
        rows = await MailMessage.select().where(MailMessage.id.is_in(mail_ids))
        if all(r["state"] in FINAL for r in rows):
            return sorted(rows, key=lambda r: r["id"])
        if not await worker.run_once("mail-test", batch=50):
            break
    return sorted(await MailMessage.select().where(MailMessage.id.is_in(mail_ids)), key=lambda r: r["id"])
