"""One jurisdiction for the whole notifications suite (building one hashes eight passwords, seconds on a
busy machine); tests use distinct people or filter by their own tasks and keys."""

from __future__ import annotations

from tests.factories import Jurisdiction, make_jurisdiction

_shared: Jurisdiction | None = None


async def shared_jurisdiction() -> Jurisdiction:
    global _shared
    if _shared is None:
        _shared = await make_jurisdiction()
    return _shared
