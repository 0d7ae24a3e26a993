"""The portal over HTTP without JavaScript: report form → code → /r/{code} → (resolved) rating; privacy; limits."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from server.reports import services
from server.reports.tables import Report, ReportEvent
from tests.api.reports.portal_helpers import csrf_token, post_report
from tests.unit.reports.helpers import (
    SECRET_EMAIL,
    SECRET_NAME,
    has_metadata,
    jpeg_with_gps,
    make_category,
    make_report,
    resolve_through_task,
)

PUBLIC_HEADERS: dict[str, str] = {}


async def test_report_form_to_tracking_page_and_rating(client_for: Any, j: Any) -> None:
    category = await make_category(j, target_days=5)
    client = await client_for(None, headers=PUBLIC_HEADERS)
    form = await client.get("/portal/report")
    assert "5 ngày làm việc" in form.text and "13/2023/NĐ-CP" in form.text
    response = await post_report(client, category["id"], phone="0911000001")
    assert response.status_code == 303, response.text[:800]
    location = response.headers["location"]
    match = re.match(r"/r/(PA-[2-9A-HJ-NP-Z]{6})\?key=([^&]+)&new=1", location)
    assert match, location
    code, key = match.group(1), match.group(2)
    page = await client.get(location)
    assert page.status_code == 200
    assert code in page.text and "Đã nhận phản ánh" in page.text
    assert page.headers.get("referrer-policy") == "no-referrer"

    report_id = (await services.public_report(code))["id"]
    await resolve_through_task(j, report_id)
    page = await client.get(f"/r/{code}")
    assert "Đã thay đường ống, nước trong" in page.text and j.dept.name in page.text
    assert 'name="rating"' not in page.text  # no key, no rating form
    page = await client.get(f"/r/{code}?key={key}")
    assert 'name="rating"' in page.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    rated = await client.post(f"/r/{code}/rate", data={"_csrf_token": token, "key": key, "rating": "5",
                                                         "comment": "Rất nhanh"})
    assert rated.status_code == 303 and "rated=1" in rated.headers["location"]
    again = await client.post(f"/r/{code}/rate", data={"_csrf_token": token, "key": key, "rating": "1"})
    assert "error=" in again.headers["location"]
    assert (await services.public_report(code))["rating"] == 5

    # Privacy: every public view of this report, HTML, JSON and images.
    bodies = [(await client.get(path)).content for path in (
        f"/r/{code}", f"/r/{code}.json", "/portal/reports", "/portal/reports.json", f"/portal/reports.json?q={code}",
    )]
    report = await client.get(f"/r/{code}.json")
    photos = report.json()["photos"] + report.json()["after_photos"]
    assert len(photos) == 2
    for url in photos + [u.replace(".webp", "-thumb.webp") for u in photos]:
        image = await client.get(url)
        assert image.status_code == 200 and image.headers["content-type"] == "image/webp"
        assert not has_metadata(image.content)
        bodies.append(image.content)
    for body in bodies:
        for secret in (SECRET_NAME, "0911000001", SECRET_EMAIL, "SecretPhone", "GPSInfo"):
            assert secret.encode() not in body, secret


async def test_form_errors_are_shown_again_without_js(client_for: Any, j: Any) -> None:
    category = await make_category(j)
    client = await client_for(None, headers=PUBLIC_HEADERS)
    response = await post_report(client, category["id"], phone="0911000002", consent="")
    assert response.status_code == 422
    assert "đồng ý" in response.text and "Ống nước bị vỡ" in response.text
    response = await post_report(client, category["id"], phone="0911000002", website="http://spam.example")
    assert response.status_code == 422
    too_many = [jpeg_with_gps()] * 6
    response = await post_report(client, category["id"], phone="0911000002", photos=too_many)
    assert response.status_code == 422
    no_token = await client.post("/portal/report", data={"category": str(category["id"])})
    assert no_token.status_code == 403


async def test_abuse_limits_over_http(client_for: Any, j: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    category = await make_category(j)
    monkeypatch.setattr("server.reports.intake.IP_LIMIT_PER_HOUR", 10_000)
    monkeypatch.setattr("server.reports.intake.PHONE_LIMIT_PER_DAY", 1)
    client = await client_for(None, headers=PUBLIC_HEADERS)
    assert (await post_report(client, category["id"], phone="0911000003")).status_code == 303
    limited = await post_report(client, category["id"], phone="0911000003")
    assert limited.status_code == 429


async def test_public_list_search_ignores_diacritics(client_for: Any, j: Any) -> None:
    from tests.unit.reports.helpers import make_report

    category = await make_category(j, name="Chiếu sáng công cộng")
    marker = "Đèn đường hỏng ở Hoài Nhơn khu phố Trường Xuân"
    report = await make_report(category, description=marker)
    await services.accept(j.receptionist, report["id"])
    client = await client_for(None, headers=PUBLIC_HEADERS)
    found = (await client.get("/portal/reports.json", params={"q": "hoai nhon truong xuan"})).json()
    assert [item["code"] for item in found["items"]] == [report["code"]]
    html = await client.get("/portal/reports", params={"q": "HOAI NHON truong", "category": category["id"]})
    assert report["code"] in html.text
    by_unit = (await client.get("/portal/reports.json", params={"unit": j.other_dept.id, "q": "hoai nhon"})).json()
    assert by_unit["items"] == []
    assert (await client.get(f"/r/{report['code'].lower().replace('-', '')}")).status_code in (200, 301)
    assert (await client.get("/r/PA-000000")).status_code == 404
    token = await csrf_token(client, "/portal/report")
    assert token


@pytest.mark.parametrize(("lang", "received", "accepted"), [
    ("vi", "Đã nhận phản ánh", "Phản ánh đã được chuyển đến"),
    ("en", "Report received", "Your report has been passed to"),
])
async def test_the_citizens_mail_is_in_the_language_they_reported_in(
    client_for: Any, j: Any, lang: str, received: str, accepted: str
) -> None:
    from server.mail.tables import MailMessage

    category = await make_category(j, target_days=5)
    client = await client_for(None, headers=PUBLIC_HEADERS)
    await client.get(f"/lang/{lang}?next=/portal/report")  # the portal's language switch, as a citizen taps it
    response = await post_report(client, category["id"], phone="0911000077" if lang == "vi" else "0911000078")
    assert response.status_code == 303, response.text[:800]
    code = re.search(r"/r/(PA-[2-9A-HJ-NP-Z]{6})", response.headers["location"]).group(1)  # type: ignore[union-attr]
    await services.accept(j.receptionist, (await services.public_report(code))["id"])
    mails = await MailMessage.select(MailMessage.subject, MailMessage.text_body, MailMessage.locale).where(
        MailMessage.subject.like(f"[{code}]%")).order_by(MailMessage.id)
    assert [m["locale"] for m in mails] == [lang, lang]
    assert received in mails[0]["subject"] and accepted in mails[1]["text_body"]


async def test_the_public_timeline_says_how_long_each_step_took(client_for: Any, j: Any) -> None:
    """A step the same day reads "trong ngày", a later one "sau N ngày làm việc"; the first step, the receipt
    itself, carries no count (it read "ngày làm việc thứ 0" on every fresh report)."""
    category = await make_category(j, unit=j.dept)
    report = await make_report(category)
    monday = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)  # 09:00 in Vietnam, a working Monday
    await Report.update({Report.received_at: monday}).where(Report.id == report["id"])
    await ReportEvent.update({ReportEvent.at: monday}).where(ReportEvent.report == report["id"])
    await services.accept(j.receptionist, report["id"])  # today: some working days after that Monday
    client = await client_for(None, headers=PUBLIC_HEADERS)
    page = (await client.get(f"/r/{report['code']}")).text
    timeline = page[page.index('class="timeline"'):]
    assert "ngày làm việc thứ" not in timeline
    received = timeline[: timeline.index("</li>")]
    assert "Đã nhận" in received and "(" not in received.split("</strong>")[1]
    assert re.search(r"\(sau \d+ ngày làm việc\)|\(trong ngày\)", timeline)
    english = (await client.get(f"/r/{report['code']}?lang=en")).text
    assert re.search(r"\(after \d+ working days\)|\(the same day\)", english)
