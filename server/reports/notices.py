"""What a report's people are told: its public timeline entries, the e-mails to the reporter (in the language
they wrote in), the labels of statuses and steps, and the local mail sink's view of what was sent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.lib import clock
from server.lib.i18n import gettext_in
from server.reports.tables import (
    Report,
    ReportEvent,
)

STATUS_LABELS = {
    "new": "Đã tiếp nhận, chờ phân loại",
    "accepted": "Đang xử lý",
    "resolved": "Đã giải quyết",
    "rejected": "Từ chối",
    "duplicate": "Trùng lặp",
}


EVENT_LABELS = {
    "received": "Đã nhận phản ánh",
    "accepted": "Tiếp nhận",
    "assigned": "Giao đơn vị xử lý",
    "submitted": "Đơn vị đã báo cáo kết quả, chờ lãnh đạo duyệt",
    "returned": "Lãnh đạo yêu cầu đơn vị xử lý tiếp",
    "answered": "Đã trả lời công khai",
    "resolved": "Đã giải quyết",
    "rejected": "Từ chối",
    "duplicate": "Trùng lặp",
    "rated": "Người dân đã đánh giá",
    "reopened": "Chuyển lại bộ phận tiếp nhận",
}


async def _event(report_id: int, kind: str, note: str = "", actor_id: int | None = None,
                 at: dt.datetime | None = None) -> None:
    await ReportEvent.insert(ReportEvent(report=report_id, kind=kind, note=note, actor_id=actor_id,
                                         at=at or clock.now()))


async def _mail(report_id: int, subject: str, body: str, **values: object) -> None:
    """Queue an e-mail to the reporter, if they gave an address (server/mail sends it, or keeps it in the sink),
    in the language they wrote the report in: `subject` and `body` are catalog messages, `values` fill them."""
    from server.mail.services import queue_citizen_mail

    row = await Report.select(Report.reporter_email, Report.reporter_locale, Report.code, Report.unit,
                              Report.category.default_unit).where(Report.id == report_id).first()
    if not row or not row["reporter_email"]:
        return
    locale = row["reporter_locale"] or "vi"
    await queue_citizen_mail(to_address=row["reporter_email"], report_code=row["code"], locale=locale,
                             subject=gettext_in(locale, subject, **values), body=gettext_in(locale, body, **values),
                             unit_id=row["unit"] or row["category.default_unit"])


async def outbox(to_address: str | None = None) -> list[dict[str, Any]]:
    """The e-mails queued for citizens (to one address), oldest first: what the reporter was told and when."""
    from server.mail.services import list_messages

    return sorted(await list_messages(to_address=to_address, limit=1000), key=lambda message: message["id"])
