"""The mail queue: `queue()` inside the caller's transaction, `deliver()` from the worker, exactly once.

How "once" holds when a worker dies:
- queueing writes the row and its `mail.send` job in the caller's transaction, with a `dedupe_key` that makes
  a repeated queue a no-op, and fixes the Message-ID, so every attempt sends the same message;
- an attempt first takes the row (state `sending`, phase `connect`, its own `attempt_token`), connects and
  gives the envelope; it records phase `data` (committed) just before handing the message over, and `sent`
  as soon as the server has accepted it;
- a restarted worker that finds `sending`/`connect` knows the server never got the message and sends it;
  one that finds `sending`/`data` cannot know whether the server accepted it in the last instant, so it does
  not send again: the message becomes `uncertain`, listed for the admin, who may send it again (with the
  same Message-ID, so a mail program that got it already shows it once);
- temporary failures (no connection, 4xx) go back to `queued` and the job is retried with the queue's
  backoff; a 5xx refusal or MAX_ATTEMPTS fails the message for good.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import smtplib
import uuid
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any

from server.lib import clock, jobs
from server.lib.db import write_transaction
from server.lib.errors import Conflict, Invalid, NotFound
from server.lib.jobs import PermanentJobError
from server.mail import render as templates
from server.mail import transport
from server.mail.tables import MailMessage, MailState, SendPhase

SEND_JOB = "mail.send"
MAX_ATTEMPTS = 6
MAX_ADDRESS = 320
# Room for the runs that only clean up after a crashed attempt.
JOB_MAX_ATTEMPTS = MAX_ATTEMPTS + 3


class TemporaryMailError(Exception):
    """The message was not handed over; the job runs again after the queue's backoff."""


def valid_address(address: str) -> bool:
    address = (address or "").strip()
    if not address or len(address) > MAX_ADDRESS or any(c in address for c in " \t\r\n<>,;\"'"):
        return False
    local, _, domain = address.rpartition("@")
    return bool(local) and "." in domain and not domain.startswith(".") and not domain.endswith(".")


def _new_message_id() -> tuple[str, str]:
    token = uuid.uuid4().hex
    return token, f"<{token}@{transport.mail_from().domain}>"


async def queue(
    *,
    to_address: str,
    subject: str,
    text_body: str,
    html_body: str = "",
    to_name: str = "",
    locale: str = "vi",
    template: str = "",
    person_id: int | None = None,
    dedupe_key: str | None = None,
    unit_id: int | None = None,
) -> int | None:
    """Queue one e-mail, in the caller's transaction when there is one (a rolled-back change sends nothing).

    `person_id` or `unit_id` say whose admin may see it (a person's unit; for a citizen, the unit handling
    the report). Returns the message's id, or None when `dedupe_key` was already used (queued once, ever).
    """
    to_address = (to_address or "").strip()
    if not valid_address(to_address):
        raise Invalid("mail_address_invalid", "Địa chỉ thư điện tử không hợp lệ")
    _, message_id = _new_message_id()
    now = clock.now()
    async with write_transaction():
        scope_path = await _scope_path(person_id, unit_id)
        rows = await MailMessage.raw(
            "INSERT INTO mail_messages (to_address, to_name, subject, text_body, html_body, locale, template,"
            " person_id, scope_path, state, phase, attempts, last_error, dedupe_key, message_id, created_at,"
            " sink_file) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, '', 0, '', {}, {}, {}, '')"
            " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            to_address, to_name[:255], " ".join(subject.split())[:500], text_body, html_body, locale[:8],
            template[:64], person_id, scope_path, MailState.queued.value, dedupe_key, message_id, now,
        )
        if not rows:
            return None
        mail_id = rows[0]["id"]
        await jobs.enqueue(SEND_JOB, {"message": mail_id}, dedupe_key=f"mail:{mail_id}",
                           max_attempts=JOB_MAX_ATTEMPTS)
    return mail_id


