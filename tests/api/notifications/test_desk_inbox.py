"""The desk's inbox and settings pages over HTTP: unread count, mark one and all read, open an item; a person's
notification settings; the admin's reminder thresholds and e-mail queue."""

from __future__ import annotations

import re

from server.mail import services as mail
from server.notifications import services
from tests.factories import make_jurisdiction, make_person, unique
from tests.helpers import CSRF_TOKEN, desk_token


def unread_of(html: str) -> int:
    return int(re.search(r'id="inbox-unread"[^>]*>(\d+)<', html).group(1))


async def test_the_inbox_page(nj, client_for) -> None:  # type: ignore[no-untyped-def]
    reader, other = await make_person(nj.dept_sub, full_name="Người Đọc Desk"), await make_person(nj.dept_sub)
    first = await services.notify(reader.id, "comment", "Ý kiến về nạo vét kênh", link="/tasks/7")
    second = await services.notify(reader.id, "overdue", "Quá hạn 2 ngày làm việc: Sửa cống", body="Hạn xử lý: 01/03")
    foreign = await services.notify(other.id, "comment", "Của người khác")
    desk = await client_for(reader, headers={})
    page = await desk.get("/inbox")
    assert page.status_code == 200 and unread_of(page.text) == 2
    assert "Ý kiến về nạo vét kênh" in page.text and "Sửa cống" in page.text and "Của người khác" not in page.text
    assert page.text.index("Sửa cống") < page.text.index("nạo vét kênh")  # newest first

    csrf = await desk_token(desk, "/inbox")
    marked = await desk.post(f"/inbox/{second}/read", data={"_csrf_token": csrf})
    assert marked.status_code == 303 and marked.headers["location"].startswith("/inbox")
    assert unread_of((await desk.get("/inbox")).text) == 1
    unread_only = await desk.get("/inbox?unread=true")
    assert "nạo vét kênh" in unread_only.text and "Sửa cống" not in unread_only.text
    # Opening an item reads it and goes to its task.
    opened = await desk.get(f"/inbox/{first}")
    assert opened.status_code == 303 and opened.headers["location"] == "/tasks/7"
    assert unread_of((await desk.get("/inbox")).text) == 0
    assert (await desk.get(f"/inbox/{foreign}")).status_code == 404
    assert (await desk.post(f"/inbox/{foreign}/read", data={"_csrf_token": csrf})).status_code == 404
    assert (await desk.post("/inbox/read-all", data={})).status_code == 403  # no CSRF token

    await services.notify(reader.id, "digest", "Tóm tắt công việc hôm nay")
    await services.notify(reader.id, "approved", "Nhiệm vụ được duyệt hoàn thành: Sửa cống")
    assert (await desk.post("/inbox/read-all", data={"_csrf_token": csrf})).status_code == 303
    assert unread_of((await desk.get("/inbox")).text) == 0
    assert (await services.inbox(other.id))["unread"] == 1  # someone else's stays unread

    english = await client_for(reader, headers={})
    english.cookies.set("lang", "en")
    assert "<h1>Inbox" in (await english.get("/inbox")).text
    anonymous = await client_for(None, headers={})
    assert (await anonymous.get("/inbox")).status_code in (302, 303, 401)


async def test_a_person_chooses_events_quiet_hours_and_email(nj, client_for) -> None:  # type: ignore[no-untyped-def]
    person = await make_person(nj.dept_sub)
    desk = await client_for(person, headers={})
    page = await desk.get("/settings/notifications")
    assert page.status_code == 200 and page.text.count('name="kinds"') == len(services.EVENT_KINDS)
    csrf = CSRF_TOKEN.search(page.text).group(1)
    saved = await desk.post("/settings/notifications", data={
        "_csrf_token": csrf, "kinds": ["assigned", "overdue", "report_routed"], "email": "1"})
    assert saved.status_code == 303
    assert await services.get_person_settings(person.id) == {
        "push_kinds": ["assigned", "overdue", "report_routed"], "quiet_hours": False, "email": True}
    again = await desk.get(saved.headers["location"])
    assert "Đã lưu" in again.text
    bad = await desk.post("/settings/notifications", data={"_csrf_token": csrf, "kinds": ["no-such-kind"]})
    assert bad.status_code == 422 and "Loại thông báo không hợp lệ" in bad.text


