from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from tests.factories import PASSWORD, Jurisdiction, client_address, make_jurisdiction

API_HEADERS = {"X-Requested-With": "dieuhanh"}


@pytest.fixture(scope="session")
def app() -> Any:
    from server.app import create_app

    return create_app()


@pytest.fixture
async def client_for(app: Any) -> AsyncIterator[Callable[..., Any]]:
    """Signed-in API clients, one per person, talking to the real app in this event loop."""
    clients: list[httpx.AsyncClient] = []

    async def make(actor: Any | None, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=client_address()), base_url="http://testserver.local",
            headers=API_HEADERS if headers is None else headers,
        )
        clients.append(client)
        if actor is not None:
            response = await client.post(
                "/api/v1/auth/login", json={"username": actor.username, "password": PASSWORD}, headers=API_HEADERS
            )
            assert response.status_code == 200, response.text
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def j() -> Jurisdiction:
    return await make_jurisdiction()