async def _scope_path(person_id: int | None, unit_id: int | None) -> str:
    from server.people.tables import Person
    from server.units.tables import Unit

    if person_id is not None:
        row = await Person.select(Person.unit.path).where(Person.id == person_id).first()
        return (row or {}).get("unit.path") or ""
    if unit_id is not None:
        row = await Unit.select(Unit.path).where(Unit.id == unit_id).first()
        return (row or {}).get("path") or ""
    return ""


async def queue_template(
    template: str,
    *,
    to_address: str,
    locale: str = "vi",
    context: dict[str, Any] | None = None,
    to_name: str = "",
    person_id: int | None = None,
    dedupe_key: str | None = None,
    unit_id: int | None = None,
) -> int | None:
    """Render the event's template in the recipient's locale and queue it."""
    rendered = templates.render(template, locale, {"person_name": to_name, **(context or {})})
    return await queue(
        to_address=to_address, subject=rendered.subject, text_body=rendered.text, html_body=rendered.html,
        to_name=to_name, locale=locale, template=template, person_id=person_id, dedupe_key=dedupe_key,
        unit_id=unit_id,
    )


async def queue_citizen_mail(
    *,
    to_address: str,
    report_code: str,
    subject: str,
    body: str,
    locale: str = "vi",
    dedupe_key: str | None = None,
    unit_id: int | None = None,
) -> int | None:
    """An e-mail to a citizen about their report: "[PA-7K3M9Q] subject", the text, the tracking code and the
    link to the public page /r/<code>. Never a person id: citizens are not people of ours. `unit_id` (the unit
    the report is routed to, or its category's) lets that unit's admin see the message."""
    from server.settings import get_settings

    if not valid_address(to_address):
        return None  # a citizen's address was checked at intake; an odd one is not worth failing a change for
    link = f"{get_settings().base_url}/r/{report_code}"
    return await queue_template(
        "citizen", to_address=to_address, locale=locale, dedupe_key=dedupe_key, unit_id=unit_id,
        context={"report_code": report_code, "title": subject, "body": body, "link": link},
    )


# ---------------------------------------------------------------- building and sending one message


def build_message(row: dict[str, Any]) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    sender = transport.mail_from()
    message["From"] = sender
    local, _, domain = row["to_address"].rpartition("@")
    message["To"] = Address(display_name=row["to_name"] or "", username=local, domain=domain)
    message["Subject"] = row["subject"]
    message["Date"] = format_datetime(clock.as_utc(row["created_at"]))
    message["Message-ID"] = row["message_id"]
    # RFC 3834: an automatic message; out-of-office replies should not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row["text_body"], subtype="plain", charset="utf-8", cte="quoted-printable")
    if row["html_body"]:
        message.add_alternative(row["html_body"], subtype="html", charset="utf-8", cte="quoted-printable")
    # After the parts: making the message multipart moves every Content-* header into its first part.
    message["Content-Language"] = row["locale"] or "vi"
    return message


def _sink_name(row: dict[str, Any]) -> str:
    return f"{row['id']:08d}-" + row["message_id"].strip("<>").split("@", 1)[0]


async def _take(row: dict[str, Any], token: str, now: dt.datetime) -> bool:
    """Take the message for this attempt, unless another worker took it since we read it."""
    rows = await MailMessage.raw(
        "UPDATE mail_messages SET state = {}, phase = {}, attempt_token = {}, attempts = attempts + 1,"
        " sending_at = {} WHERE id = {} AND state = {} AND phase = {} AND COALESCE(attempt_token, '') = {}"
        " RETURNING id",
        MailState.sending.value, SendPhase.connect.value, token, now, row["id"], row["state"], row["phase"],
        row["attempt_token"] or "",
    )
    return bool(rows)


async def _record(mail_id: int, token: str, **values: Any) -> bool:
    """Record this attempt's progress or outcome; only the attempt that holds the message may."""
    columns = {getattr(MailMessage, name): value for name, value in values.items()}
    rows = await MailMessage.update(columns).where(
        (MailMessage.id == mail_id) & (MailMessage.attempt_token == token)
    ).returning(MailMessage.id)
    return bool(rows)


