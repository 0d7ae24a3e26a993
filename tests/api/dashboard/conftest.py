"""The dashboard API tests' shared world: the seed's data set (tests/unit/dashboard/seed_data.py), built once per
test module, with today frozen at the data set's TODAY; and readers for the .xlsx sheets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from server.lib import clock
from tests.unit.dashboard.seed_data import START, TODAY, World, build

QUERY = f"period=month&start={START.isoformat()}"


@pytest.fixture(scope="module")
async def world() -> World:
    return await build()


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    clock.freeze(dt.datetime(TODAY.year, TODAY.month, TODAY.day, 5, tzinfo=dt.UTC))
    yield
    clock.freeze(None)


def sheet_rows(ws: Any) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def table_after(rows: list[list[Any]], header: str) -> tuple[list[Any], list[list[Any]]]:
    """The header row whose second cell is `header`, and the rows under it up to the next empty row."""
    for i, row in enumerate(rows):
        if len(row) > 1 and row[1] == header:
            body = []
            for next_row in rows[i + 1:]:
                if all(cell in (None, "") for cell in next_row):
                    break
                body.append(next_row)
            return row, body
    raise AssertionError(f"no table headed {header!r}")
