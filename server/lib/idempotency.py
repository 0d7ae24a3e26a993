"""Controllers wrap a changing call in `once()` so an `Idempotency-Key` header makes it happen once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Response

from server.people.services import Actor
from server.sync.services import Answer, run_once

HEADER = "idempotency-key"


async def once(
    request: Request,
    actor: Actor,
    payload: Any,
    call: Callable[[], Awaitable[Any]],
    status_code: int = 200,
) -> Response:
    async def action() -> Answer:
        result = await call()
        return result if isinstance(result, Answer) else Answer(status_code, result)

    answer = await run_once(
        key=request.headers.get(HEADER),
        person_id=actor.id,
        scope=f"{request.method} {request.url.path}",
        payload=payload,
        action=action,
    )
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
    return Response(content=answer.body, status_code=answer.status_code, headers=headers)
