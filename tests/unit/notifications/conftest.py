from __future__ import annotations

import pytest

from tests.factories import Jurisdiction
from tests.unit.notifications.shared import shared_jurisdiction


@pytest.fixture
async def nj() -> Jurisdiction:
    return await shared_jurisdiction()
