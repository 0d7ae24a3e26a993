"""A real SMTP server inside the test process (aiosmtpd), recording what arrives, with AUTH and knobs to make
it refuse, answer "try later", or run a hook (e.g. kill the sending worker) at a chosen moment."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from bench.local import free_port

USER, PASSWORD = "dieuhanh", "mật-khẩu-smtp"



@dataclass
class Arrival:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)  # type: ignore[return-value]


@dataclass
class SmtpSink:
    arrivals: list[Arrival] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    # Answers to give a recipient instead of accepting it, consumed one per RCPT: e.g.
    # {"a@x.vn": ["451 4.3.0 Try again later"]} (other tests' messages may arrive meanwhile).
    rcpt_answers: dict[str, list[str]] = field(default_factory=dict)
    on_rcpt: Callable[[str], None] | None = None
    # Runs after the message is recorded as arrived and before the server answers 250.
    on_data: Callable[[list[str]], None] | None = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list) -> str:
        if self.on_rcpt:
            self.on_rcpt(address)
        if self.rcpt_answers.get(address):
            return self.rcpt_answers[address].pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.arrivals.append(Arrival(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        if self.on_data:
            self.on_data(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def for_address(self, address: str) -> list[Arrival]:
        return [a for a in self.arrivals if address in a.rcpt_tos]


class SmtpServer:
    def __init__(self) -> None:
        self.sink = SmtpSink()
        self.port = free_port()

        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER \
                and auth_data.password.decode() == PASSWORD
            if ok:
                self.sink.logins.append(USER)
            return AuthResult(success=ok)

        self.controller = Controller(
            self.sink, hostname="127.0.0.1", port=self.port, authenticator=authenticate,
            auth_require_tls=False, decode_data=False,
        )

    @property
    def url(self) -> str:
        from urllib.parse import quote

        return f"smtp://{USER}:{quote(PASSWORD)}@127.0.0.1:{self.port}?timeout=10"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