async def _give_back(row: dict[str, Any], token: str, error: str, *, permanent: bool) -> None:
    attempts = row["attempts"] + 1
    if permanent or attempts >= MAX_ATTEMPTS:
        await _record(row["id"], token, state=MailState.failed.value, phase=SendPhase.none.value,
                      attempt_token=None, last_error=error[:2000])
        raise PermanentJobError(error)
    await _record(row["id"], token, state=MailState.queued.value, phase=SendPhase.none.value,
                  attempt_token=None, last_error=error[:2000])
    raise TemporaryMailError(error)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _is_permanent(error: BaseException) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPAuthenticationError)
    return False


async def deliver(mail_id: int) -> str:
    """Send one queued message (the `mail.send` job); returns what became of it."""
    row = await MailMessage.select().where(MailMessage.id == mail_id).first()
    if row is None:
        return "missing"
    state, phase = row["state"], row["phase"]
    if state in (MailState.sent.value, MailState.uncertain.value, MailState.failed.value):
        return state
    if state == MailState.sending.value and phase == SendPhase.data.value:
        # The attempt that held it died while the server may have accepted it: sending again could double it.
        await MailMessage.update({
            MailMessage.state: MailState.uncertain.value, MailMessage.attempt_token: None,
            MailMessage.last_error: "the worker stopped while handing the message over; not sent again",
        }).where((MailMessage.id == mail_id) & (MailMessage.state == state) & (MailMessage.phase == phase))
        return MailState.uncertain.value
    token = uuid.uuid4().hex
    if not await _take(row, token, clock.now()):
        return "taken"
    # Whatever fails from here on gives the message back (queued again, or failed for good): a row left in
    # "sending" would be neither retried nor offered to the admin to send again.
    try:
        sender = transport.sender()
    except ValueError as error:  # a malformed setting: no retry mends it; the admin sends again once mended
        await _give_back(row, token, str(error), permanent=True)
        raise  # pragma: no cover - _give_back always raises
    try:
        message = build_message(row)
    except ValueError as error:  # an address the mail library cannot write
        await _give_back(row, token, f"message: {error}", permanent=True)
        raise  # pragma: no cover - _give_back always raises
    if not isinstance(sender, transport.SmtpSender):
        try:
            name = await asyncio.to_thread(sender.keep, _sink_name(row), message.as_bytes())
        except OSError as error:  # a full disk, say: try again later
            await _give_back(row, token, _describe(error), permanent=False)
            raise  # pragma: no cover - _give_back always raises
        await _record(mail_id, token, state=MailState.sent.value, phase=SendPhase.none.value, attempt_token=None,
                      sent_at=clock.now(), sink_file=name, last_error="")
        return "kept"
    data = message.as_bytes()
    try:
        smtp = await asyncio.to_thread(transport.open_connection, sender.config)
    except Exception as error:  # nothing was handed over, whatever went wrong
        await _give_back(row, token, _describe(error), permanent=_is_permanent(error))
        raise  # pragma: no cover - _give_back always raises
    try:
        try:
            await asyncio.to_thread(transport.envelope, smtp, transport.mail_from().addr_spec, row["to_address"])
        except Exception as error:
            await _give_back(row, token, _describe(error), permanent=_is_permanent(error))
        if not await _record(mail_id, token, phase=SendPhase.data.value):
            return "taken"
        try:
            await asyncio.to_thread(transport.send_data, smtp, data)
        except smtplib.SMTPResponseException as error:
            # The server answered the message with a refusal: it does not have it, so trying again is safe.
            await _give_back(row, token, _describe(error), permanent=_is_permanent(error))
        except Exception as error:
            # The connection broke during DATA: the server may or may not have it.
            await _record(mail_id, token, state=MailState.uncertain.value, attempt_token=None,
                          last_error=_describe(error))
            return MailState.uncertain.value
        await _record(mail_id, token, state=MailState.sent.value, phase=SendPhase.none.value, attempt_token=None,
                      sent_at=clock.now(), last_error="")
    finally:
        await asyncio.to_thread(transport.close_quietly, smtp)
    return MailState.sent.value


# ---------------------------------------------------------------- the admin's view


