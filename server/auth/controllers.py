from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.status_codes import HTTP_200_OK

from server.auth import services
from server.auth.config import LOGIN_RATE_LIMIT, client_host, end_session, start_session
from server.lib.guards import actor_of, api_header_middleware


class LoginBody(msgspec.Struct, forbid_unknown_fields=True):
    username: str
    password: str


def me_of(actor: Any) -> dict[str, Any]:
    return {
        "id": actor.id,
        "username": actor.username,
        "full_name": actor.full_name,
        "role": actor.role,
        "unit_id": actor.unit_id,
        "unit_name": actor.unit_name,
        "locale": actor.locale,
    }


class AuthApiController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post(
        "/login",
        status_code=HTTP_200_OK,
        middleware=[LOGIN_RATE_LIMIT.middleware, api_header_middleware],
        opt={"public": True},
    )
    async def login(self, request: Request, data: LoginBody) -> dict[str, Any]:
        actor = await services.authenticate(data.username, data.password, client_host(request))
        start_session(request, actor)
        return me_of(actor)

    @post("/logout", status_code=HTTP_200_OK, middleware=[api_header_middleware])
    async def logout(self, request: Request) -> dict[str, bool]:
        end_session(request)
        return {"ok": True}

    @get("/me")
    async def me(self, request: Request) -> dict[str, Any]:
        return me_of(actor_of(request))
