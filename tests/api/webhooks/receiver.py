"""A webhook receiver started by the tests: an aiohttp server on 127.0.0.1 (a free port) that records what it is
sent and answers what each path is told to (a list of statuses, one per request, the last repeated)."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from tests.helpers import Received, RecordingServer

__all__ = ["Received", "Receiver"]


@dataclass
class Receiver(RecordingServer):
    answers: dict[str, list[int]] = field(default_factory=dict)  # path → statuses in turn (default 200)
    redirects: dict[str, str] = field(default_factory=dict)  # path → Location of its 3xx

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def answer(self, path: str) -> web.Response:
        statuses = self.answers.get(path) or [200]
        status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
        headers = {"Location": self.redirects[path]} if path in self.redirects else {}
        return web.Response(status=status, headers=headers, text="ok")
