from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.api.webhooks.receiver import Receiver


@pytest.fixture
async def receiver(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Receiver]:
    """The receiver, and an allow-list that lets the server reach it (loopback is refused by default)."""
    monkeypatch.setenv("WEBHOOK_ALLOWED_HOSTS", "127.0.0.1/32")
    r = Receiver()
    await r.start()
    yield r
    await r.stop()


@pytest.fixture
async def cleanup_subscriptions() -> AsyncIterator[list[int]]:
    """Subscriptions a test made are deleted after it, so no later test's task is sent anywhere."""
    made: list[int] = []
    yield made
    from server.webhooks.tables import WebhookDelivery, WebhookSubscription

    if made:
        await WebhookDelivery.delete().where(WebhookDelivery.subscription.is_in(made))
        await WebhookSubscription.delete().where(WebhookSubscription.id.is_in(made))

