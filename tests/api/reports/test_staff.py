"""Staff screens: the receptionist's triage forms, voter petitions, the admin's routing data and Open311 keys."""

from __future__ import annotations

import re
from typing import Any

from server.reports import admin, services
from tests.helpers import desk_token
from tests.unit.reports.helpers import make_category, make_report


async def test_triage_screens_accept_reject_merge(client_for: Any, j: Any) -> None:
    category = await make_category(j, unit=j.other_dept)
    first = await make_report(category)
    near = await make_report(category, lat=10.75312, lon=106.67021)
    spam = await make_report(category, lat=11.5, lon=107.5)
    client = await client_for(j.receptionist, headers={})
    queue = await client.get("/reports/triage", params={"category": category["id"]})
    assert first["code"] in queue.text and "Có thể trùng lặp" in queue.text
    detail = await client.get(f"/reports/triage/{first['id']}")
    assert first["phone"] in detail.text  # the receptionist sees the contact; the public never does
    token = await desk_token(client, "/reports/triage")
    accepted = await client.post(f"/reports/triage/{first['id']}/accept", data={"_csrf_token": token, "unit": ""})
    assert accepted.status_code == 303 and "ok=accept" in accepted.headers["location"]
    assert (await services.public_report(first["code"]))["unit_name"] == j.other_dept.name
    merged = await client.post(f"/reports/triage/{near['id']}/merge",
                               data={"_csrf_token": token, "original": first["code"], "reason": ""})
    assert "ok=merge" in merged.headers["location"]
    rejected = await client.post(f"/reports/triage/{spam['id']}/reject",
                                 data={"_csrf_token": token, "kind": "spam", "reason": "Quảng cáo"})
    assert "ok=reject" in rejected.headers["location"]
    again = await client.post(f"/reports/triage/{spam['id']}/accept", data={"_csrf_token": token})
    assert again.status_code == 409 and "Phản ánh đã được phân loại" in again.text  # shown, not redirected away
    public = await client_for(None, headers={})
    page = await public.get(f"/r/{near['code']}")
    assert f'href="/r/{first["code"]}"' in page.text
    assert (await public.get(f"/r/{spam['code']}")).status_code == 404

    officer = await client_for(j.officer, headers={})
    assert (await officer.get("/reports/triage")).status_code == 403
    anonymous = await client_for(None, headers={})
    assert (await anonymous.get("/reports/triage")).status_code in (302, 303, 307)


async def test_petitions_recorded_routed_and_listed_by_session(client_for: Any, j: Any) -> None:
    category = await make_category(j)
    client = await client_for(j.receptionist, headers={})
    token = await desk_token(client, "/reports/petitions/new")
    session = "Kỳ họp thứ 9, HĐND xã khóa XII"
    response = await client.post("/reports/petitions/new", data={
        "_csrf_token": token, "session": session, "constituency": "Đơn vị bầu cử số 2",
        "deputies": "Ông Nguyễn Văn A, Bà Trần Thị B", "voters_group": "Cử tri ấp Mỹ Thuận 1",
        "description": "Đề nghị sửa chữa cầu Kênh Xáng đã xuống cấp", "category": str(category["id"])})
    assert response.status_code == 303
    code = re.search(r"code=(KN-[2-9A-HJ-NP-Z]{6})", response.headers["location"]).group(1)
    report = await services.public_report(code)
    assert report["kind"] == "petition"
    from tests.unit.reports.helpers import resolve_through_task

    await resolve_through_task(j, report["id"], answer="Đã đưa vào kế hoạch sửa chữa quý I")
    public = await client_for(None, headers={})
    listing = await public.get("/portal/petitions", params={"session": session})
    assert code in listing.text and "Đã đưa vào kế hoạch sửa chữa quý I" in listing.text
    data = (await public.get("/portal/petitions.json", params={"session": session})).json()
    assert data["items"][0]["code"] == code and session in data["sessions"]


async def test_admin_routing_and_keys(client_for: Any, j: Any) -> None:
    category = await make_category(j)
    square = "[[10.7,106.6],[10.7,106.8],[10.8,106.8],[10.8,106.6]]"
    area = await admin.add_area(None, name="Ấp Mỹ Thuận", polygon=square)
    client = await client_for(j.admin, headers={})
    token = await desk_token(client, "/reports/admin/")
    added = await client.post("/reports/admin/rule", data={"_csrf_token": token, "category": str(category["id"]),
                                                           "area": str(area), "unit": str(j.dept_sub.id)})
    assert added.status_code == 303 and "ok=rule" in added.headers["location"]
    inside = await make_report(category, lat=10.75, lon=106.7)
    outside = await make_report(category, lat=11.5, lon=106.7)
    assert (await services.accept(j.receptionist, inside["id"]))["unit_id"] == j.dept_sub.id
    assert (await services.accept(j.receptionist, outside["id"]))["unit_id"] == j.dept.id
    created = await client.post("/reports/admin/key", data={"_csrf_token": token, "name": "Ứng dụng tỉnh"})
    key = re.search(r'id="new-key">([^<]+)<', created.text).group(1)
    assert await admin.key_id_for(key) is not None
    receptionist = await client_for(j.receptionist, headers={})
    assert (await receptionist.get("/reports/admin/")).status_code == 403
    english = await client.get("/portal/report?lang=en")
    assert "Send a report" in english.text and "Personal data notice" in english.text