def _visible_to(scope: Any) -> Any:
    """What an admin may see: mail about their units (a person's, or a citizen's report handled there); mail
    with no unit only the admin of the whole tree. `scope` is an Actor."""
    mine = MailMessage.scope_path.like(f"{scope.unit_path}%")
    if scope.unit_path.count("/") <= 2:  # "/N/": the root of the tree
        return mine | (MailMessage.scope_path == "")
    return mine


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "to_address": row["to_address"],
        "to_name": row["to_name"],
        "subject": row["subject"],
        "template": row["template"],
        "locale": row["locale"],
        "state": row["state"],
        "attempts": row["attempts"],
        "last_error": row["last_error"],
        "message_id": row["message_id"],
        "created_at": row["created_at"],
        "sent_at": row["sent_at"],
        "sink_file": row["sink_file"],
    }


async def list_messages(
    *, scope: Any = None, state: str | None = None, to_address: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    query = MailMessage.select().order_by(MailMessage.id, ascending=False).limit(limit)
    if scope is not None:
        query = query.where(_visible_to(scope))
    if state:
        query = query.where(MailMessage.state == state)
    if to_address:
        query = query.where(MailMessage.to_address == to_address)
    return [_public(row) for row in await query]


async def get_message(mail_id: int, *, scope: Any = None) -> dict[str, Any]:
    query = MailMessage.select().where(MailMessage.id == mail_id)
    if scope is not None:
        query = query.where(_visible_to(scope))
    row = await query.first()
    if row is None:
        raise NotFound("mail_not_found", "Không tìm thấy thư")
    return {**_public(row), "text_body": row["text_body"], "html_body": row["html_body"]}


async def sink_bytes(mail_id: int, *, scope: Any = None) -> bytes:
    row = await get_message(mail_id, scope=scope)
    data = await asyncio.to_thread(transport.read_from_sink, row["sink_file"])
    if data is None:
        raise NotFound("mail_not_found", "Không tìm thấy thư")
    return data


async def resend(mail_id: int, *, scope: Any = None) -> dict[str, Any]:
    """The admin's "send again" for a message that failed or whose sending is uncertain: same Message-ID."""
    await get_message(mail_id, scope=scope)  # 404 outside the admin's scope
    async with write_transaction():
        rows = await MailMessage.update({
            MailMessage.state: MailState.queued.value, MailMessage.phase: SendPhase.none.value,
            MailMessage.attempts: 0, MailMessage.attempt_token: None,
        }).where(
            (MailMessage.id == mail_id)
            & MailMessage.state.is_in([MailState.failed.value, MailState.uncertain.value])
        ).returning(MailMessage.id)
        if not rows:
            raise Conflict("mail_not_resendable", "Chỉ gửi lại được thư lỗi hoặc chưa rõ đã gửi")
        await jobs.enqueue(SEND_JOB, {"message": mail_id}, max_attempts=JOB_MAX_ATTEMPTS)
    return await get_message(mail_id)


# ---------------------------------------------------------------- personal-data retention


async def forget_citizen(*, to_address: str, report_code: str) -> int:
    """A citizen's e-mails about one report, once its retention period is over: the address, the name and the
    text are blanked (the row stays as the record that a message was sent), and the sink's copy is deleted.
    Returns how many messages were blanked; a second call finds none."""
    rows = await MailMessage.select(MailMessage.id, MailMessage.sink_file).where(
        (MailMessage.template == "citizen") & (MailMessage.to_address == to_address)
        & MailMessage.subject.like(f"[{report_code}]%")
    )
    if not rows:
        return 0
    ids = [row["id"] for row in rows]
    await MailMessage.update({
        MailMessage.to_address: "", MailMessage.to_name: "", MailMessage.text_body: "", MailMessage.html_body: "",
        MailMessage.subject: f"[{report_code}]", MailMessage.sink_file: "",
    }).where(MailMessage.id.is_in(ids))
    for row in rows:
        if row["sink_file"]:
            await asyncio.to_thread((transport.sink_dir() / row["sink_file"]).unlink, missing_ok=True)
    return len(ids)
