"""The citizen report's life in the services: intake, triage, the task, the public answer, the rating."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from server.lib.errors import Conflict, DomainError, Forbidden, Invalid
from server.reports import photos, routing, services, triage
from server.reports.tables import Report
from tests.factories import make_jurisdiction
from tests.unit.reports.helpers import (
    SECRET_EMAIL,
    SECRET_NAME,
    has_metadata,
    jpeg_with_gps,
    make_category,
    make_report,
    resolve_through_task,
)


def test_tracking_codes_are_unambiguous() -> None:
    codes = {services.new_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert services.CODE_RE.match(code)
        assert not set(code[3:]) & set("0O1I")
    assert services.normalise_code(" pa7k3m9q ") == "PA-7K3M9Q"


def test_derivatives_are_oriented_and_bare() -> None:
    original = jpeg_with_gps(64, 48, orientation=6)
    assert has_metadata(original)
    public, thumb, width, height = photos.derive(original)
    assert (width, height) == (48, 64)  # orientation 6 = rotate: the public copy is upright
    for data in (public, thumb):
        assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
        assert not has_metadata(data)
        assert b"GPS" not in data and SECRET_NAME.encode() not in data and b"SecretPhone" not in data


def test_pixel_cap_refuses_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(photos, "MAX_PIXELS", 100)
    with pytest.raises(photos.PhotoError):
        photos.derive(jpeg_with_gps(64, 48))
    big = io.BytesIO()
    Image.new("RGB", (3000, 2000)).save(big, "JPEG")
    monkeypatch.setattr(photos, "MAX_PIXELS", 50_000_000)
    _public, thumb, w, h = photos.derive(big.getvalue())
    assert max(w, h) == 1600
    with Image.open(io.BytesIO(thumb)) as image:
        assert max(image.size) == 320


def test_routing_prefers_the_most_specific_rule() -> None:
    square = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)]
    rules = [
        {"id": 1, "category": None, "area": None, "unit": 10, "priority": 0},
        {"id": 2, "category": 5, "area": None, "unit": 20, "priority": 0},
        {"id": 3, "category": 5, "area": 7, "unit": 30, "priority": 0},
        {"id": 4, "category": None, "area": 7, "unit": 40, "priority": 0},
    ]
    assert routing.choose_rule(rules, 5, 0.5, 0.5, {7: square})["unit"] == 30
    assert routing.choose_rule(rules, 5, 2.0, 2.0, {7: square})["unit"] == 20
    assert routing.choose_rule(rules, 6, 0.5, 0.5, {7: square})["unit"] == 40
    assert routing.choose_rule(rules, 6, None, None, {7: square})["unit"] == 10
    assert 1100 < routing.distance_m(10.0, 106.0, 10.01, 106.0) < 1120


async def test_report_to_public_answer_and_one_rating() -> None:
    j = await make_jurisdiction()
    category = await make_category(j, target_days=5)
    submitted = await make_report(category)
    assert services.CODE_RE.match(submitted["code"])
    page = await services.public_report(submitted["code"])
    assert page["status"] == "new" and page["target_days"] == 5
    # The queue is the whole commune's (the run's other reports wait there too): this category's page of it.
    mine = triage.QueueFilter.of(category_id=category["id"])
    queue = (await triage.triage_page(j.receptionist, mine))["items"]
    assert submitted["id"] in [item["id"] for item in queue]
    with pytest.raises(Forbidden):
        await triage.triage_page(j.officer, mine)

    task_id = await resolve_through_task(j, submitted["id"])
    from server.tasks.services import get_task

    task = await get_task(j.leader, task_id)
    assert task["state"] == "done" and task["source_ref"] == submitted["code"]
    assert task["lead_unit_id"] == j.dept.id if "lead_unit_id" in task else True
    page = await services.public_report(submitted["code"])
    assert page["status"] == "resolved"
    assert page["public_answer"] == "Đã thay đường ống, nước trong"
    assert page["unit_name"] == j.dept.name
    assert [e["kind"] for e in page["timeline"]][:3] == ["received", "accepted", "assigned"]
    assert "answered" in [e["kind"] for e in page["timeline"]]
    assert len(page["after_photos"]) == 1
    after = await services.public_photo_bytes(submitted["code"], page["after_photos"][0]["id"], "full")
    assert not has_metadata(after)
    text = repr(page)
    for secret in (SECRET_NAME, submitted["phone"], SECRET_EMAIL):
        assert secret not in text

    with pytest.raises(Forbidden):
        await services.rate(submitted["code"], "wrong-key", 5)
    await services.rate(submitted["code"], submitted["key"], 4, "Cảm ơn")
    with pytest.raises(Conflict):
        await services.rate(submitted["code"], submitted["key"], 5)
    assert (await services.public_report(submitted["code"]))["rating"] == 4
    mails = await services.outbox(SECRET_EMAIL)
    subjects = [m["subject"] for m in mails if submitted["code"] in m["subject"]]
    assert any("tiếp nhận" in s for s in subjects) and any("giải quyết" in s for s in subjects)


async def test_rating_refused_before_resolution() -> None:
    j = await make_jurisdiction()
    submitted = await make_report(await make_category(j))
    with pytest.raises(Conflict):
        await services.rate(submitted["code"], submitted["key"], 5)


async def test_reject_and_duplicate_point_the_citizen() -> None:
    j = await make_jurisdiction()
    category = await make_category(j)
    original = await make_report(category)
    copy = await make_report(category, lat=10.7532, lon=106.6703)
    spam = await make_report(category, lat=10.9, lon=106.9)
    # The queue is the whole commune's (the run's other reports wait there too): this category's page of it.
    mine = triage.QueueFilter.of(category_id=category["id"])
    queue = {item["id"]: item for item in (await triage.triage_page(j.receptionist, mine))["items"]}
    assert original["id"] in [s["id"] for s in queue[copy["id"]]["similar"]]
    assert not queue[spam["id"]]["similar"]
    await services.merge_duplicate(j.receptionist, copy["id"], original_code=original["code"])
    page = await services.public_report(copy["code"])
    assert page["status"] == "duplicate" and page["duplicate_code"] == original["code"]
    await services.reject(j.receptionist, spam["id"], kind="spam", reason="Nội dung quảng cáo")
    with pytest.raises(DomainError):
        await services.public_report(spam["code"])
    with pytest.raises(Conflict):
        await services.accept(j.receptionist, copy["id"])


async def test_task_cancel_sends_the_report_back_to_triage() -> None:
    from server.tasks.services import transition

    j = await make_jurisdiction()
    submitted = await make_report(await make_category(j))
    accepted = await services.accept(j.receptionist, submitted["id"])
    await transition(j.leader, accepted["task_id"], "cancel", reason="Giao nhầm")
    row = await Report.select(Report.status, Report.task_id).where(Report.id == submitted["id"]).first()
    assert row == {"status": "new", "task_id": None}


async def test_intake_rules() -> None:
    j = await make_jurisdiction()
    category = await make_category(j)
    base = dict(category_id=category["id"], description="Đèn đường hỏng cả tuần nay", photos=[jpeg_with_gps()],
                latitude=10.1, longitude=106.1, consent=True)
    with pytest.raises(Invalid):
        await services.submit_report(**{**base, "consent": False})
    with pytest.raises(Invalid):
        await services.submit_report(**{**base, "honeypot": "http://spam"})
    with pytest.raises(Invalid):
        await services.submit_report(**{**base, "photos": []})
    with pytest.raises(Invalid):
        await services.submit_report(**{**base, "photos": [b"%PDF-1.4 not a photo"]})
    # No place at all: no point, no address, and no GPS in the photo (its EXIF GPS would now give the point).
    no_gps = io.BytesIO()
    Image.new("RGB", (8, 8)).save(no_gps, format="JPEG")
    with pytest.raises(Invalid):
        await services.submit_report(**{**base, "latitude": None, "longitude": None, "address": "",
                                        "photos": [no_gps.getvalue()]})
    ok = await services.submit_report(**{**base, "latitude": None, "longitude": None, "address": "Chợ Nàng Mau"})
    assert re.match(r"PA-", ok["code"])


async def test_rate_limits_per_ip_and_phone(monkeypatch: pytest.MonkeyPatch) -> None:
    j = await make_jurisdiction()
    category = await make_category(j)
    monkeypatch.setattr("server.reports.intake.IP_LIMIT_PER_HOUR", 2)
    monkeypatch.setattr("server.reports.intake.PHONE_LIMIT_PER_DAY", 2)
    await make_report(category, ip="192.0.2.7", phone="0900000001")
    await make_report(category, ip="192.0.2.7", phone="0900000002")
    with pytest.raises(Invalid) as error:
        await make_report(category, ip="192.0.2.7", phone="0900000003")
    assert error.value.code == "rate_limited_ip"
    await make_report(category, ip="192.0.2.8", phone="0900000001")
    with pytest.raises(Invalid) as error:
        await make_report(category, ip="192.0.2.9", phone="0900000001")
    assert error.value.code == "rate_limited_phone"


async def test_a_rejected_reports_photos_are_not_served_by_address() -> None:
    from server.lib.errors import NotFound
    from server.reports.tables import ReportPhoto

    j = await make_jurisdiction()
    submitted = await make_report(await make_category(j))
    [photo] = await ReportPhoto.select(ReportPhoto.id).where(ReportPhoto.report == submitted["id"])
    assert await services.public_photo_bytes(submitted["code"], photo["id"], "thumb")
    await services.reject(j.receptionist, submitted["id"], kind="out_of_scope", reason="Không thuộc thẩm quyền xã")
    with pytest.raises(NotFound):
        await services.public_photo_bytes(submitted["code"], photo["id"], "thumb")


async def test_a_file_that_is_not_a_photo_is_refused_before_anything_is_stored() -> None:
    from server.media.tables import StoredFile

    j = await make_jurisdiction()
    category = await make_category(j)
    before = await StoredFile.count()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"x" * 1000
    with pytest.raises(Invalid) as refused:
        await services.submit_report(
            category_id=category["id"], description="Ống nước vỡ trước nhà văn hoá", photos=[jpeg_with_gps(), pdf],
            latitude=10.75, longitude=106.67, address="Ấp 1", consent=True, client_ip="10.9.9.9")
    assert refused.value.code == "photo_not_image"
    assert await StoredFile.count() == before
