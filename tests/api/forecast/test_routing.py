"""Routing learned from history, where the receptionist acts: the suggestion beside the rule's choice with its
confidence and the past reports it rests on, "not enough history" below the minimum, and the admin's switch per
category that makes the suggestion the pre-selected unit."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from server.audit.tables import AuditEvent
from server.forecast import learned_routing, suggestions
from server.lib import clock
from server.reports.tables import Report
from server.tasks.tables import Task
from tests.api.forecast.reports_history import article, past_report, token
from tests.factories import make_jurisdiction
from tests.unit.reports.helpers import make_category, make_report

MARKET = (10.7531, 106.6702)
FIELDS = (10.8400, 106.7600)  # about 13 km away


async def history(j: Any, category: dict[str, Any]) -> list[dict[str, Any]]:
    """Pipes at the market went to the other department (a person re-routed each one: the rule says the
    department); rubbish in the fields stayed with the department."""
    pipes = ["Vỡ ống nước gần chợ", "Rò rỉ đường ống nước trước chợ", "Ong nuoc bi be o cho", "Bể ống cấp nước"]
    made = []
    for i in range(20):
        made.append(await past_report(category["id"], f"{pipes[i % 4]} số {i}", unit_id=j.other_dept.id,
                                      lat=MARKET[0] + i * 1e-4, lon=MARKET[1], days_ago=10 + i))
    for i in range(16):
        await past_report(category["id"], f"Rác thải đổ bừa bãi ngoài đồng {i}", unit_id=j.dept.id,
                          lat=FIELDS[0], lon=FIELDS[1] + i * 1e-4, days_ago=12 + i)
    return made


async def test_the_receptionist_sees_the_learned_unit_and_the_admin_turns_it_on(client_for: Any) -> None:
    j = await make_jurisdiction()
    category = await make_category(j, unit=j.dept)
    past = await history(j, category)
    refreshed = await suggestions.refresh_routing(j.root.id)
    assert refreshed.status == suggestions.READY and refreshed.examples == 36 and refreshed.units == 2
    new = await make_report(category, lat=MARKET[0], lon=MARKET[1], description="Ro ri duong ong nuoc o cho, nuoc chay")

    desk = await client_for(j.receptionist, headers={})
    queue = f"/reports/triage?category={category['id']}"
    card = article((await desk.get(queue)).text, new["id"])
    assert "Gợi ý từ lịch sử" in card and j.other_dept.name in card and f'data-learned-unit="{j.other_dept.id}"' in card
    assert "độ tin cậy" in card and "Dựa trên:" in card
    assert sum(p["code"] in card for p in past) == learned_routing.EVIDENCE
    # The rule stays the default: the card's accept sends no unit, and says the rule's.
    assert "Theo quy tắc:" in card and j.dept.name in card and 'name="unit" value=""' in card
    english = article((await desk.get(queue + "&lang=en")).text, new["id"])
    assert "Suggested from history" in english and "confidence" in english

    admin = await client_for(j.admin, headers={})
    answer = await admin.post("/reports/admin/category-learned", data={
        "_csrf_token": await token(admin, "/reports/admin/"), "id": str(category["id"]), "on": "1"})
    assert answer.status_code == 303 and "ok=category-learned" in answer.headers["location"]
    assert f'id="learned-{category["id"]}"' in (page := (await admin.get("/reports/admin/")).text)
    assert "Đang bật" in page.split(f'id="learned-{category["id"]}"')[1][:600]
    card = article((await desk.get(queue)).text, new["id"])
    assert f'name="unit" value="{j.other_dept.id}"' in card and "Theo gợi ý:" in card and "đã chọn sẵn" in card
    detail = (await desk.get(f"/reports/triage/{new['id']}")).text
    assert f'<option value="{j.other_dept.id}" selected>' in detail

    # Accepting with the pre-selected unit is a re-route away from the rule, recorded as such.
    accepted = await desk.post(f"/reports/triage/{new['id']}/accept", data={
        "_csrf_token": await token(desk, queue), "unit": str(j.other_dept.id), "note": ""})
    assert accepted.status_code == 303, accepted.text[:300]
    row = await Report.select(Report.task_id, Report.unit).where(Report.id == new["id"]).first()
    assert row["unit"] == j.other_dept.id
    assert (await Task.select(Task.lead_unit).where(Task.id == row["task_id"]).first())["lead_unit"] == j.other_dept.id
    event = await AuditEvent.select(AuditEvent.after).where(
        (AuditEvent.action == "report.accept") & (AuditEvent.entity_id == str(new["id"]))).first()
    after = event["after"] if isinstance(event["after"], dict) else json.loads(event["after"])
    assert after["rerouted"] is True and after["rule_unit"] == j.dept.id
    # ... and the next fit learns from it.
    assert (await suggestions.refresh_routing(j.root.id)).examples == 37

    # Turned off again: the rule is the default once more.
    await admin.post("/reports/admin/category-learned", data={
        "_csrf_token": await token(admin, "/reports/admin/"), "id": str(category["id"]), "on": "0"})
    again = await make_report(category, lat=MARKET[0], lon=MARKET[1], description="Vỡ ống nước ở chợ")
    card = article((await desk.get(queue)).text, again["id"])
    assert 'name="unit" value=""' in card and "Theo gợi ý:" not in card and j.other_dept.name in card


async def test_not_enough_history_says_so_and_bad_input_is_refused(client_for: Any) -> None:
    j = await make_jurisdiction()
    category = await make_category(j, unit=j.dept)
    for i in range(5):
        await past_report(category["id"], f"Vỡ ống nước {i}", unit_id=j.other_dept.id, days_ago=5 + i)
    new = await make_report(category, description="Rò rỉ đường ống nước")
    desk = await client_for(j.receptionist, headers={})
    queue = f"/reports/triage?category={category['id']}"
    assert "Gợi ý chưa được tính" in article((await desk.get(queue)).text, new["id"])
    refreshed = await suggestions.refresh_routing(j.root.id)
    assert refreshed.status == suggestions.NOT_ENOUGH and refreshed.examples == 5
    card = article((await desk.get(queue)).text, new["id"])
    assert "Chưa đủ lịch sử để gợi ý" in card and "data-learned-unit=\"\"" in card and "Theo quy tắc:" in card

    admin = await client_for(j.admin, headers={})
    refused = await admin.post("/reports/admin/category-learned", data={
        "_csrf_token": await token(admin, "/reports/admin/"), "id": "987654321", "on": "1"})
    assert refused.status_code == 303 and "error=" in refused.headers["location"]
    # Only the admin holds the switch.
    assert (await desk.post("/reports/admin/category-learned", data={
        "_csrf_token": await token(desk, queue), "id": str(category["id"]), "on": "1"})).status_code in (403, 404)


async def test_history_that_does_not_agree_is_called_unclear_not_turned_into_a_unit(client_for: Any) -> None:
    j = await make_jurisdiction()
    category = await make_category(j, unit=j.dept)
    # The same problem at the same place went to any of three units in turn: no majority to suggest from.
    for i in range(33):
        await past_report(category["id"], f"Vỡ ống nước gần chợ số {i}", unit_id=(j.dept.id, j.other_dept.id,
                          j.dept_sub.id)[i % 3], lat=MARKET[0], lon=MARKET[1], days_ago=10 + i)
    assert (await suggestions.refresh_routing(j.root.id)).status == suggestions.READY
    new = await make_report(category, lat=MARKET[0], lon=MARKET[1], description="Vỡ ống nước gần chợ")
    desk = await client_for(j.receptionist, headers={})
    queue = f"/reports/triage?category={category['id']}"
    card = article((await desk.get(queue)).text, new["id"])
    assert "chưa đủ rõ để gợi ý" in card and 'data-learned-unit=""' in card and "Dựa trên:" not in card
    assert "Theo quy tắc:" in card and 'name="unit" value=""' in card
    english = article((await desk.get(queue + "&lang=en")).text, new["id"])
    assert "not clear enough to suggest one" in english


async def test_the_history_starts_at_midnight_in_vietnam_on_both_engines() -> None:
    """A report received at 13:00 in Vietnam (06:00 UTC) on the history's first day is learnt from; one of the
    evening before is not. (SQLite once compared the start as ISO text, 'T' and +07:00, with the stored UTC text,
    a space before the time: that day's reports fell out.)"""
    j = await make_jurisdiction()
    category = await make_category(j, unit=j.dept)
    first_day = clock.today_vn() - dt.timedelta(days=suggestions.HISTORY_DAYS)

    def days_ago(day: dt.date, hour: int) -> float:
        return (clock.now() - dt.datetime.combine(day, dt.time(hour), tzinfo=clock.VN_TZ)).total_seconds() / 86400

    inside = await past_report(category["id"], "Đèn đường hỏng", unit_id=j.dept.id, days_ago=days_ago(first_day, 13))
    before = await past_report(category["id"], "Cây đổ chắn đường", unit_id=j.dept.id,
                               days_ago=days_ago(first_day - dt.timedelta(days=1), 23))
    learnt = {example.report_id for example in await suggestions.load_examples(j.root.path, clock.today_vn())}
    assert inside["id"] in learnt and before["id"] not in learnt