async def test_the_admin_sets_reminder_thresholds_on_the_desk(client_for) -> None:  # type: ignore[no-untyped-def]
    j = await make_jurisdiction()
    admin = await client_for(j.admin, headers={})
    page = await admin.get("/admin/reminders")
    assert page.status_code == 200 and 'value="3, 1, 0"' in page.text and j.root.name in page.text
    csrf = CSRF_TOKEN.search(page.text).group(1)
    saved = await admin.post("/admin/reminders", data={
        "_csrf_token": csrf, "unit_id": str(j.root.id), "before_days": "5, 2, 0", "head_after": "2",
        "leader_after": "5", "digest_at": "08:00"})
    assert saved.status_code == 303
    rules = await services.get_reminder_rules(j.admin)
    assert (rules["before_days"], rules["head_after"], rules["leader_after"], rules["digest_at"]) == (
        [5, 2, 0], 2, 5, "08:00")
    wrong = await admin.post("/admin/reminders", data={
        "_csrf_token": csrf, "unit_id": str(j.root.id), "before_days": "3", "head_after": "4",
        "leader_after": "2", "digest_at": "08:00"})
    assert wrong.status_code == 422 and "Báo lãnh đạo không được sớm hơn" in wrong.text
    assert (await services.get_reminder_rules(j.admin))["head_after"] == 2  # nothing half-written
    officer = await client_for(j.officer, headers={})
    assert (await officer.get("/admin/reminders")).status_code == 403
    api = await client_for(j.admin)
    response = await api.put(f"/api/v1/admin/reminder-rules/{j.root.id}", json={
        "before_days": [3, 1, 0], "head_after": 1, "leader_after": 3, "digest_at": "07:30"})
    assert response.status_code == 200 and response.json()["own"] is True
    assert (await api.put(f"/api/v1/admin/reminder-rules/{j.root.id}", json={
        "before_days": [3], "head_after": 1, "leader_after": 3, "digest_at": "7:30"})).status_code == 400


async def test_the_admin_reads_the_local_mail_sink_on_the_desk(client_for, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tests.unit.mail.helpers import run_until

    monkeypatch.delenv("SMTP_URL", raising=False)
    j = await make_jurisdiction()
    subject = f"Thư thử {unique('m')}"
    mail_id = await mail.queue(to_address=f"{unique('desk')}@example.vn", subject=subject,
                               text_body="Nội dung thư tiếng Việt", person_id=j.officer.id)
    [row] = await run_until([mail_id])
    assert row["state"] == "sent"
    admin = await client_for(j.admin, headers={})
    listing = await admin.get("/admin/mail")
    assert listing.status_code == 200 and subject in listing.text and "Chưa cấu hình SMTP_URL" in listing.text
    one = await admin.get(f"/admin/mail/{mail_id}")
    assert "Nội dung thư tiếng Việt" in one.text and row["message_id"].strip("<>") in one.text
    eml = await admin.get(f"/admin/mail/{mail_id}/eml")
    assert eml.status_code == 200 and eml.headers["content-type"].startswith("message/rfc822")
    assert b"Message-ID: " + row["message_id"].encode() in eml.content
    other = await make_jurisdiction()
    foreign = await client_for(other.admin, headers={})
    assert (await foreign.get(f"/admin/mail/{mail_id}")).status_code == 404
    assert subject not in (await foreign.get("/admin/mail")).text
    # A citizen's mail is seen by the admin of the unit handling the report, not by another commune's.
    citizen = f"{unique('dan')}@example.vn"
    await mail.queue_citizen_mail(to_address=citizen, report_code="PA-7K3M9Q", subject="Đã nhận phản ánh",
                                  body="Cảm ơn", unit_id=j.dept.id)
    assert citizen in (await admin.get("/admin/mail")).text
    assert citizen not in (await foreign.get("/admin/mail")).text
