"""API clients for the access, bad-input and idempotency tests, each from its own loopback address.

Login is rate-limited per client address (20 a minute, in the app's memory store, which lives as long as the
session-scoped `app`). These tests sign in hundreds of times, so every client here gets an address of its
own in 127.77.0.0/16 (the ASGI transport never opens a socket): they never spend the budget of the plain
`client_for` clients, which all come from 127.0.0.1.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import PASSWORD, client_address

API_HEADERS = {"X-Requested-With": "dieuhanh"}
BASE_URL = "http://testserver.local"
def next_address() -> tuple[str, int]:
    return client_address()


class Clients:
    """Makes clients (anonymous or signed in) and closes them all at the end."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._open: list[httpx.AsyncClient] = []

    def anonymous(
        self, headers: dict[str, str] | None = None, cookies: dict[str, str] | None = None
    ) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, client=next_address()),
            base_url=BASE_URL,
            headers=API_HEADERS if headers is None else headers,
            cookies=cookies,
        )
        self._open.append(client)
        return client

    async def signed_in(self, actor: Any | None, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
        client = self.anonymous(headers)
        if actor is not None:
            response = await client.post(
                "/api/v1/auth/login", json={"username": actor.username, "password": PASSWORD}, headers=API_HEADERS
            )
            assert response.status_code == 200, response.text
        return client

    async def aclose(self) -> None:
        for client in self._open:
            await client.aclose()
        self._open.clear()
