"""The mail queue: one row per e-mail, written in the transaction of the change it tells about."""

from enum import StrEnum

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class MailState(StrEnum):
    queued = "queued"  # waiting for the worker (again, after a temporary failure)
    sending = "sending"  # a worker holds it; `phase` says how far it got
    sent = "sent"  # the SMTP server accepted it (or the local sink kept it)
    uncertain = "uncertain"  # a worker died while the server may have accepted it: not resent by itself
    failed = "failed"  # refused for good, or out of attempts


class SendPhase(StrEnum):
    none = ""
    connect = "connect"  # connecting, greeting, envelope: nothing has been handed over yet
    data = "data"  # the message itself is on its way; the server may accept it at any moment


class MailMessage(Table, tablename="mail_messages"):
    """One e-mail. `message_id` is fixed when it is queued, so every attempt sends the same Message-ID and a
    mail program that somehow receives it twice shows it once; `dedupe_key` makes queueing idempotent."""

    to_address = Varchar(length=320)
    to_name = Varchar(length=255, default="")
    subject = Varchar(length=500)
    text_body = Text(default="")
    html_body = Text(default="")
    locale = Varchar(length=8, default="vi")
    template = Varchar(length=64, default="")
    # Who it is for, when it is a person of ours (a citizen's mail has none); never shown publicly.
    person_id = Integer(null=True, default=None, index=True)
    # The unit whose admin may see it: the person's unit, or for a citizen the unit handling the report
    # ("" when unknown: only the admin of the whole tree sees it).
    scope_path = Varchar(length=512, default="", index=True)
    state = Varchar(length=16, choices=MailState, default=MailState.queued.value, index=True)
    phase = Varchar(length=16, choices=SendPhase, default=SendPhase.none.value)
    attempts = Integer(default=0)
    # The attempt in hand: a worker only records the outcome of its own attempt.
    attempt_token = Varchar(length=64, null=True, default=None)
    last_error = Text(default="")
    dedupe_key = Varchar(length=255, null=True, default=None, unique=True)
    message_id = Varchar(length=255, unique=True)
    created_at = Timestamptz(index=True)
    sending_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    # Where the local sink wrote it (development and tests), relative to DATA_DIR/mail.
    sink_file = Varchar(length=255, default="")
