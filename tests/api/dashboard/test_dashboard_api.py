"""The dashboard over HTTP: the JSON twin, the .xlsx holding the same numbers, the pages, and who may see them."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from server.kpi.services import BUCKETS
from tests.api.dashboard.conftest import QUERY, sheet_rows, table_after
from tests.unit.dashboard.seed_data import EXPECTED, World


async def test_json_twin(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(world.j.leader)
    response = await client.get(f"/api/v1/dashboard?{QUERY}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert {b: body["totals"][b] for b in BUCKETS} == EXPECTED
    assert body["totals"]["completion_rate"] == pytest.approx(0.77)
    assert body["totals"]["on_time_rate"] == pytest.approx(0.5)
    assert body["period"] == {"kind": "month", "start": "2026-03-01", "end": "2026-03-31"}
    assert body["unit"]["id"] == world.j.root.id
    # The drill-down twin agrees with each figure.
    for bucket in BUCKETS:
        drill = await client.get("/api/v1/dashboard/tasks", params={"bucket": bucket, "start": "2026-03-01",
                                                                     "end": "2026-03-31", "limit": 500})
        assert drill.status_code == 200, drill.text
        assert drill.json()["count"] == EXPECTED[bucket] == len(drill.json()["items"])


async def test_xlsx_holds_the_same_numbers(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(world.j.leader)
    data = (await client.get(f"/api/v1/dashboard?{QUERY}")).json()
    response = await client.get(f"/dashboard/report.xlsx?{QUERY}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Tổng hợp", "Cán bộ", "Quá hạn"]
    summary = wb["Tổng hợp"]
    rows = sheet_rows(summary)
    assert rows[0][0] == "BÁO CÁO TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ"
    assert rows[2][:4] == ["Kỳ báo cáo", dt.datetime(2026, 3, 1), "đến", dt.datetime(2026, 3, 31)]
    assert summary["B3"].number_format == "DD/MM/YYYY"
    assert rows[3][1] == world.j.root.name
    # The scope's figures.
    _, general = table_after(rows, "Giá trị")
    values = {row[0]: row[1] for row in general}
    assert values["Hoàn thành đúng hạn"] == data["totals"]["done_on_time"] == 50
    assert values["Hoàn thành quá hạn (Trễ hạn)"] == data["totals"]["done_late"]
    assert values["Đang thực hiện trong hạn"] == data["totals"]["in_progress_on_time"]
    assert values["Đang thực hiện quá hạn"] == data["totals"]["in_progress_overdue"]
    assert values["Tổng số"] == data["totals"]["total"] == 100
    assert values["Tỷ lệ hoàn thành"] == pytest.approx(data["totals"]["completion_rate"])
    assert values["Tỷ lệ đúng hạn"] == pytest.approx(data["totals"]["on_time_rate"])
    rate_cells = [c for row in summary.iter_rows() for c in row if c.value == pytest.approx(0.77)]
    assert rate_cells and rate_cells[0].number_format.endswith("%")
    # The sub-units, with the root's own tasks as a row, and a totals row.
    header, units = table_after(rows, "Đơn vị")
    assert header[2:9] == ["Hoàn thành đúng hạn", "Hoàn thành quá hạn (Trễ hạn)", "Đang thực hiện trong hạn",
                           "Đang thực hiện quá hạn", "Tổng số", "Tỷ lệ hoàn thành", "Tỷ lệ đúng hạn"]
    *unit_rows, total = units
    assert total[1] == "Tổng cộng"
    assert total[2:7] == [data["totals"][k] for k in ("done_on_time", "done_late", "in_progress_on_time",
                                                       "in_progress_overdue", "total")]
    expected_units = ([data["own"]] if data["own"] else []) + data["units"]
    assert len(unit_rows) == len(expected_units)
    for row, unit in zip(unit_rows, expected_units, strict=True):
        assert row[2:7] == [unit[k] for k in ("done_on_time", "done_late", "in_progress_on_time",
                                              "in_progress_overdue", "total")]
        assert (row[7], row[8]) == (pytest.approx(unit["completion_rate"]), pytest.approx(unit["on_time_rate"]))
    for column in range(2, 7):
        assert sum(row[column] for row in unit_rows) == total[column]
    # The people.
    _, people = table_after(sheet_rows(wb["Cán bộ"]), "Người thực hiện")
    assert [(row[1], row[3:8]) for row in people] == [
        (p["name"], [p[k] for k in ("done_on_time", "done_late", "in_progress_on_time", "in_progress_overdue",
                                     "total")]) for p in data["people"]
    ]
    # The overdue tasks, with dates as dates.
    overdue_ws = wb["Quá hạn"]
    _, overdue = table_after(sheet_rows(overdue_ws), "Nhiệm vụ")
    *items, overdue_total = overdue
    assert len(items) == data["totals"]["in_progress_overdue"] == overdue_total[1]
    assert [row[6] for row in items] == [t["id"] for t in data["overdue"]]
    assert all(isinstance(row[4], dt.datetime) for row in items)
    assert any(cell.number_format == "DD/MM/YYYY" for row in overdue_ws.iter_rows() for cell in row
               if isinstance(cell.value, dt.datetime))
    assert summary.column_dimensions["B"].width >= 20


async def test_pages_render(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(world.j.leader)
    page = await client.get(f"/dashboard?{QUERY}")
    assert page.status_code == 200
    html = page.text
    for text in ("Hoàn thành đúng hạn", "Hoàn thành quá hạn (Trễ hạn)", "Đang thực hiện trong hạn",
                 "Đang thực hiện quá hạn", "Tỷ lệ hoàn thành", "Tỷ lệ đúng hạn", "77%", "50%", "<svg"):
        assert text in html, text
    assert "01/03/2026 – 31/03/2026" in html
    # Every drill-down link's count is the count of the page it opens.
    links = re.findall(r'href="(/dashboard/tasks\?[^"]+)"[^>]*data-count="(\d+)"', html)
    assert len(links) > 20
    for href, count in links[:40]:
        drill = await client.get(href.replace("&amp;", "&"))
        assert drill.status_code == 200, href
        shown = re.search(r'class="dash-count" data-count="(\d+)"', drill.text)
        assert shown and shown.group(1) == count, href
        assert drill.text.count("<li data-task=") == min(int(count), 100), href
    english = await client.get(f"/dashboard?{QUERY}&lang=en")
    assert "Completion rate" in english.text and "On-time rate" in english.text
    assert "Tỷ lệ hoàn thành" not in english.text
    for path in ("/dashboard/directives", f"/dashboard/report?{QUERY}", "/dashboard/directives?kind=document",
                 f"/dashboard?{QUERY}&sort=-on_time", "/dashboard?period=custom&start=2026-03-01&end=2026-03-15",
                 f"/dashboard?unit_id={world.j.dept.id}&{QUERY}", "/dashboard?period=week&start=01/03/2026"):
        response = await client.get(path)
        assert response.status_code == 200, path
    report = await client.get(f"/dashboard/report?{QUERY}")
    assert "@media print" not in report.text and "dashboard.css" in report.text
    assert "BÁO CÁO TỔNG HỢP" in report.text and 'data-rate="completion">77%' in report.text


async def test_access(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    j = world.j
    officer = await client_for(j.officer)
    assert (await officer.get(f"/api/v1/dashboard?{QUERY}")).status_code == 403
    assert (await officer.get(f"/dashboard?{QUERY}")).status_code == 403
    assert (await officer.get(f"/dashboard/report.xlsx?{QUERY}")).status_code == 403
    for actor in (j.admin, j.receptionist):
        assert (await (await client_for(actor)).get("/api/v1/dashboard")).status_code == 403
    leader = await client_for(j.leader)
    other = world.j2
    for path in (f"/api/v1/dashboard?unit_id={other.root.id}", f"/dashboard?unit_id={other.dept.id}",
                 f"/dashboard/report.xlsx?unit_id={other.dept.id}",
                 f"/dashboard/tasks?bucket=total&unit_id={other.dept.id}&start=2026-03-01&end=2026-03-31",
                 f"/dashboard/tasks?bucket=total&person_id={other.officer.id}&start=2026-03-01&end=2026-03-31"):
        assert (await leader.get(path)).status_code == 404, path
    head = await client_for(j.head)
    assert (await head.get(f"/api/v1/dashboard?unit_id={j.other_dept.id}")).status_code == 404
    mine = (await head.get(f"/api/v1/dashboard?{QUERY}")).json()
    assert mine["unit"]["id"] == j.dept.id
    anonymous = await client_for(None)
    assert (await anonymous.get("/api/v1/dashboard")).status_code == 401
    page = await anonymous.get("/dashboard", headers={"accept": "text/html"})
    assert page.status_code in (302, 303) and page.headers["location"].startswith("/login")
    assert (await leader.get("/api/v1/dashboard?period=decade")).status_code == 422
    assert (await leader.get("/dashboard?period=custom&start=2026-03-10&end=2026-03-01")).status_code == 422
    # Dates whose period (or the previous / next one) falls outside the calendar: a clear 422, not a 500.
    for query in ("period=week&start=9999-12-31", "period=month&start=0001-01-15", "period=year&start=31/12/9999"):
        assert (await leader.get(f"/dashboard?{query}")).status_code == 422, query
        assert (await leader.get(f"/api/v1/dashboard?{query.replace('31/12/9999', '9999-12-31')}")).status_code == 422


async def test_openapi(client_for) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(None)
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/dashboard" in schema["paths"]
    assert not any(path.startswith("/dashboard") for path in schema["paths"])
