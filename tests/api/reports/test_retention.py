"""Decree 13/2023: the reporter's personal data and photo originals are deleted once the retention period the
notice announces has passed after the report closed; the public face (HTML, JSON, Open311, images) is intact
and carries no personal data or EXIF, before and after.

The reports are made with the clock set 26 months back, so that only they have passed the period: the other
tests' rows (all recent) are never touched by the job run here.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from PIL import Image

from server.audit.tables import AuditEvent
from server.lib import clock
from server.lib.errors import NotFound
from server.mail.services import deliver
from server.mail.tables import MailMessage
from server.mail.transport import sink_dir
from server.media.storage import default_storage
from server.reports import jobs, retention, services
from server.reports.tables import Report, ReportPhoto
from tests.unit.reports.helpers import SECRET_EMAIL, SECRET_NAME, has_metadata, make_category, resolve_through_task


def _unique_photo(seed: int) -> bytes:
    """A JPEG with EXIF GPS whose bytes no other test uses (content-addressed storage shares equal bytes)."""
    from tests.unit.reports.helpers import jpeg_with_gps

    data = jpeg_with_gps(96 + seed % 50, 64 + seed % 30, color=(seed % 256, (seed * 7) % 256, 99))
    assert has_metadata(data)
    return data


async def _report(category: dict[str, Any], photo: bytes, phone: str) -> dict[str, Any]:
    result = await services.submit_report(
        category_id=category["id"], description="Đường ngập sâu sau cơn mưa chiều", photos=[photo],
        latitude=10.75, longitude=106.67, address="Ấp Mỹ Thuận 1", name=SECRET_NAME, phone=phone,
        email=SECRET_EMAIL, consent=True, client_ip="198.51.100.23")
    return {**result, "phone": phone}


async def _private(report_id: int) -> dict[str, Any]:
    return await Report.select(Report.reporter_name, Report.reporter_phone, Report.reporter_email,
                               Report.client_ip_hash, Report.personal_data_deleted_at).where(
        Report.id == report_id).first()


async def _originals(report_id: int) -> list[str]:
    return [r["original_sha256"] for r in await ReportPhoto.select(ReportPhoto.original_sha256).where(
        (ReportPhoto.report == report_id) & (ReportPhoto.kind == "before"))]


async def _public_bodies(client: Any, code: str) -> list[bytes]:
    """Every public view of a report: its page, its JSON, Open311 in both formats, and each image they name."""
    bodies = []
    for path in (f"/r/{code}", f"/r/{code}.json", f"/open311/v2/requests/{code}.json",
                 f"/open311/v2/requests/{code}.xml"):
        response = await client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        bodies.append(response.content)
    media_url = (await client.get(f"/open311/v2/requests/{code}.json")).json()[0]["media_url"]
    images = [u.removeprefix("http://testserver.local") for u in [media_url] if u]
    images += (await client.get(f"/r/{code}.json")).json()["photos"]
    images += [u.replace(".webp", "-thumb.webp") for u in list(images)]
    assert images, "the report shows no photo"
    for url in images:
        path = re.sub(r"^https?://[^/]+", "", url)
        response = await client.get(path)
        assert response.status_code == 200 and response.headers["content-type"] == "image/webp", path
        assert not has_metadata(response.content)
        with Image.open(io.BytesIO(response.content)) as image:
            assert image.format == "WEBP"
        bodies.append(response.content)
    return bodies


def _assert_nothing_private(bodies: list[bytes], phone: str) -> None:
    for body in bodies:
        for secret in (SECRET_NAME, SECRET_EMAIL, phone, "GPSInfo", "SecretPhone"):
            assert secret.encode() not in body, secret


async def test_personal_data_deleted_after_the_announced_period(client_for: Any, j: Any) -> None:
    real_now = clock.now()
    closed_at = retention.months_before(real_now, 26)
    storage = default_storage()
    try:
        clock.freeze(closed_at)
        category = await make_category(j)
        shared = _unique_photo(int(real_now.timestamp()) % 997)
        resolved = await _report(category, _unique_photo(int(real_now.timestamp()) % 991 + 1), "0919000101")
        await resolve_through_task(j, resolved["id"])
        rejected = await _report(category, shared, "0919000102")
        await services.reject(j.receptionist, rejected["id"], kind="out_of_scope", reason="Thuộc thẩm quyền tỉnh")
        still_open = await _report(category, _unique_photo(int(real_now.timestamp()) % 983 + 2), "0919000103")
        await services.accept(j.receptionist, still_open["id"])
        # Three months later another citizen sends the same picture; that report is still being handled.
        clock.freeze(closed_at + dt.timedelta(days=92))
        later = await _report(category, shared, "0919000104")
        await services.accept(j.receptionist, later["id"])
    finally:
        clock.freeze(None)
    client = await client_for(None, headers={})
    resolved_sha = (await _originals(resolved["id"]))[0]
    assert storage.exists(resolved_sha)
    before = await _public_bodies(client, resolved["code"])
    _assert_nothing_private(before, resolved["phone"])

    # The notice states the period the code applies.
    form = await client.get("/portal/report")
    assert f"được xoá {services.PERSONAL_DATA_RETENTION_MONTHS} tháng sau khi" in form.text
    english = await client.get("/portal/report?lang=en")
    assert f"deleted {services.PERSONAL_DATA_RETENTION_MONTHS} months after" in english.text

    # The job is registered to run on every schedule tick.
    registered: dict[str, bool] = {}
    jobs.register_jobs(lambda kind, handler, every_tick=False: registered.__setitem__(kind, every_tick))
    assert registered[jobs.RETENTION_JOB] is True

    # The mails to the reporter were sent (to the local sink) before the period ended.
    for message in await MailMessage.select(MailMessage.id).where(MailMessage.template == "citizen"):
        await deliver(message["id"])
    assert any(resolved["code"].encode() in f.read_bytes() for f in sink_dir().glob("*.eml"))

    # One minute before the period ends: nothing is deleted.
    resolved_at = (await Report.select(Report.resolved_at).where(Report.id == resolved["id"]).first())["resolved_at"]
    period_end = retention.months_before(resolved_at, -services.PERSONAL_DATA_RETENTION_MONTHS)
    try:
        clock.freeze(period_end - dt.timedelta(minutes=1))
        await jobs.handle_retention({})
        assert (await _private(resolved["id"]))["reporter_name"] == SECRET_NAME
        assert storage.exists(resolved_sha)
        clock.freeze(period_end + dt.timedelta(minutes=1))
        await jobs.handle_retention({})
        await retention.delete_expired_personal_data()  # idempotent: a second run changes and records nothing
    finally:
        clock.freeze(None)

    for closed in (resolved, rejected):
        row = await _private(closed["id"])
        assert (row["reporter_name"], row["reporter_phone"], row["reporter_email"], row["client_ip_hash"]) == (
            "", "", "", "")
        assert row["personal_data_deleted_at"] is not None
        assert await _originals(closed["id"]) == [""]
    assert not storage.exists(resolved_sha)  # the original with its EXIF is gone
    assert storage.exists((await _originals(later["id"]))[0])  # shared bytes, still named by an open report
    for kept in (still_open, later):  # open reports keep everything
        assert (await _private(kept["id"]))["reporter_phone"] == kept["phone"]
        assert await _originals(kept["id"]) != [""]
    # What we wrote to the reporter held their address: those messages and their sink copies are gone too,
    # while the open reports' messages stay.
    written = await MailMessage.select(MailMessage.subject, MailMessage.to_address, MailMessage.text_body,
                                       MailMessage.sink_file).where(MailMessage.template == "citizen")
    for closed in (resolved, rejected):
        mine = [m for m in written if m["subject"].startswith(f"[{closed['code']}]")]
        assert mine and all((m["to_address"], m["text_body"], m["sink_file"]) == ("", "", "") for m in mine)
    assert any(m["to_address"] == SECRET_EMAIL and m["subject"].startswith(f"[{still_open['code']}]")
               for m in written)
    for sink_file in sink_dir().glob("*.eml"):
        text = sink_file.read_bytes()
        assert resolved["code"].encode() not in text and rejected["code"].encode() not in text, sink_file
    audits = await AuditEvent.select(AuditEvent.action).where(
        (AuditEvent.entity == "report") & (AuditEvent.entity_id == str(resolved["id"]))
        & (AuditEvent.action == "report.personal_data.delete"))
    assert len(audits) == 1
    with_photo = await AuditEvent.count().where(
        (AuditEvent.entity_id == str(resolved["id"])) & (AuditEvent.action == "report.photo_original.delete"))
    assert with_photo == 1

    # The public face is unchanged: the same page, the public copies served, still nothing private.
    after = await _public_bodies(client, resolved["code"])
    _assert_nothing_private(after, resolved["phone"])
    page = await client.get(f"/r/{resolved['code']}")
    assert "Đã thay đường ống, nước trong" in page.text
    photo_id = (await services.public_report(resolved["code"]))["photos"][0]["id"]
    try:
        await services.original_photo_bytes(j.receptionist, photo_id)
        raise AssertionError("the original is still served to staff")
    except NotFound as error:
        assert error.code == "photo_original_deleted"
    staff = await client_for(j.receptionist, headers={})
    detail = await staff.get(f"/reports/triage/{resolved['id']}")
    assert detail.status_code == 200 and resolved["phone"] not in detail.text and SECRET_EMAIL not in detail.text
    assert 'id="personal-data-deleted"' in detail.text
    assert f"/reports/photos/{photo_id}/original" not in detail.text  # the unit's "after" photo stays


async def test_retention_keeps_originals_while_storage_cannot_delete(j: Any) -> None:
    """With a storage that cannot delete (down, read-only) the personal fields still go, and the photos wait
    for a later run."""

    class KeepingStorage:
        def put(self, sha256: str, data: bytes) -> None: ...
        def get(self, sha256: str) -> bytes: return b""
        def exists(self, sha256: str) -> bool: return True
        def delete(self, sha256: str) -> None: raise PermissionError("read-only file system")

    real_now = clock.now()
    try:
        clock.freeze(retention.months_before(real_now, 30))
        category = await make_category(j)
        report = await _report(category, _unique_photo(int(real_now.timestamp()) % 977 + 3), "0919000105")
        await services.reject(j.receptionist, report["id"], kind="out_of_scope", reason="Không thuộc xã")
    finally:
        clock.freeze(None)
    done = await retention.delete_expired_personal_data(storage=KeepingStorage())  # type: ignore[arg-type]
    assert done["files"] == 0
    assert (await _private(report["id"]))["reporter_phone"] == ""
    assert await _originals(report["id"]) != [""]  # still named: a run with a deleting storage finishes it
    await retention.delete_expired_personal_data()
    assert await _originals(report["id"]) == [""]


def test_months_before() -> None:
    utc = dt.UTC
    assert retention.months_before(dt.datetime(2026, 3, 31, 8, tzinfo=utc), 1) == dt.datetime(2026, 2, 28, 8,
                                                                                              tzinfo=utc)
    assert retention.months_before(dt.datetime(2026, 1, 15, tzinfo=utc), 24) == dt.datetime(2024, 1, 15, tzinfo=utc)
    assert retention.months_before(dt.datetime(2024, 2, 29, tzinfo=utc), 12) == dt.datetime(2023, 2, 28, tzinfo=utc)
    assert retention.months_before(dt.datetime(2024, 11, 30, tzinfo=utc), -3) == dt.datetime(2025, 2, 28,
                                                                                             tzinfo=utc)
