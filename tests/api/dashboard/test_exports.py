"""Large reports: built by the worker, with progress on the desk, downloadable by the person who asked only.

"Large" is lowered for the test (the real thresholds are a province's: more than 300 people or 20,000 tasks),
so the seed's commune goes the worker's way; the figures in the file must still be the dashboard's.
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from server.dashboard import exports, jobs
from server.kpi.services import BUCKETS
from server.notifications.tables import Job
from tests.api.dashboard.conftest import QUERY, sheet_rows, table_after
from tests.unit.dashboard.seed_data import END, START, World


def _export_id(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code in (302, 303), response.text
    match = re.fullmatch(r"/dashboard/exports/(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


async def test_a_large_report_is_built_by_the_worker(world: World, client_for, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(exports, "INLINE_MAX_TASKS", 10)
    leader = await client_for(world.j.leader)
    expected = (await leader.get(f"/api/v1/dashboard?{QUERY}")).json()

    export_id = _export_id(await leader.get(f"/dashboard/report.xlsx?{QUERY}"))
    # Asking again (another click, the A4 page) while it is being built gives the same export.
    assert _export_id(await leader.get(f"/dashboard/report.xlsx?{QUERY}")) == export_id
    assert _export_id(await leader.get(f"/dashboard/report?{QUERY}")) == export_id
    queued = await Job.select(Job.kind, Job.state).where(Job.dedupe_key == f"dashboard_export:{export_id}")
    assert queued == [{"kind": "dashboard_export", "state": "queued"}]

    page = await leader.get(f"/dashboard/exports/{export_id}")
    assert page.status_code == 200
    assert 'data-state="queued"' in page.text and 'http-equiv="refresh"' in page.text
    assert page.headers.get("refresh") == "2"
    assert (await leader.get(f"/dashboard/exports/{export_id}/report.xlsx")).status_code == 404  # not ready yet

    # Only the person who asked: for anyone else the report does not exist.
    for someone in (world.j.head, world.j2.leader):
        other = await client_for(someone)
        for suffix in ("", "/report.xlsx", "/print"):
            assert (await other.get(f"/dashboard/exports/{export_id}{suffix}")).status_code == 404, (someone, suffix)

    await jobs.handle_export({"export_id": export_id})  # what the worker runs for the queued job
    await jobs.handle_export({"export_id": export_id})  # a retry after a crash changes nothing
    page = await leader.get(f"/dashboard/exports/{export_id}")
    assert 'data-state="done"' in page.text and 'data-progress="100"' in page.text
    assert "refresh" not in page.headers and 'http-equiv="refresh"' not in page.text

    response = await leader.get(f"/dashboard/exports/{export_id}/report.xlsx")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/vnd.openxml")
    assert "attachment" in response.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    _, general = table_after(sheet_rows(wb["Tổng hợp"]), "Giá trị")
    values = {row[0]: row[1] for row in general}
    assert values["Hoàn thành đúng hạn"] == expected["totals"]["done_on_time"] == 50
    assert values["Tổng số"] == expected["totals"]["total"] == 100
    assert values["Tỷ lệ hoàn thành"] == pytest.approx(0.77) and values["Tỷ lệ đúng hạn"] == pytest.approx(0.5)
    _, people = table_after(sheet_rows(wb["Cán bộ"]), "Người thực hiện")
    assert [(row[1], row[3:7]) for row in people] == [
        (p["name"], [p[b] for b in BUCKETS]) for p in expected["people"]
    ]
    printed = await leader.get(f"/dashboard/exports/{export_id}/print")
    assert printed.status_code == 200
    assert 'data-rate="completion">77%' in printed.text and 'data-rate="on_time">50%' in printed.text
    for bucket in BUCKETS:
        assert f'data-bucket="{bucket}">{expected["totals"][bucket]}<' in printed.text


async def test_a_failed_build_shows_failed_and_asking_again_starts_anew(world: World, client_for, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from server.dashboard import excel

    monkeypatch.setattr(exports, "INLINE_MAX_TASKS", 10)
    leader = await client_for(world.j.leader)
    # The month as a custom period: a query of its own, so no earlier test's export is reused.
    query = f"period=custom&start={START.isoformat()}&end={END.isoformat()}"
    export_id = _export_id(await leader.get(f"/dashboard/report.xlsx?{query}"))

    def broken(data):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(excel, "build_workbook", broken)
    with pytest.raises(RuntimeError):
        await jobs.handle_export({"export_id": export_id})
    page = await leader.get(f"/dashboard/exports/{export_id}")
    assert 'data-state="failed"' in page.text and 'http-equiv="refresh"' not in page.text
    again = _export_id(await leader.get(f"/dashboard/report.xlsx?{query}"))
    assert again != export_id
    monkeypatch.undo()
    monkeypatch.setattr(exports, "INLINE_MAX_TASKS", 10)
    await jobs.handle_export({"export_id": export_id})  # the worker's retry of the first job builds it after all
    assert 'data-state="done"' in (await leader.get(f"/dashboard/exports/{export_id}")).text


async def test_a_small_report_is_sent_at_once(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    leader = await client_for(world.j.leader)
    response = await leader.get(f"/dashboard/report.xlsx?{QUERY}")
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert (await leader.get(f"/dashboard/report?{QUERY}")).status_code == 200
    assert (await leader.get("/dashboard/exports/999999999")).status_code == 404


async def test_a_long_people_table_is_a_page_of_its_own(world: World, client_for, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from server.dashboard import services

    leader = await client_for(world.j.leader)
    everyone = (await leader.get(f"/api/v1/dashboard?{QUERY}")).json()["people"]
    monkeypatch.setattr(services, "PEOPLE_INLINE_MAX", 2)
    monkeypatch.setattr(services, "PEOPLE_PAGE", 2)
    page = await leader.get(f"/dashboard?{QUERY}")
    assert page.status_code == 200 and 'data-table="people"' not in page.text
    link = re.search(r'href="(/dashboard/people\?[^"]+)"[^>]*data-people-total="(\d+)"', page.text)
    assert link and int(link.group(2)) >= len(everyone)
    people = await leader.get(link.group(1).replace("&amp;", "&"))
    assert people.status_code == 200
    assert f'data-count="{len(everyone)}"' in people.text
    rows = re.findall(r'<tr data-row="person-(\d+)"', people.text)
    assert [int(r) for r in rows] == [p["id"] for p in everyone[:2]]
    following = re.search(r'href="(/dashboard/people\?[^"]+)" rel="next"', people.text)
    assert following, "a next page"
    second = await leader.get(following.group(1).replace("&amp;", "&"))
    assert [int(r) for r in re.findall(r'<tr data-row="person-(\d+)"', second.text)] == [
        p["id"] for p in everyone[2:4]
    ]
    # The JSON twin says so too.
    body = (await leader.get(f"/api/v1/dashboard?{QUERY}")).json()
    assert body["people"] == [] and body["people_inline"] is False and body["people_total"] == int(link.group(2))
