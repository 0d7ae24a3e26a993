"""The SQL statements a piece of work runs, recorded: the tests that hold a page or a tick to a fixed number of
queries, whatever the rows, count them with this."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from server.reports.tables import Report


@contextmanager
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every statement run inside the block, as text, in order."""
    engine = type(Report._meta.db)
    original = engine.run_querystring
    statements: list[str] = []

    async def recording(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        statements.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(engine, "run_querystring", recording)
        yield statements
