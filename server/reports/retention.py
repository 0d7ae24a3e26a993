"""Deleting reporters' personal data when the retention period has passed (Decree 13/2023/NĐ-CP).

The portal's notice promises: the name, phone number and e-mail a citizen gives, the hash of their IP address
and the originals of their photos (with the EXIF and GPS they carry) are kept PERSONAL_DATA_RETENTION_MONTHS
after the report is closed (resolved, rejected or merged into another), then deleted. What the public sees
stays: the description, the place, the timeline, the answer and the photos' public copies (re-encoded, no
metadata), which are built before an original is deleted.

Run by the worker on every schedule tick (job "reports.retention", jobs.py). Idempotent and restartable:
- a report's personal fields are cleared and `personal_data_deleted_at` set in one transaction, audited;
- a photo's original is deleted from storage (when the storage can delete, and when no other row names the
  same bytes), then the photo forgets it; a crash in between leaves the reference, so the next run deletes
  the (already missing) file again and finishes. While the storage cannot delete, photos stay pending.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from server.audit import services as audit
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import DomainError
from server.media.storage import Storage, default_storage
from server.media.tables import Attachment, ImageDerivative
from server.reports import services
from server.reports.services import CLOSED_STATUSES, PERSONAL_DATA_RETENTION_MONTHS, RETENTION_BATCH
from server.reports.tables import MailOutbox, Report, ReportKind, ReportPhoto

log = logging.getLogger("dieuhanh.reports.retention")

PERSONAL_FIELDS = {Report.reporter_name: "", Report.reporter_phone: "", Report.reporter_email: "",
                   Report.client_ip_hash: ""}


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's last day)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Reports closed at or before this moment have passed the retention period."""
    return months_before(now or clock.now(), PERSONAL_DATA_RETENTION_MONTHS)


def _expired() -> Any:
    # Citizens' reports only: a voter petition is recorded by council staff and holds no reporter's data.
    return (Report.status.is_in(list(CLOSED_STATUSES)) & Report.resolved_at.is_not_null()
            & (Report.resolved_at <= cutoff()) & (Report.kind == ReportKind.report.value))


async def delete_expired_personal_data(storage: Storage | None = None, batch: int = RETENTION_BATCH) -> dict[str, int]:
    """One pass: clear the personal fields of expired reports, delete their photos' originals. Returns counts."""
    reports = await Report.select(Report.id, Report.code).where(
        _expired() & Report.personal_data_deleted_at.is_null()).order_by(Report.resolved_at).limit(batch)
    for row in reports:
        await _clear_reporter(row["id"])
    deleted_files = await _delete_originals(storage or default_storage(), batch)
    return {"reports": len(reports), "files": deleted_files}


async def _clear_reporter(report_id: int) -> None:
    from server.mail.services import forget_citizen

    now = clock.now()
    async with write_transaction():
        reporter = await Report.select(Report.reporter_email, Report.code).where(
            (Report.id == report_id) & Report.personal_data_deleted_at.is_null()).first()
        if reporter and reporter["reporter_email"]:  # what we wrote to them holds their address too
            await forget_citizen(to_address=reporter["reporter_email"], report_code=reporter["code"])
        await MailOutbox.delete().where(MailOutbox.report == report_id)  # the sink of earlier versions
        changed = await Report.update({**PERSONAL_FIELDS, Report.personal_data_deleted_at: now}).where(
            (Report.id == report_id) & Report.personal_data_deleted_at.is_null()).returning(Report.id)
        if changed:  # a second worker that lost the race writes nothing and records nothing
            await audit.record(actor_id=None, action="report.personal_data.delete", entity="report",
                               entity_id=report_id, after={"fields": [c._meta.name for c in PERSONAL_FIELDS],
                                                           "retention_months": PERSONAL_DATA_RETENTION_MONTHS})


async def _delete_originals(storage: Storage, batch: int) -> int:
    """Originals of the citizens' photos ("before") of expired reports; the units' "after" photos are their
    attachments, which belong to the task and are not the reporter's data."""
    photos = await ReportPhoto.select(ReportPhoto.id, ReportPhoto.report, ReportPhoto.original_sha256).where(
        (ReportPhoto.kind == "before") & (ReportPhoto.original_sha256 != "")
        & ReportPhoto.report.is_in(Report.select(Report.id).where(_expired()))).limit(batch)
    due_ids = [p["id"] for p in photos]
    deleted = 0
    for photo in photos:
        try:
            await services.ensure_derivatives(photo["id"])  # keep the public copies before the original goes
        except DomainError:
            pass  # no usable image (or already gone): there is no public copy to keep
        sha = photo["original_sha256"]
        if not await _named_elsewhere(sha, due_ids):
            try:
                await asyncio.to_thread(storage.delete, sha)
            except OSError as error:  # the storage is down or read-only: keep the name, a later run retries
                log.warning("photo original %s of report %s not deleted yet: %s", sha, photo["report"], error)
                continue
            deleted += 1
        async with write_transaction():
            await ReportPhoto.update({ReportPhoto.original_sha256: ""}).where(
                (ReportPhoto.id == photo["id"]) & (ReportPhoto.original_sha256 == sha))
            await audit.record(actor_id=None, action="report.photo_original.delete", entity="report",
                               entity_id=photo["report"], after={"photo": photo["id"]})
    return deleted


async def _named_elsewhere(sha: str, due_ids: list[int]) -> bool:
    """Whether any row other than the photos being deleted names these bytes: another report's photo (the same
    picture sent twice, or kept by a report not yet expired), a public copy, or an attachment of the media domain.
    Storage is content-addressed, so deleting shared bytes would break the other owner."""
    if await ReportPhoto.exists().where(
            ((ReportPhoto.original_sha256 == sha) | (ReportPhoto.public_sha256 == sha)
             | (ReportPhoto.thumb_sha256 == sha)) & ReportPhoto.id.not_in(due_ids or [0])):
        return True
    if await Attachment.exists().where(Attachment.file.sha256 == sha):
        return True
    return await ImageDerivative.exists().where(
        (ImageDerivative.sha256 == sha) | (ImageDerivative.original.sha256 == sha))
