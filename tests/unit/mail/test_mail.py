"""E-mail, the second channel, against a real SMTP server in the test process: what arrives (headers, the
UTF-8 Vietnamese subject, the link), exactly once; retries with backoff; refusals; the local sink."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest

from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Invalid
from server.mail import render, services, transport
from server.mail.tables import MailMessage
from server.notifications import services as notifications
from server.notifications.tables import Job
from server.people.tables import Person
from tests.factories import make_person, make_task, unique
from tests.unit.mail.helpers import mail_jobs, run_until
from tests.unit.mail.smtp_server import USER


async def person_with_email(unit, locale: str = "vi", **kwargs):  # type: ignore[no-untyped-def]
    person = await make_person(unit, **kwargs)
    address = f"{unique('p')}@ubnd.example.vn"
    await Person.update({Person.email: address, Person.locale: locale}).where(Person.id == person.id)
    await notifications.set_person_settings(person.id, push_kinds=None, quiet_hours=True, email=True)
    return person, address


def text_of(message: email.message.EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, subtype
    return part.get_content()


async def test_an_assignment_arrives_by_smtp_with_a_vietnamese_subject_and_a_link(smtp, mj) -> None:  # type: ignore[no-untyped-def]
    officer, address = await person_with_email(mj.dept_sub, full_name="Phạm Thị Thư")
    task = await make_task(mj, title="Nạo vét kênh Bàu Sen", assignees=[officer],
                           deadline=clock.today_vn() + dt.timedelta(days=12))
    [row] = await MailMessage.select().where(MailMessage.to_address == address)
    assert row["state"] == "queued" and row["template"] == "assigned"
    [sent] = await run_until([row["id"]])
    assert sent["state"] == "sent" and sent["attempts"] == 1 and sent["sent_at"] is not None

    [arrival] = smtp.sink.for_address(address)
    assert smtp.sink.logins == [USER] * len(smtp.sink.logins) and smtp.sink.logins  # AUTH LOGIN/PLAIN happened
    assert arrival.mail_from == "no-reply@hoaihuong.example.vn"
    message = arrival.message
    assert message["Subject"] == "Nhiệm vụ mới được giao: Nạo vét kênh Bàu Sen"
    assert "=?utf-8?" in arrival.data.decode("ascii").split("\r\n\r\n", 1)[0].lower()  # RFC 2047 on the wire
    assert message["To"].addresses[0].addr_spec == address
    assert message["To"].addresses[0].display_name == "Phạm Thị Thư"
    assert message["From"].addresses[0].display_name == "Điều hành UBND xã Hoài Hương"
    assert message["Message-ID"] == row["message_id"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "vi"
    text, html = text_of(message, "plain"), text_of(message, "html")
    link = f"http://127.0.0.1:8000/tasks/{task['id']}"
    assert "Kính gửi Phạm Thị Thư" in text and link in text and "Hạn xử lý:" in text
    assert f'href="{link}"' in html and "Nạo vét kênh Bàu Sen" in html


async def test_english_speakers_get_the_english_template(smtp, mj) -> None:  # type: ignore[no-untyped-def]
    officer, address = await person_with_email(mj.dept_sub, locale="en")
    await make_task(mj, title="Sửa đèn đường", assignees=[officer])
    [row] = await MailMessage.select().where(MailMessage.to_address == address)
    await run_until([row["id"]])
    [arrival] = smtp.sink.for_address(address)
    assert arrival.message["Subject"] == "New task assigned to you: Sửa đèn đường"
    assert "Dear " in text_of(arrival.message, "plain")


async def test_no_email_unless_the_person_turned_it_on(smtp, mj) -> None:  # type: ignore[no-untyped-def]
    officer, address = await person_with_email(mj.dept_sub)
    await notifications.set_person_settings(officer.id, push_kinds=None, quiet_hours=True, email=False)
    await make_task(mj, assignees=[officer])
    assert not await MailMessage.exists().where(MailMessage.to_address == address)


async def test_queueing_is_idempotent_and_rolls_back_with_the_change() -> None:
    key = unique("mail-key-")
    first = await services.queue(to_address="a@example.vn", subject="Một", text_body="x", dedupe_key=key)
    again = await services.queue(to_address="a@example.vn", subject="Một", text_body="x", dedupe_key=key)
    assert first is not None and again is None
    assert len(await mail_jobs(first)) == 1

    class Boom(Exception):
        pass

    address = f"{unique('rollback')}@example.vn"
    with pytest.raises(Boom):
        async with write_transaction():
            await services.queue(to_address=address, subject="Hai", text_body="y")
            raise Boom
    assert not await MailMessage.exists().where(MailMessage.to_address == address)
    with pytest.raises(Invalid):
        await services.queue(to_address="not an address", subject="x", text_body="y")


async def test_a_temporary_failure_is_retried_after_a_backoff(smtp) -> None:  # type: ignore[no-untyped-def]
    address = f"{unique('later')}@example.vn"
    smtp.sink.rcpt_answers[address] = ["451 4.3.0 Mailbox busy, try again later"]
    mail_id = await services.queue(to_address=address, subject="Thử lại", text_body="Nội dung")
    [row] = await run_until([mail_id], rounds=2)
    assert row["state"] == "queued" and row["attempts"] == 1 and "451" in row["last_error"]
    [job] = await mail_jobs(mail_id)
    assert job["state"] == "queued" and job["run_at"] > clock.now() + dt.timedelta(seconds=20)  # the backoff
    assert smtp.sink.for_address(address) == []
    clock.freeze(job["run_at"] + dt.timedelta(seconds=1))
    try:
        [row] = await run_until([mail_id])
    finally:
        clock.freeze(None)
    assert row["state"] == "sent" and row["attempts"] == 2
    assert len(smtp.sink.for_address(address)) == 1


async def test_a_refused_recipient_fails_for_good_and_shows_to_the_admin(smtp) -> None:  # type: ignore[no-untyped-def]
    address = f"{unique('nobody')}@example.vn"
    smtp.sink.rcpt_answers[address] = ["550 5.1.1 No such user"]
    mail_id = await services.queue(to_address=address, subject="Không tới", text_body="x")
    [row] = await run_until([mail_id])
    assert row["state"] == "failed" and "550" in row["last_error"]
    [job] = await mail_jobs(mail_id)
    assert job["state"] == "failed"
    assert mail_id in {m["id"] for m in await services.list_messages(state="failed", limit=500)}
    # The admin sends it again (the address was fixed meanwhile): same Message-ID, one arrival.
    again = await services.resend(mail_id)
    assert again["state"] == "queued"
    [row] = await run_until([mail_id])
    assert row["state"] == "sent"
    [arrival] = smtp.sink.for_address(address)
    assert arrival.message["Message-ID"] == row["message_id"]


async def test_without_smtp_url_messages_are_kept_in_the_local_sink(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SMTP_URL", raising=False)
    address = f"{unique('sink')}@example.vn"
    mail_id = await services.queue_citizen_mail(
        to_address=address, report_code="PA-7K3M9Q", subject="Phản ánh đã được tiếp nhận",
        body="Phản ánh đã được chuyển đến Phòng Tài nguyên và Môi trường.")
    [row] = await run_until([mail_id])
    assert row["state"] == "sent" and row["sink_file"].endswith(".eml")
    data = await services.sink_bytes(mail_id)
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message["Subject"] == "[PA-7K3M9Q] Phản ánh đã được tiếp nhận"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "http://127.0.0.1:8000/r/PA-7K3M9Q" in text and "Mã tra cứu: PA-7K3M9Q" in text
    assert row["person_id"] is None  # a citizen is nobody's account
    # Delivering again (a worker replaying the job) keeps one file and one sent message.
    assert await services.deliver(mail_id) == "sent"
    assert len(list(transport.sink_dir().glob(f"{mail_id:08d}-*.eml"))) == 1


async def test_a_worker_that_died_before_the_data_resends_and_after_it_does_not(smtp) -> None:  # type: ignore[no-untyped-def]
    """The two crash cases, in process (the SIGKILL version is in test_mail_worker_processes.py)."""
    before, after = f"{unique('before')}@example.vn", f"{unique('after')}@example.vn"
    first = await services.queue(to_address=before, subject="Trước", text_body="x")
    second = await services.queue(to_address=after, subject="Sau", text_body="y")
    # As a dead worker leaves them: taken in the connect phase, and in the data phase.
    for mail_id, phase in ((first, "connect"), (second, "data")):
        await MailMessage.update({MailMessage.state: "sending", MailMessage.phase: phase,
                                  MailMessage.attempt_token: "dead", MailMessage.attempts: 1}).where(
            MailMessage.id == mail_id)
    assert await services.deliver(first) == "sent"
    assert await services.deliver(second) == "uncertain"
    assert len(smtp.sink.for_address(before)) == 1 and smtp.sink.for_address(after) == []
    assert (await services.get_message(second))["state"] == "uncertain"


def test_every_template_renders_in_both_locales() -> None:
    context = {
        "person_name": "Lê Văn Trưởng", "title": "Tiêu đề", "body": "Nội dung", "link": "http://x/tasks/1",
        "task_title": "Việc <1> & 2", "deadline": "13/02/2026", "days": 2, "note": "Ghi chú", "unit_name": "Phòng",
        "approved": True, "counts": {"open": 1, "overdue": 0, "due_today": 0, "due_soon": 1, "unit_overdue": 2},
        "day": "04/03/2026", "report_code": "PA-7K3M9Q", "overdue": True,
    }
    names = sorted(p.stem for p in (render.TEMPLATE_DIR / "vi").glob("*.jinja") if not p.stem.startswith("_"))
    assert {p.stem for p in (render.TEMPLATE_DIR / "en").glob("*.jinja")} == {*names, "_layout"}
    for kind in notifications.EVENT_KINDS:
        assert render.template_for(kind) in names, kind
    for locale in ("vi", "en"):
        for name in names:
            rendered = render.render(name, locale, context, strict=True)
            assert rendered.subject and "\n" not in rendered.subject
            assert "Việc &lt;1&gt; &amp; 2" in rendered.html or "Việc <1>" not in rendered.text
            assert "<1>" not in rendered.html


def test_smtp_url_forms() -> None:
    config = transport.parse_smtp_url("smtp://user%40x:p%3Ass@mail.example.vn:587?starttls=1")
    assert (config.host, config.port, config.username, config.password, config.starttls, config.implicit_tls) == (
        "mail.example.vn", 587, "user@x", "p:ss", True, False)
    assert transport.parse_smtp_url("smtps://mail.example.vn").port == 465
    assert transport.parse_smtp_url("smtp://relay").port == 25
    with pytest.raises(ValueError):
        transport.parse_smtp_url("http://mail.example.vn")


async def test_old_email_jobs_still_deliver(monkeypatch, mj) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SMTP_URL", raising=False)
    officer, address = await person_with_email(mj.dept_sub)
    notification_id = await notifications.notify(officer.id, "comment", "Ý kiến cũ", link="/tasks/1")
    # A job of the kind queued before server/mail existed.
    await Job.delete().where(Job.dedupe_key == f"email:{notification_id}")
    assert await notifications.handle_email({"notification": notification_id}) == "skipped"  # already queued once
    assert await notifications.handle_email({"to": "nobody"}) == "skipped"
    assert await MailMessage.count().where(MailMessage.to_address == address) == 1


async def test_a_malformed_smtp_url_fails_the_message_for_the_admin_to_see(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from server.notifications.jobs import PermanentJobError

    monkeypatch.setenv("SMTP_URL", "smtp://mail.example.vn:not-a-port")
    mail_id = await services.queue(to_address=f"{unique('badurl')}@example.vn", subject="Cấu hình sai", text_body="x")
    with pytest.raises(PermanentJobError):
        await services.deliver(mail_id)
    row = await services.get_message(mail_id)
    assert row["state"] == "failed" and "SMTP_URL" in row["last_error"]
    assert (await services.resend(mail_id))["state"] == "queued"  # once the setting is mended
