"""Real worker processes and a real SMTP server: a worker SIGKILLed while the server takes the message does not
make a second copy when it is restarted; one killed before it handed the message over sends it on restart."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from server.mail import services
from server.mail.tables import MailMessage
from tests.factories import unique

ROOT = Path(__file__).resolve().parents[3]


def start_worker(name: str, smtp_url: str, lease: str = "2") -> subprocess.Popen:
    # A mail worker (WORKER_KINDS=mail.send): the suite's other work left in the shared queue is not its to run first.
    env = {**os.environ, "WORKER_ID": name, "WORKER_POLL_SECONDS": "0.2", "WORKER_LEASE_SECONDS": lease,
           "WORKER_KINDS": "mail.send", "WORKER_SCHEDULE": "0",
           "LOG_LEVEL": "WARNING", "SMTP_URL": smtp_url, "MAIL_FROM": "Điều hành <no-reply@example.vn>"}
    return subprocess.Popen([sys.executable, "-m", "server.worker"], cwd=ROOT, env=env)


async def wait_for_state(mail_id: int, states: set[str], limit: float = 30) -> dict:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        row = await MailMessage.select().where(MailMessage.id == mail_id).first()
        if row["state"] in states:
            return row
        await asyncio.sleep(0.1)
    raise AssertionError(f"message {mail_id} stayed {row['state']}")


def stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    return process.wait(timeout=15)


async def kill_at(smtp, moment: str, address: str) -> tuple[dict, int]:  # type: ignore[no-untyped-def]
    """Queue a message, let a worker start sending it, SIGKILL the worker at `moment`, restart a worker."""
    mail_id = await services.queue(to_address=address, subject="Nhắc việc: quá hạn", text_body="Nội dung")
    assert mail_id is not None
    victim = start_worker(f"victim-{moment}", smtp.url)

    def kill(recipients: str | list[str]) -> None:
        if address in recipients and victim.poll() is None:
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait(timeout=10)

    if moment == "rcpt":
        smtp.sink.on_rcpt = kill
    else:
        smtp.sink.on_data = kill
    try:
        # The SMTP server's hook kills it; the test only waits for the process to be gone.
        await asyncio.to_thread(victim.wait, 30)
        assert victim.returncode == -signal.SIGKILL
    finally:
        smtp.sink.on_rcpt = smtp.sink.on_data = None
        if victim.poll() is None:
            victim.kill()
    dead = await MailMessage.select().where(MailMessage.id == mail_id).first()
    assert dead["state"] == "sending", dead  # it died holding the message
    survivor = start_worker(f"survivor-{moment}", smtp.url)
    try:
        row = await wait_for_state(mail_id, {"sent", "uncertain", "failed"})
    finally:
        assert stop(survivor) == 0
    return row, len(smtp.sink.for_address(address))


async def test_killed_while_the_server_takes_the_message_it_is_not_sent_twice(smtp) -> None:  # type: ignore[no-untyped-def]
    row, arrivals = await kill_at(smtp, "data", f"{unique('killed-data')}@example.vn")
    assert arrivals == 1
    assert row["state"] == "uncertain" and "not sent again" in row["last_error"]


async def test_killed_before_handing_the_message_over_it_is_sent_once_on_restart(smtp) -> None:  # type: ignore[no-untyped-def]
    row, arrivals = await kill_at(smtp, "rcpt", f"{unique('killed-rcpt')}@example.vn")
    assert row["state"] == "sent" and row["attempts"] == 2
    assert arrivals == 1
