"""The floor a Litestar app stands on: one GET that returns a small JSON dict, nothing else.

    .venv/bin/python -m uvicorn bench.bare_app:create_app --factory --host 127.0.0.1 --port 8001 --workers 1

bench/run.py serves it beside the real app with the same uvicorn flags, so the task list's requests/s can be
compared with what Litestar and uvicorn alone do on the same machine in the same run.
"""

from __future__ import annotations

from litestar import Litestar, get


@get("/bare", sync_to_thread=False)
def bare() -> dict[str, object]:
    return {"status": "ok", "items": [1, 2, 3], "has_more": False}


def create_app() -> Litestar:
    return Litestar(route_handlers=[bare], debug=False)
