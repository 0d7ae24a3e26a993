from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.mail.smtp_server import SmtpServer


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1, and SMTP_URL / MAIL_FROM pointing the app at it."""
    server = SmtpServer()
    server.start()
    monkeypatch.setenv("SMTP_URL", server.url)
    monkeypatch.setenv("MAIL_FROM", "Điều hành UBND xã Hoài Hương <no-reply@hoaihuong.example.vn>")
    yield server
    server.stop()


_shared = None


@pytest.fixture
async def mj():  # type: ignore[no-untyped-def]
    """One jurisdiction for the mail tests (each test uses its own people or its own messages)."""
    global _shared
    from tests.factories import make_jurisdiction

    if _shared is None:
        _shared = await make_jurisdiction()
    return _shared
