"""Triage as the receptionist lives it: she sits in the one-stop desk, routes to any unit of the commune,
never reads the task afterwards, works a long queue page by page, merges in one tap, rejects spam in bulk."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from server.lib import clock
from server.reports import services
from server.reports.tables import Report
from server.tasks.tables import Task
from tests.factories import PASSWORD, make_person
from tests.statements import recorded
from tests.unit.reports.helpers import make_category, make_report

TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def _token(client: Any, path: str = "/reports/triage") -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text[:300]
    return TOKEN.search(page.text).group(1)


def _article(html: str, report_id: int) -> str:
    """The part of the page about one report."""
    start = html.index(f'id="report-{report_id}"')
    end = html.find("<article", start)
    return html[start: end if end > 0 else len(html)]


async def test_the_receptionist_sits_in_the_one_stop_desk(j: Any) -> None:
    assert j.receptionist.unit_id == j.extra["one_stop"].id != j.root.id
    assert j.extra["one_stop"].path.startswith(j.root.path)


async def test_receptionist_routes_to_any_unit_and_cannot_read_the_task(client_for: Any, j: Any) -> None:
    category = await make_category(j, unit=j.dept)  # the rule picks a unit outside the receptionist's own
    by_rule = await make_report(category)
    chosen = await make_report(category, lat=11.2, lon=107.1)
    petition = await services.record_petition(j.receptionist, session="Kỳ họp thứ 9", constituency="Đơn vị số 2",
                                              deputies="", voters_group="", description="Đề nghị sửa cầu Kênh Xáng")
    client = await client_for(j.receptionist, headers={})
    token = await _token(client)
    for report_id, unit in ((by_rule["id"], ""), (chosen["id"], str(j.dept_sub.id)),
                            (petition["id"], str(j.other_dept.id))):
        answer = await client.post(f"/reports/triage/{report_id}/accept",
                                   data={"_csrf_token": token, "unit": unit, "note": "Đã chuyển đơn vị"})
        assert answer.status_code == 303, answer.text[:500]
        assert "ok=accept" in answer.headers["location"]
    by_rule_row = await Report.select(Report.description).where(Report.id == by_rule["id"]).first()
    tasks = {r["id"]: r["task_id"] for r in await Report.select(Report.id, Report.task_id).where(
        Report.id.is_in([by_rule["id"], chosen["id"], petition["id"]]))}
    leads = {r["id"]: r["lead_unit"] for r in await Task.select(Task.id, Task.lead_unit).where(
        Task.id.is_in(list(tasks.values())))}
    assert leads[tasks[by_rule["id"]]] == j.dept.id
    assert leads[tasks[chosen["id"]]] == j.dept_sub.id
    assert leads[tasks[petition["id"]]] == j.other_dept.id
    # Routing is her job; the task is not hers to read or change.
    api = await client_for(j.receptionist)
    for task_id in tasks.values():
        assert (await api.get(f"/api/v1/tasks/{task_id}")).status_code in (403, 404)
        assert (await client.get(f"/tasks/{task_id}")).status_code in (403, 404)
        changed = await api.post(f"/api/v1/tasks/{task_id}/transitions", json={"action": "cancel", "reason": "x"})
        assert changed.status_code in (403, 404, 405, 422)
    assert (await client.get("/tasks")).status_code == 200
    listing = await api.get("/api/v1/tasks")
    assert all(item["id"] not in tasks.values() for item in listing.json().get("items", []))
    # The unit head of the routed unit does see it.
    head = await client_for(j.head)
    seen = await head.get(f"/api/v1/tasks/{tasks[by_rule['id']]}")
    assert seen.status_code == 200
    # The task says what the citizen wrote; the place and the code come from the report itself, not as
    # Vietnamese lines copied into the description ("Địa điểm: …", "GPS: …").
    assert seen.json()["description"] == by_rule_row["description"]
    assert seen.json()["citizen_report"]["code"] == by_rule["code"]
    assert "href=\"/r/" + by_rule["code"] in (await (await client_for(j.head, headers={})).get(
        f"/tasks/{tasks[by_rule['id']]}")).text


async def test_a_refusal_stands_next_to_the_report_with_what_was_typed(client_for: Any, j: Any) -> None:
    category = await make_category(j)
    await services.save_category(None, code=category["code"], name=category["name"], target_days=5,
                                 default_unit_id=None)  # no rule, no default: the receptionist must choose
    report = await make_report(category)
    other = await make_report(category, lat=12.0, lon=108.0)
    client = await client_for(j.receptionist, headers={})
    token = await _token(client)
    page = await client.get("/reports/triage", params={"order": "newest"})
    assert "— Chọn đơn vị —" in _article(page.text, report["id"])
    refused = await client.post(f"/reports/triage/{report['id']}/accept?x=1", data={
        "_csrf_token": token, "unit": "", "note": "Ghi chú tôi đã gõ", "back": "/reports/triage?order=newest"})
    assert refused.status_code == 422
    mine = _article(refused.text, report["id"])
    assert "Chưa có quy tắc chuyển cho lĩnh vực này" in mine and 'value="Ghi chú tôi đã gõ"' in mine
    assert "Chưa có quy tắc chuyển" not in _article(refused.text, other["id"])
    # On the report's own page the same, and the actions are there.
    detail = await client.post(f"/reports/triage/{report['id']}/reject", data={
        "_csrf_token": token, "kind": "out_of_scope", "reason": "", "back": f"/reports/triage/{report['id']}"})
    assert detail.status_code == 422 and "Cần nêu lý do" in detail.text
    assert '<option value="out_of_scope" selected' in detail.text
    ok = await client.post(f"/reports/triage/{report['id']}/accept", data={
        "_csrf_token": token, "unit": str(j.other_dept.id), "back": f"/reports/triage/{report['id']}"})
    assert ok.status_code == 303 and ok.headers["location"].startswith(f"/reports/triage/{report['id']}")


async def test_queue_pages_filters_and_names_the_rules_unit(client_for: Any, j: Any) -> None:
    water = await make_category(j, unit=j.dept)
    roads = await make_category(j, name="Giao thông", unit=j.other_dept)
    made = [await make_report(water, lat=10.70 + i * 0.01, lon=106.6) for i in range(27)]
    road = await make_report(roads, lat=9.5, lon=105.5)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=5)
    await Report.update({Report.received_at: old}).where(Report.id == made[0]["id"])
    client = await client_for(j.receptionist, headers={})
    mine = {"category": water["id"]}  # the queue is the whole commune's: other tests' reports wait there too
    first = await client.get("/reports/triage", params=mine)
    assert first.status_code == 200
    assert first.text.count('class="card triage-item"') == 25
    assert made[0]["code"] in first.text and made[26]["code"] not in first.text  # oldest first
    assert "Theo quy tắc:" in first.text and j.dept.name in _article(first.text, made[0]["id"])
    assert 'rel="next"' in first.text
    second = await client.get("/reports/triage", params={**mine, "page": 2})
    assert second.text.count('class="card triage-item"') == 2 and made[26]["code"] in second.text
    newest = await client.get("/reports/triage", params={"order": "newest"})
    assert road["code"] in newest.text and made[0]["code"] not in newest.text
    only_roads = await client.get("/reports/triage", params={"category": roads["id"]})
    assert only_roads.text.count('class="card triage-item"') == 1
    assert j.other_dept.name in _article(only_roads.text, road["id"])
    waiting = await client.get("/reports/triage", params={**mine, "age": "3"})
    assert waiting.text.count('class="card triage-item"') == 1 and made[0]["code"] in waiting.text
    today = await client.get("/reports/triage", params={**mine, "age": "today", "order": "newest"})
    assert made[0]["code"] not in today.text and made[26]["code"] in today.text
    # A thumbnail and a map per report, and the page is small.
    item = _article(first.text, made[1]["id"])
    assert "-thumb.webp" in item and "tile.openstreetmap.org/16/" in item
    assert len(first.content) < 100_000
    # The state filter shows what was handled as well.
    await services.reject(j.receptionist, made[1]["id"], kind="spam", reason="Quảng cáo")
    assert made[1]["code"] not in (await client.get("/reports/triage", params=mine)).text
    assert made[1]["code"] in (await client.get("/reports/triage", params={**mine, "state": "all"})).text
    # Bad filters fall back to the defaults, never an error.
    assert (await client.get("/reports/triage", params={"page": "x", "order": "z", "age": "99"})).status_code in (
        200, 400)


async def test_area_filter(client_for: Any, j: Any) -> None:
    from server.reports import admin

    category = await make_category(j)
    square = "[[10.7,106.6],[10.7,106.8],[10.8,106.8],[10.8,106.6]]"
    area = await admin.add_area(None, name="Ấp Mỹ Thuận", polygon=square)
    inside = await make_report(category, lat=10.75, lon=106.7)
    outside = await make_report(category, lat=11.5, lon=106.7)
    client = await client_for(j.receptionist, headers={})
    page = await client.get("/reports/triage", params={"area": area, "category": category["id"]})
    assert inside["code"] in page.text and outside["code"] not in page.text


async def test_a_citizen_on_the_phone_gives_the_code_and_the_receptionist_finds_it(client_for: Any, j: Any) -> None:
    """The queue is the whole commune's, oldest first, 25 a page: a report called in about is found by its
    tracking code, or by words of it without diacritics, wherever it stands in the queue."""
    category = await make_category(j)
    burst = [await make_report(category, lat=10.7, lon=106.6) for _ in range(26)]
    wanted = await make_report(category, lat=10.7, lon=106.6, description="Đường ống nước bị vỡ trước chợ Hoài Hương")
    client = await client_for(j.receptionist, headers={})
    assert wanted["code"] not in (await client.get("/reports/triage", params={"category": category["id"]})).text
    for query in (wanted["code"], wanted["code"].lower(), "ong nuoc  CHO hoai"):
        found = await client.get("/reports/triage", params={"q": query})
        assert found.status_code == 200
        assert found.text.count('class="card triage-item"') == 1 and wanted["code"] in found.text, query
        assert f'value="{" ".join(query.split())}"' in found.text  # the search box keeps what was typed
    assert len(burst) == 26  # (the burst stands at the same place: its codes show as likely duplicates)
    nothing = await client.get("/reports/triage", params={"q": "%_" * 300})
    assert nothing.status_code == 200 and 'class="card triage-item"' not in nothing.text


async def test_duplicate_in_one_tap_and_spam_in_bulk(client_for: Any, j: Any) -> None:
    category = await make_category(j)
    original = await make_report(category)
    near = await make_report(category, lat=10.75312, lon=106.67021)
    spam = [await make_report(category, lat=12.0 + i, lon=108.0) for i in range(3)]
    client = await client_for(j.receptionist, headers={})
    page = await client.get("/reports/triage", params={"category": category["id"]})
    token = TOKEN.search(page.text).group(1)
    near_part = _article(page.text, near["id"])
    assert f"Trùng với {original['code']}" in near_part
    merged = await client.post(f"/reports/triage/{near['id']}/merge",
                               data={"_csrf_token": token, "original": original["code"], "back": "/reports/triage"})
    assert merged.status_code == 303
    assert (await services.public_report(near["code"]))["duplicate_code"] == original["code"]
    await services.reject(j.receptionist, spam[2]["id"], kind="spam", reason="Đã xử lý")  # a colleague was faster
    bulk = await client.post("/reports/triage/bulk-reject", data={
        "_csrf_token": token, "ids": [str(s["id"]) for s in spam], "kind": "spam", "reason": "Quảng cáo",
        "back": "/reports/triage?order=newest"})
    assert bulk.status_code == 303 and "ok=bulk" in bulk.headers["location"] and "n=2" in bulk.headers["location"]
    assert "order=newest" in bulk.headers["location"]
    statuses = {r["id"]: r["status"] for r in await Report.select(Report.id, Report.status).where(
        Report.id.is_in([s["id"] for s in spam]))}
    assert set(statuses.values()) == {"rejected"}
    empty = await client.post("/reports/triage/bulk-reject", data={"_csrf_token": token, "kind": "spam",
                                                                   "reason": "Quảng cáo"})
    assert empty.status_code == 422 and "Hãy chọn ít nhất một phản ánh" in empty.text
    assert 'value="Quảng cáo"' in empty.text


async def test_queue_queries_do_not_grow_with_the_page(client_for: Any, j: Any, monkeypatch: Any) -> None:
    category = await make_category(j)
    client = await client_for(j.receptionist, headers={})

    async def count_page() -> int:
        with recorded(monkeypatch) as statements:
            response = await client.get("/reports/triage", params={"category": category["id"]})
        assert response.status_code == 200
        return len(statements)

    await make_report(category, lat=10.1, lon=106.1)
    small = await count_page()
    for i in range(12):
        await make_report(category, lat=10.2 + i * 0.02, lon=106.2)
    assert await count_page() == small


async def test_each_role_lands_on_its_own_work(client_for: Any, j: Any) -> None:
    category = await make_category(j)
    await make_report(category)
    receptionist = await client_for(j.receptionist, headers={})
    assert (await receptionist.get("/")).headers["location"] == "/home"
    home = await receptionist.get("/home")
    assert home.status_code in (302, 303, 307) and home.headers["location"] == "/reports/triage"
    queue = await receptionist.get("/reports/triage")
    nav = queue.text[queue.text.index('<nav class="main"'):queue.text.index("</nav>")]
    assert 'href="/reports/triage"' in nav and re.search(r'class="unread"[^>]*>\d+<', nav)
    head = await client_for(j.head, headers={})
    assert (await head.get("/home")).headers["location"] == "/tasks?view=scope"
    officer = await client_for(j.officer, headers={})
    assert (await officer.get("/home")).headers["location"] == "/tasks"
    officer_tasks = await officer.get("/tasks")
    assert 'href="/reports/triage"' not in officer_tasks.text
    leader = await client_for(j.leader, headers={})
    landing = await leader.get("/home")
    assert landing.status_code == 200 and 'id="approvals-total"' in landing.text and 'id="home-figures"' in landing.text
    assert 'href="/reports/triage"' in landing.text and 'href="/approvals"' in landing.text
    # Signing in on the desk lands there too.
    fresh = await client_for(None, headers={})
    token = TOKEN.search((await fresh.get("/login")).text).group(1)
    signed = await fresh.post("/login", data={"_csrf_token": token, "username": j.receptionist.username,
                                              "password": PASSWORD})
    assert signed.status_code == 303 and signed.headers["location"] == "/home"
    assert (await fresh.get("/home")).headers["location"] == "/reports/triage"


async def test_a_second_receptionist_elsewhere_in_the_tree_routes_too(client_for: Any, j: Any) -> None:
    deep = await make_person(j.dept_sub, "receptionist", "Lý Thị Tiếp")
    category = await make_category(j, unit=j.other_dept)
    report = await make_report(category)
    result = await services.accept(deep, report["id"], public_note="Đã tiếp nhận")
    assert result["unit_id"] == j.other_dept.id
    assert result["deadline"] >= clock.today_vn()


async def test_new_reports_reach_the_receptionists_inbox_grouped(client_for: Any, j: Any) -> None:
    from server.notifications.services import inbox
    from server.reports.triage import WAITING_KIND, notify_waiting

    category = await make_category(j)
    now = clock.now()
    await notify_waiting(now)  # whatever earlier tests left waiting: told once
    before = [n for n in (await inbox(j.receptionist.id))["items"] if n["kind"] == WAITING_KIND]
    for i in range(3):
        await make_report(category, lat=10.0 + i, lon=106.0)
    later = now + dt.timedelta(minutes=5)
    await notify_waiting(later)
    await notify_waiting(later)  # the same tick again (a second worker): nobody is told twice
    items = [n for n in (await inbox(j.receptionist.id))["items"] if n["kind"] == WAITING_KIND]
    assert len(items) == len(before) + 1
    assert items[0]["title"] == "3 phản ánh mới chờ tiếp nhận" and items[0]["link"] == "/reports/triage"
    await notify_waiting(later + dt.timedelta(minutes=5))  # nothing new: no notice
    assert len([n for n in (await inbox(j.receptionist.id))["items"] if n["kind"] == WAITING_KIND]) == len(items)
    assert not [n for n in (await inbox(j.officer.id))["items"] if n["kind"] == WAITING_KIND]


async def test_routing_stays_inside_the_jurisdiction(client_for: Any, j: Any) -> None:
    from tests.factories import make_jurisdiction

    elsewhere = await make_jurisdiction()
    category = await make_category(j)
    report = await make_report(category)
    client = await client_for(j.receptionist, headers={})
    token = await _token(client)
    page = await client.get(f"/reports/triage/{report['id']}")
    assert j.dept.name in page.text and f'value="{elsewhere.dept.id}"' not in page.text
    refused = await client.post(f"/reports/triage/{report['id']}/accept", data={
        "_csrf_token": token, "unit": str(elsewhere.dept.id), "back": f"/reports/triage/{report['id']}"})
    assert refused.status_code == 422 and "nằm ngoài phạm vi" in refused.text
    assert (await Report.select(Report.status).where(Report.id == report["id"]).first())["status"] == "new"


async def test_a_petition_reads_as_one_in_the_queue(client_for: Any, j: Any) -> None:
    """A voter petition is not a field report: its card says so, with the session, constituency and voters."""
    category = await make_category(j)
    petition = await services.record_petition(
        j.receptionist, session="Tiếp xúc cử tri trước kỳ họp thứ 9", constituency="Đơn vị bầu cử số 2",
        deputies="Ông Nguyễn Văn Thành", voters_group="Cử tri thôn Định Trị", category_id=category["id"],
        description="Cử tri đề nghị sửa đoạn đường liên thôn bị sụt lún trước mùa mưa")
    client = await client_for(j.receptionist, headers={})
    page = await client.get("/reports/triage", params={"q": petition["code"]})
    card = _article(page.text, petition["id"])
    assert "Kiến nghị cử tri" in card and category["name"] in card
    for text in ("Tiếp xúc cử tri trước kỳ họp thứ 9", "Đơn vị bầu cử số 2", "Cử tri thôn Định Trị"):
        assert text in card


async def test_the_admin_names_a_triage_officer_who_routes_and_reads_no_task(client_for: Any, j: Any) -> None:
    """Whoever the admin names a triage officer (a clerk standing in for the receptionist) triages as she does,
    whatever their role, and like her reads none of the tasks afterwards; taken back, the power is gone."""
    category = await make_category(j, unit=j.dept)
    report = await make_report(category)
    clerk = j.other_officer  # an officer of another department
    desk = await client_for(clerk, headers={})
    assert (await desk.get("/reports/triage")).status_code in (403, 404)
    admin = await client_for(j.admin, headers={})
    people_page = await admin.get("/admin/people")
    assert f'action="/admin/people/{clerk.id}/triage"' in people_page.text
    named = await admin.post(f"/admin/people/{clerk.id}/triage",
                             data={"_csrf_token": TOKEN.search(people_page.text).group(1), "triage": "1"})
    assert named.status_code == 303 and "ok=person_updated" in named.headers["location"]
    assert "Cán bộ tiếp nhận phản ánh" in (await admin.get("/admin/people")).text
    # Naming is a change of privilege: the clerk signs in again to a session that carries it.
    desk = await client_for(clerk, headers={})
    queue = await desk.get("/reports/triage", params={"q": report["code"]})
    assert queue.status_code == 200 and report["code"] in queue.text
    accepted = await desk.post(f"/reports/triage/{report['id']}/accept",
                               data={"_csrf_token": TOKEN.search(queue.text).group(1), "unit": "", "note": ""})
    assert accepted.status_code == 303, accepted.text[:300]
    task_id = (await Report.select(Report.task_id).where(Report.id == report["id"]).first())["task_id"]
    lead = (await Task.select(Task.lead_unit).where(Task.id == task_id).first())["lead_unit"]
    assert lead == j.dept.id
    api = await client_for(clerk)
    assert (await api.get(f"/api/v1/tasks/{task_id}")).status_code in (403, 404)
    # The admin takes it back through the API as well.
    admin_api = await client_for(j.admin)
    revoked = await admin_api.patch(f"/api/v1/people/{clerk.id}", json={"triage": False})
    assert revoked.status_code == 200 and revoked.json()["triage"] is False
    again = await client_for(clerk, headers={})
    assert (await again.get("/reports/triage")).status_code in (403, 404)
