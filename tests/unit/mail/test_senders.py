"""The mail sender is chosen by settings (MAIL_SENDER, else SMTP_URL's presence): SMTP, the local sink, or a
null sender that drops every message (for tests and installs that send no mail)."""

from __future__ import annotations

import pytest

from server.lib.jobs import PermanentJobError
from server.mail import services, transport
from tests.factories import unique


def test_the_settings_choose_the_sender(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAIL_SENDER", raising=False)
    monkeypatch.delenv("SMTP_URL", raising=False)
    assert isinstance(transport.sender(), transport.SinkSender)
    monkeypatch.setenv("SMTP_URL", "smtp://relay.example.vn:25")
    chosen = transport.sender()
    assert isinstance(chosen, transport.SmtpSender) and chosen.config.host == "relay.example.vn"
    assert transport.smtp_configured()
    monkeypatch.setenv("MAIL_SENDER", "null")  # chosen by name, whatever SMTP_URL says
    assert isinstance(transport.sender(), transport.NullSender) and not transport.smtp_configured()
    monkeypatch.setenv("MAIL_SENDER", "Sink")
    assert isinstance(transport.sender(), transport.SinkSender)


async def test_the_null_sender_marks_the_message_sent_and_keeps_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_SENDER", "null")
    mail_id = await services.queue(to_address=f"{unique('null')}@example.vn", subject="Không gửi", text_body="x")
    assert await services.deliver(mail_id) == "kept"
    row = await services.get_message(mail_id)
    assert row["state"] == "sent" and row["sink_file"] == ""
    assert not list(transport.sink_dir().glob(f"{mail_id:08d}-*.eml"))


async def test_the_sink_chosen_by_name_keeps_mail_from_the_smtp_server(smtp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MAIL_SENDER", "sink")  # SMTP_URL points at the test's SMTP server, which gets nothing
    address = f"{unique('sinkbyname')}@example.vn"
    mail_id = await services.queue(to_address=address, subject="Giữ lại", text_body="x")
    assert await services.deliver(mail_id) == "kept"
    assert (await services.get_message(mail_id))["sink_file"].endswith(".eml")
    assert smtp.sink.for_address(address) == []


async def test_an_unknown_sender_fails_the_message_for_the_admin_to_see(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_SENDER", "pigeon")
    mail_id = await services.queue(to_address=f"{unique('pigeon')}@example.vn", subject="Sai", text_body="x")
    with pytest.raises(PermanentJobError):
        await services.deliver(mail_id)
    row = await services.get_message(mail_id)
    assert row["state"] == "failed" and "MAIL_SENDER" in row["last_error"]
