"""Where e-mail goes: a sender chosen by settings (MAIL_SENDER, see server/settings.py MailSettings), as
Warehouse chooses its services: `SmtpSender` (SMTP_URL), `SinkSender` (the local sink, DATA_DIR/mail/*.eml,
the default without SMTP_URL) or `NullSender` (drops every message; for tests that want no files).
The sink and the null sender take a message in one step; SMTP goes step by step (see below).

SMTP goes through the standard library's `smtplib`, run in a worker thread (`asyncio.to_thread`). Why not
aiosmtplib: the worker sends one message at a time, so an event-loop client would save nothing, while
smtplib is maintained with Python itself, has no dependency to keep up, and lets us speak the protocol
step by step (MAIL, RCPT, then DATA): we record in the database the moment the message itself starts to go,
which is what lets a restarted worker tell "never handed over, send it" from "the server may have it".

SMTP_URL: `smtp://user:password@host:587?starttls=1` (STARTTLS), `smtps://user:password@host:465` (TLS from
the start), `smtp://host:25` (plain, e.g. a local relay). Options: `timeout` (seconds, default 30).
Percent-encode a password that contains `@`, `:` or `/`. MAIL_FROM: the sender, e.g.
`Điều hành UBND xã <no-reply@ubnd.example.gov.vn>`.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlparse

from server.settings import MAIL_SENDERS, get_mail_settings

DEFAULT_FROM = "Điều hành <no-reply@dieuhanh.invalid>"
DEFAULT_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str
    password: str
    implicit_tls: bool
    starttls: bool
    timeout: float


def _truthy(values: list[str] | None) -> bool:
    return bool(values) and values[-1].strip().lower() in {"1", "true", "yes", "on"}  # type: ignore[index]


def parse_smtp_url(url: str) -> SmtpConfig:
    parsed = urlparse(url)
    if parsed.scheme not in {"smtp", "smtps"} or not parsed.hostname:
        raise ValueError("SMTP_URL must look like smtp://user:password@host:587?starttls=1 or smtps://host:465")
    query = parse_qs(parsed.query)
    implicit_tls = parsed.scheme == "smtps"
    return SmtpConfig(
        host=parsed.hostname,
        port=parsed.port or (465 if implicit_tls else 25),
        username=unquote(parsed.username or ""),
        password=unquote(parsed.password or ""),
        implicit_tls=implicit_tls,
        starttls=not implicit_tls and _truthy(query.get("starttls")),
        timeout=float(query.get("timeout", [DEFAULT_TIMEOUT_SECONDS])[-1]),
    )


def smtp_config() -> SmtpConfig | None:
    """The SMTP server when the sender is SMTP, read at each send (tests set it per test); None otherwise."""
    settings = get_mail_settings()
    return parse_smtp_url(settings.smtp_url) if settings.sender == "smtp" else None


def smtp_configured() -> bool:
    """Whether mail goes out through SMTP (set, even if malformed: the admin then sees the failed messages)."""
    return get_mail_settings().sender == "smtp"


class OneStepSender(Protocol):
    """A sender that takes a whole message at once and can be asked again safely (same name, same result)."""

    def keep(self, name: str, data: bytes) -> str:
        """Take the message; returns the sink file's name ("" when nothing is kept)."""
        ...


class SinkSender:
    def keep(self, name: str, data: bytes) -> str:
        return write_to_sink(name, data)


class NullSender:
    def keep(self, name: str, data: bytes) -> str:
        return ""


@dataclass(frozen=True)
class SmtpSender:
    """SMTP, one blocking step at a time (open_connection, envelope, send_data, close_quietly below)."""

    config: SmtpConfig


Sender = SmtpSender | SinkSender | NullSender


def sender() -> Sender:
    """The sender the settings choose now; a malformed SMTP_URL or MAIL_SENDER raises ValueError naming it."""
    settings = get_mail_settings()
    if settings.sender not in MAIL_SENDERS:
        raise ValueError(f"MAIL_SENDER must be one of {', '.join(MAIL_SENDERS)}")
    if settings.sender == "smtp":
        try:
            return SmtpSender(parse_smtp_url(settings.smtp_url))
        except ValueError as error:  # the setting is named, for the admin who reads the failed message
            raise ValueError(f"SMTP_URL: {error}") from error
    return SinkSender() if settings.sender == "sink" else NullSender()


def mail_from() -> Address:
    name, address = parseaddr(get_mail_settings().mail_from or DEFAULT_FROM)
    if "@" not in address:
        name, address = parseaddr(DEFAULT_FROM)
    username, _, domain = address.rpartition("@")
    return Address(display_name=name, username=username, domain=domain)


def sink_dir() -> Path:
    from server.settings import get_settings

    return get_settings().data_dir / "mail"


def write_to_sink(name: str, data: bytes) -> str:
    """Keep a message as DATA_DIR/mail/<name>.eml; writing the same one again replaces it (idempotent)."""
    folder = sink_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.eml"
    partial = folder / f".{name}.tmp"
    partial.write_bytes(data)
    partial.replace(path)
    return path.name


def read_from_sink(file_name: str) -> bytes | None:
    if not file_name or "/" in file_name or file_name.startswith("."):
        return None
    path = sink_dir() / file_name
    return path.read_bytes() if path.is_file() else None


# ---------------------------------------------------------------- SMTP, one blocking step at a time


def open_connection(config: SmtpConfig) -> smtplib.SMTP:
    """Connect, greet, STARTTLS when asked, log in when a user is given."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if config.implicit_tls:
        smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
    else:
        smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    try:
        smtp.ehlo()
        if config.starttls:
            smtp.starttls(context=context)
            smtp.ehlo()
        if config.username:
            login(smtp, config.username, config.password)
    except BaseException:
        close_quietly(smtp)
        raise
    return smtp


def login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """smtplib encodes credentials as ASCII; a Vietnamese password goes as AUTH PLAIN in UTF-8 (RFC 4616)."""
    if (username + password).isascii():
        smtp.login(username, password)
        return
    if not smtp.has_extn("auth") or "PLAIN" not in smtp.esmtp_features.get("auth", "").upper().split():
        raise smtplib.SMTPException("the server offers no AUTH PLAIN for a non-ASCII password")
    token = base64.b64encode(b"\0" + username.encode() + b"\0" + password.encode()).decode()
    code, response = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, response)


def envelope(smtp: smtplib.SMTP, sender: str, recipient: str) -> None:
    """MAIL FROM and RCPT TO; raises the SMTP error when the server refuses either."""
    code, response = smtp.mail(sender)
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPSenderRefused(code, response, sender)
    code, response = smtp.rcpt(recipient)
    if code not in (250, 251):
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused({recipient: (code, response)})


def send_data(smtp: smtplib.SMTP, data: bytes) -> None:
    """DATA: the message itself. Returns once the server has accepted it (raises SMTPDataError otherwise)."""
    smtp.data(data)


def close_quietly(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
