"""The triage screens read the units once per request: the units the receptionist chooses among, the rule's
unit and the unit history suggests are named from one query, on the queue and on a report's own page."""

from __future__ import annotations

import re
from typing import Any

from server.forecast import suggestions
from tests.api.forecast.reports_history import article
from tests.api.forecast.test_routing import MARKET, history
from tests.factories import make_jurisdiction
from tests.statements import recorded
from tests.unit.reports.helpers import make_category, make_report

FROM_UNITS = re.compile(r'\bFROM\s+"?units"?(\s|$)', re.I)


async def _units_queries(client: Any, path: str, monkeypatch: Any) -> tuple[str, list[str]]:
    with recorded(monkeypatch) as statements:
        response = await client.get(path)
    assert response.status_code == 200, response.text[:300]
    return response.text, [s for s in statements if FROM_UNITS.search(s)]


async def test_the_queue_and_a_report_name_their_units_from_one_query(client_for: Any, monkeypatch: Any) -> None:
    j = await make_jurisdiction()
    category = await make_category(j, unit=j.dept)  # the rule's unit
    await history(j, category)  # history says the other department
    assert (await suggestions.refresh_routing(j.root.id)).status == suggestions.READY
    new = await make_report(category, lat=MARKET[0], lon=MARKET[1], description="Ro ri duong ong nuoc o cho")
    desk = await client_for(j.receptionist, headers={})
    html, queries = await _units_queries(desk, f"/reports/triage?category={category['id']}", monkeypatch)
    assert len(queries) == 1, queries
    card = article(html, new["id"])  # the rule's unit, and beside it the one history suggests
    assert f"<strong>{j.dept.name}</strong>" in card and f"<strong>{j.other_dept.name}</strong>" in card

    html, queries = await _units_queries(desk, f"/reports/triage/{new['id']}", monkeypatch)
    assert len(queries) == 1, queries
    assert f"Theo quy tắc: {j.dept.name}" in html and f"<strong>{j.other_dept.name}</strong>" in html
    # Every active unit of the commune is offered.
    for unit in (j.dept, j.dept_sub, j.other_dept):
        assert f'<option value="{unit.id}"' in html
