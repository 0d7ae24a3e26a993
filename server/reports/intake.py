"""Intake: a citizen's report from the portal or Open311 (limits per address and phone, a place, photos), and a
voter petition recorded at the desk; each gets its tracking code at once. How long the reporter's personal data
is kept is said here too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from server.audit import services as audit
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Invalid
from server.lib.i18n import current_locale
from server.lib.vn_text import fold
from server.media.services import is_image, sniff, store_file
from server.people.services import Actor
from server.reports import photos as photo_work
from server.reports.access import require_triage
from server.reports.categories import get_category
from server.reports.notices import _event, _mail
from server.reports.photo_copies import _queue_photo_job
from server.reports.tables import (
    Report,
    ReportKind,
    ReportPhoto,
    ReportStatus,
)
from server.settings import get_settings

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, no 1/I


CODE_LENGTH = 6


CODE_PREFIX = {ReportKind.report.value: "PA", ReportKind.petition.value: "KN"}


CODE_RE = re.compile(r"^(PA|KN)-[2-9A-HJ-NP-Z]{6}$")


MAX_DESCRIPTION = 5_000


MIN_DESCRIPTION = 10


MAX_ADDRESS = 500


# Abuse limits, checked against the database so that they hold across processes.
IP_LIMIT_PER_HOUR = 10


PHONE_LIMIT_PER_DAY = 5


DUPLICATE_RADIUS_M = 300


DUPLICATE_WINDOW_DAYS = 60


REJECT_KINDS = ("spam", "out_of_scope")


PHONE_RE = re.compile(r"^\+?[0-9 .\-]{8,20}$")


EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")


# Decree 13/2023/NĐ-CP: the reporter's personal data (name, phone, e-mail, IP hash) and the private originals of
# their photos (with the EXIF and GPS they carry) are kept this long after the report is closed (resolved,
# rejected or merged), then deleted by the worker's job "reports.retention" (jobs.py). The portal's notice
# shows this same number (citizen_portal/templates/portal/report.html gets it from here).
PERSONAL_DATA_RETENTION_MONTHS = 24


CLOSED_STATUSES = (ReportStatus.resolved.value, ReportStatus.rejected.value, ReportStatus.duplicate.value)


RETENTION_BATCH = 200


# Open311 media_url: a link the client application gives; stored and shown, never fetched (see check_media_url).
MAX_MEDIA_URL = 2048


def new_code(kind: str = ReportKind.report.value) -> str:
    return f"{CODE_PREFIX[kind]}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    code = (code or "").strip().upper().replace(" ", "")
    if len(code) == 8 and code[:2] in ("PA", "KN"):
        code = f"{code[:2]}-{code[2:]}"
    return code


def _hash(value: str) -> str:
    return hashlib.sha256(f"{get_settings().secret_key}:{value}".encode()).hexdigest()


def hash_ip(ip: str) -> str:
    return _hash(f"ip:{ip}")[:32]


def _phone_digits(phone: str) -> str:
    return re.sub(r"\D", "", phone or "")


def _search_text(*parts: str) -> str:
    return fold(" ".join(p for p in parts if p))


async def _check_limits(ip_hash: str, phone: str) -> None:
    now = clock.now()
    if ip_hash:
        recent = await Report.count().where((Report.client_ip_hash == ip_hash)
                                            & (Report.received_at > now - dt.timedelta(hours=1)))
        if recent >= IP_LIMIT_PER_HOUR:
            raise Invalid("rate_limited_ip", "Bạn đã gửi quá nhiều phản ánh trong một giờ; hãy thử lại sau")
    if phone:
        recent = await Report.count().where((Report.reporter_phone == phone)
                                            & (Report.received_at > now - dt.timedelta(days=1)))
        if recent >= PHONE_LIMIT_PER_DAY:
            raise Invalid("rate_limited_phone", "Số điện thoại này đã gửi quá nhiều phản ánh trong ngày")


def _coordinate(value: float | str | None, low: float, high: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Invalid("location_invalid", "Vị trí không hợp lệ") from None
    if not low <= number <= high:
        raise Invalid("location_invalid", "Vị trí không hợp lệ")
    return round(number, 6)


def check_media_url(url: str | None) -> str:
    """An Open311 client's `media_url`: an absolute http(s) URL, at most 2,048 characters, with a host and no
    user name or password in it (credentials would be published), and no spaces or control characters.

    The server never fetches it: fetching a URL a client chooses would let anyone make this server request
    addresses inside the government's network (SSRF), and would tell a third party which reports we read and
    when (privacy). It is stored and returned as given, for the client and the public to follow themselves.
    """
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > MAX_MEDIA_URL:
        raise Invalid("media_url_invalid", "media_url quá dài (tối đa 2.048 ký tự)")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise Invalid("media_url_invalid", "media_url không hợp lệ")
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port
    except ValueError:
        raise Invalid("media_url_invalid", "media_url không hợp lệ") from None
    del port  # reading it checks that the port is a number in range
    if parts.scheme.lower() not in ("http", "https") or not hostname:
        raise Invalid("media_url_invalid", "media_url phải là địa chỉ http hoặc https")
    if parts.username is not None or parts.password is not None:
        raise Invalid("media_url_invalid", "media_url không được chứa tên đăng nhập hoặc mật khẩu")
    return url


async def submit_report(
    *,
    category_id: int | None,
    description: str,
    photos: list[bytes],
    latitude: float | str | None = None,
    longitude: float | str | None = None,
    address: str = "",
    name: str = "",
    phone: str = "",
    email: str = "",
    consent: bool = False,
    honeypot: str = "",
    client_ip: str = "",
    source: str = "portal",
    open311_key: int | None = None,
    min_photos: int = 1,
    media_url: str = "",
) -> dict[str, Any]:
    """A citizen's report. Returns {"code", "key", "id"}: the key is the private rating link's secret."""
    if honeypot:
        raise Invalid("rejected", "Không thể nhận phản ánh này")
    description = (description or "").strip()
    address = (address or "").strip()
    name, email = (name or "").strip()[:255], (email or "").strip().lower()
    phone = _phone_digits(phone) if (phone or "").strip() else ""
    if len(description) < MIN_DESCRIPTION:
        raise Invalid("description_too_short", "Hãy mô tả vấn đề (ít nhất 10 ký tự)")
    if len(description) > MAX_DESCRIPTION or len(address) > MAX_ADDRESS:
        raise Invalid("text_too_long", "Nội dung quá dài")
    if phone and not PHONE_RE.match(phone):
        raise Invalid("phone_invalid", "Số điện thoại không hợp lệ")
    if email and not EMAIL_RE.match(email):
        raise Invalid("email_invalid", "Địa chỉ e-mail không hợp lệ")
    if not consent:
        raise Invalid("consent_required", "Cần đồng ý với thông báo xử lý dữ liệu cá nhân để gửi phản ánh")
    lat = _coordinate(latitude, -90, 90)
    lon = _coordinate(longitude, -180, 180)
    if (lat is None) != (lon is None):
        raise Invalid("location_invalid", "Vị trí không hợp lệ")
    photos = [p for p in photos if p]
    # No point sent (a phone without JavaScript, or that refused its position): the first photo's EXIF GPS is
    # where the citizen stood. Staff use it; the public never sees it (point_from_photo), as PRODUCT.md says
    # of the photos' GPS.
    point_from_photo = False
    if lat is None and photos and len(photos) <= photo_work.MAX_PHOTOS:
        found = await photo_work.first_gps_point(
            [p for p in photos if len(p) <= photo_work.MAX_PHOTO_BYTES and is_image(sniff(p) or "")])
        if found is not None:
            (lat, lon), point_from_photo = found, True
    if lat is None and not address:
        raise Invalid("place_required", "Cần chọn vị trí trên bản đồ hoặc nhập địa chỉ")
    if len(photos) < min_photos:
        raise Invalid("photo_required", "Cần ít nhất một ảnh")
    if len(photos) > photo_work.MAX_PHOTOS:
        raise Invalid("too_many_photos", "Tối đa 5 ảnh")
    media_url = check_media_url(media_url)
    if any(len(p) > photo_work.MAX_PHOTO_BYTES for p in photos):
        raise Invalid("photo_too_large", "Mỗi ảnh tối đa 10 MB")
    category = await get_category(category_id) if category_id is not None else None
    if category is not None and not category["active"]:
        raise Invalid("category_not_found", "Không tìm thấy lĩnh vực")
    if category is None and source != "council":
        raise Invalid("category_required", "Cần chọn lĩnh vực")
    ip_hash = hash_ip(client_ip) if client_ip else ""
    await _check_limits(ip_hash, phone)
    # Checked before anything is stored: a refused submission leaves no file behind.
    if any(not is_image(sniff(data) or "") for data in photos):
        raise Invalid("photo_not_image", "Chỉ nhận ảnh JPEG, PNG, WebP hoặc HEIC")
    stored = [(await store_file(data))["sha256"] for data in photos]
    key = secrets.token_urlsafe(12)
    now = clock.now()
    async with write_transaction():
        for _attempt in range(10):
            code = new_code()
            if not await Report.exists().where(Report.code == code):
                break
        rows = await Report.insert(Report(
            code=code, kind=ReportKind.report.value, category=category_id, description=description, latitude=lat,
            longitude=lon, address=address, status=ReportStatus.new.value, source=source, reporter_name=name,
            reporter_phone=phone, reporter_email=email, reporter_locale=current_locale.get(), consent_at=now,
            client_ip_hash=ip_hash,
            owner_key_hash=_hash(f"key:{key}"), open311_key=open311_key, received_at=now, updated_at=now,
            target_days=category["target_days"] if category else 5, media_url=media_url,
            search_text=_search_text(code, description, address, category["name"] if category else ""),
            point_from_photo=point_from_photo,
        )).returning(Report.id)
        report_id = rows[0]["id"]
        for position, sha in enumerate(stored):
            await ReportPhoto.insert(ReportPhoto(report=report_id, kind="before", original_sha256=sha,
                                                 position=position, created_at=now))
        if stored:
            # The public copies are made by the worker, not in this request (a 12 MP photo takes ~0.3 s of CPU);
            # queued in this transaction so that a crash cannot lose it. A page asked for first builds them itself.
            await _queue_photo_job(report_id)
        await _event(report_id, "received", at=now)
        await audit.record(actor_id=None, action="report.receive", entity="report", entity_id=report_id,
                           after={"code": code, "category": category_id, "source": source})
    await _mail(report_id, "Đã nhận phản ánh", "Cảm ơn bạn đã gửi phản ánh. Chúng tôi sẽ phân loại và chuyển "
                "đơn vị xử lý.")
    return {"id": report_id, "code": code, "key": key}


async def record_petition(
    actor: Actor,
    *,
    session: str,
    constituency: str,
    deputies: str,
    voters_group: str,
    description: str,
    category_id: int | None = None,
    address: str = "",
) -> dict[str, Any]:
    """A voter petition recorded by council staff; it then goes through triage like a report."""
    require_triage(actor)
    session, constituency = session.strip(), constituency.strip()
    description = description.strip()
    if not session or not constituency or len(description) < MIN_DESCRIPTION:
        raise Invalid("petition_invalid", "Cần kỳ họp, đơn vị bầu cử và nội dung kiến nghị")
    if len(description) > MAX_DESCRIPTION:
        raise Invalid("text_too_long", "Nội dung quá dài")
    category = await get_category(category_id) if category_id else None
    now = clock.now()
    async with write_transaction():
        for _attempt in range(10):
            code = new_code(ReportKind.petition.value)
            if not await Report.exists().where(Report.code == code):
                break
        rows = await Report.insert(Report(
            code=code, kind=ReportKind.petition.value, category=category_id, description=description,
            address=address.strip(), status=ReportStatus.new.value, source="council", consent_at=None,
            received_at=now, updated_at=now, target_days=category["target_days"] if category else 30,
            petition_session=session[:255], constituency=constituency[:255], deputies=deputies.strip(),
            voters_group=voters_group.strip()[:500],
            search_text=_search_text(code, description, session, constituency, deputies, voters_group),
        )).returning(Report.id)
        report_id = rows[0]["id"]
        await _event(report_id, "received", actor_id=actor.id, at=now)
        await audit.record(actor_id=actor.id, actor_name=actor.full_name, action="petition.record",
                           entity="report", entity_id=report_id, after={"code": code, "session": session})
    return {"id": report_id, "code": code}
