"""Citizen reports and voter petitions: intake, triage, the link to tasks, the public face, rating, mail.

Public readers go through `public_report()` / `public_list()`, which select only PUBLIC_COLUMNS: the
reporter's name, phone, e-mail, IP hash and key never leave this module through them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from server.audit import services as audit
from server.holidays.services import load_calendar
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Conflict, Forbidden, Invalid, NotFound
from server.lib.i18n import current_locale, gettext_in
from server.lib.vn_text import fold, like_pattern
from server.media.services import is_image, read_bytes, sniff, store_file
from server.people.services import Actor
from server.people.tables import Role
from server.reports import photos as photo_work
from server.reports.tables import (
    Category,
    Report,
    ReportEvent,
    ReportKind,
    ReportPhoto,
    ReportStatus,
)
from server.settings import get_settings
from server.units.tables import Unit

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
TRIAGE_ROLES = frozenset({Role.receptionist.value, Role.leader.value, Role.admin.value})
PHONE_RE = re.compile(r"^\+?[0-9 .\-]{8,20}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
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
# Statuses shown in public lists (moderated); a single report is visible by its code unless it is spam.
LISTED_STATUSES = (ReportStatus.accepted.value, ReportStatus.resolved.value, ReportStatus.duplicate.value)
PUBLIC_COLUMNS = (
    Report.id, Report.code, Report.kind, Report.category, Report.description, Report.latitude, Report.longitude,
    Report.address, Report.status, Report.received_at, Report.triaged_at, Report.first_answer_at,
    Report.resolved_at, Report.updated_at, Report.target_days, Report.unit, Report.public_answer,
    Report.reject_kind, Report.public_reason, Report.duplicate_of, Report.rating, Report.rating_comment,
    Report.rated_at, Report.petition_session, Report.constituency, Report.deputies, Report.voters_group,
    Report.source, Report.media_url, Report.point_from_photo,
)
# Decree 13/2023/NĐ-CP: the reporter's personal data (name, phone, e-mail, IP hash) and the private originals of
# their photos (with the EXIF and GPS they carry) are kept this long after the report is closed (resolved,
# rejected or merged), then deleted by the worker's job "reports.retention" (jobs.py). The portal's notice
# shows this same number (citizen_portal/templates/portal/report.html gets it from here).
PERSONAL_DATA_RETENTION_MONTHS = 24
CLOSED_STATUSES = (ReportStatus.resolved.value, ReportStatus.rejected.value, ReportStatus.duplicate.value)
RETENTION_BATCH = 200
PHOTO_JOB = "reports.photos"
# Open311 media_url: a link the client application gives; stored and shown, never fetched (see check_media_url).
MAX_MEDIA_URL = 2048
SYSTEM_READER = Actor(id=0, username="system", full_name="Hệ thống", role=Role.leader.value, unit_id=0, unit_path="/")


# ---------------------------------------------------------------- small helpers


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


def can_triage(actor: Actor) -> bool:
    """Who may accept, route, reject and merge reports and petitions: the one place that says so (the guards,
    the menu, the landing page and the services all ask it). People have no per-person permission yet, so
    the role decides: the receptionist, the leader and the admin."""
    return actor.role in TRIAGE_ROLES


def require_triage(actor: Actor) -> None:
    if not can_triage(actor):
        raise Forbidden("triage_forbidden", "Bạn không có quyền phân loại phản ánh")


# ---------------------------------------------------------------- categories


async def list_categories(active_only: bool = True) -> list[dict[str, Any]]:
    query = Category.select().order_by(Category.sort_order, Category.name)
    if active_only:
        query = query.where(Category.active.eq(True))
    return list(await query)


async def get_category(category_id: int) -> dict[str, Any]:
    row = await Category.select().where(Category.id == category_id).first()
    if row is None:
        raise NotFound("category_not_found", "Không tìm thấy lĩnh vực")
    return row


async def save_category(actor: Actor | None, *, code: str, name: str, target_days: int, description: str = "",
                        group_name: str = "", default_unit_id: int | None = None, active: bool = True,
                        sort_order: int = 0) -> dict[str, Any]:
    code = (code or "").strip().lower()
    name = (name or "").strip()
    if not re.fullmatch(r"[a-z0-9_\-]{1,32}", code) or not name:
        raise Invalid("category_invalid", "Cần mã (chữ thường, số) và tên lĩnh vực")
    if not 1 <= target_days <= 365:
        raise Invalid("target_days_invalid", "Thời hạn phải từ 1 đến 365 ngày làm việc")
    values = {Category.name: name, Category.target_days: target_days, Category.description: description.strip(),
              Category.group_name: group_name.strip(), Category.default_unit: default_unit_id,
              Category.active: active, Category.sort_order: sort_order}
    async with write_transaction():
        existing = await Category.select(Category.id).where(Category.code == code).first()
        if existing:
            await Category.update(values).where(Category.id == existing["id"])
            category_id = existing["id"]
        else:
            rows = await Category.insert(Category(code=code, **{c._meta.name: v for c, v in values.items()})).returning(
                Category.id)
            category_id = rows[0]["id"]
        await audit.record(actor_id=actor.id if actor else None, action="report_category.save",
                           entity="report_category", entity_id=category_id, after={"code": code, "name": name,
                                                                                   "target_days": target_days})
    return await get_category(category_id)


# ---------------------------------------------------------------- intake


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


# ---------------------------------------------------------------- photos


async def _queue_photo_job(report_id: int, kind: str = "before") -> None:
    from server.notifications import jobs

    await jobs.enqueue(PHOTO_JOB, {"report_id": report_id}, dedupe_key=f"{PHOTO_JOB}:{report_id}:{kind}")


async def ensure_derivatives(photo_id: int) -> dict[str, Any]:
    """Build the public WebP copies of one photo if they are missing (idempotent; safe from the worker)."""
    row = await ReportPhoto.select().where(ReportPhoto.id == photo_id).first()
    if row is None:
        raise NotFound("photo_not_found", "Không tìm thấy ảnh")
    if row["public_sha256"] and row["thumb_sha256"]:
        return row
    if not row["original_sha256"]:
        raise NotFound("photo_not_found", "Không tìm thấy ảnh")  # its original was deleted before any copy
    try:
        data = await read_bytes(row["original_sha256"])
    except FileNotFoundError:
        raise NotFound("photo_not_found", "Không tìm thấy ảnh") from None
    try:
        public, thumb, width, height = await photo_work.derive_async(data)
    except photo_work.PhotoError as error:
        raise Invalid(str(error), "Không đọc được ảnh") from error
    public_file = await store_file(public)
    thumb_file = await store_file(thumb)
    await ReportPhoto.update({ReportPhoto.public_sha256: public_file["sha256"],
                              ReportPhoto.thumb_sha256: thumb_file["sha256"], ReportPhoto.width: width,
                              ReportPhoto.height: height}).where(ReportPhoto.id == photo_id)
    return {**row, "public_sha256": public_file["sha256"], "thumb_sha256": thumb_file["sha256"]}


async def process_pending_photos(report_id: int | None = None) -> int:
    """Derive every photo still missing its public copies (the request's background task and the worker)."""
    query = ReportPhoto.select(ReportPhoto.id).where((ReportPhoto.public_sha256 == "")
                                                     & (ReportPhoto.original_sha256 != ""))
    if report_id is not None:
        query = query.where(ReportPhoto.report == report_id)
    done = 0
    for row in await query:
        try:
            await ensure_derivatives(row["id"])
            done += 1
        except (Invalid, NotFound):
            continue
    return done


async def public_photo_bytes(code: str, photo_id: int, size: str) -> bytes:
    """The public copy of a photo of a report visible to the public; never the original."""
    report = await _public_row(code)
    row = await ReportPhoto.select(ReportPhoto.id).where((ReportPhoto.id == photo_id)
                                                         & (ReportPhoto.report == report["id"])).first()
    # A rejected report's page and Open311 show no photo: its photos are not served by address either.
    if row is None or report["status"] == ReportStatus.rejected.value:
        raise NotFound("photo_not_found", "Không tìm thấy ảnh")
    derived = await ensure_derivatives(photo_id)
    return await read_bytes(derived["thumb_sha256"] if size == "thumb" else derived["public_sha256"])


async def original_photo_bytes(actor: Actor, photo_id: int) -> tuple[bytes, str]:
    """Staff only: the original as uploaded (with its metadata)."""
    require_triage(actor)
    row = await ReportPhoto.select(ReportPhoto.original_sha256).where(ReportPhoto.id == photo_id).first()
    if row is None:
        raise NotFound("photo_not_found", "Không tìm thấy ảnh")
    if not row["original_sha256"]:
        raise NotFound("photo_original_deleted", "Ảnh gốc đã được xóa khi hết thời hạn lưu trữ dữ liệu cá nhân")
    from server.media.services import sniff

    data = await read_bytes(row["original_sha256"])
    return data, sniff(data) or "application/octet-stream"


# ---------------------------------------------------------------- public reads


async def _public_row(code: str) -> dict[str, Any]:
    code = normalise_code(code)
    if not CODE_RE.match(code):
        raise NotFound("report_not_found", "Không tìm thấy phản ánh với mã này")
    row = await Report.select(*PUBLIC_COLUMNS).where(Report.code == code).first()
    if row is None or (row["status"] == ReportStatus.rejected.value and row["reject_kind"] == "spam"):
        raise NotFound("report_not_found", "Không tìm thấy phản ánh với mã này")
    return row


async def _names(table: Any, ids: set[int]) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {r["id"]: r["name"] for r in await table.select(table.id, table.name).where(table.id.is_in(list(ids)))}


async def _decorate(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    categories = {c["id"]: c for c in await Category.select(Category.id, Category.name, Category.code)}
    units = await _names(Unit, {r["unit"] for r in rows if r["unit"]})
    calendar = await load_calendar()
    today = clock.today_vn()
    out = []
    for row in rows:
        category = categories.get(row["category"]) or {}
        received = clock.local_date(row["received_at"])
        end = clock.local_date(row["resolved_at"]) if row["resolved_at"] else today
        out.append({
            **row,
            "category_name": category.get("name", ""),
            "category_code": category.get("code", ""),
            "unit_name": units.get(row["unit"], ""),
            "status_label": STATUS_LABELS.get(row["status"], row["status"]),
            "working_days": calendar.working_days_between(received, end),
            "due_date": calendar.add_working_days(received, row["target_days"]),
        })
    return out


def without_private_point(item: dict[str, Any]) -> dict[str, Any]:
    """A public copy of a report: a point read from a photo's EXIF GPS stays with staff (PRODUCT.md: never the
    photos' GPS metadata); a point the citizen chose on the map or with the GPS button is public."""
    if item.get("point_from_photo"):
        return {**item, "latitude": None, "longitude": None}
    return item


async def _reporters_row(code: str, key: str) -> dict[str, Any]:
    """A report hidden from the public (rejected as spam), for its reporter only, through the private link: they
    are owed the public reason it was refused. Anyone else is told it does not exist, as before."""
    code = normalise_code(code)
    row = await Report.select(*PUBLIC_COLUMNS, Report.owner_key_hash).where(Report.code == code).first() if (
        key and CODE_RE.match(code)) else None
    if row is None or not row["owner_key_hash"] or not secrets.compare_digest(row.pop("owner_key_hash"),
                                                                              _hash(f"key:{key}")):
        raise NotFound("report_not_found", "Không tìm thấy phản ánh với mã này")
    return row


async def public_report(code: str, key: str = "") -> dict[str, Any]:
    """A report's public face; with the reporter's private `key`, also a report rejected as spam (its reason)."""
    try:
        found = await _public_row(code)
    except NotFound:
        found = await _reporters_row(code, key)
    row = without_private_point((await _decorate([found]))[0])
    events = await ReportEvent.select(ReportEvent.kind, ReportEvent.note, ReportEvent.at).where(
        ReportEvent.report == row["id"]).order_by(ReportEvent.at, ReportEvent.id)
    calendar = await load_calendar()
    received = clock.local_date(row["received_at"])
    timeline = [{"kind": e["kind"], "label": EVENT_LABELS.get(e["kind"], e["kind"]), "note": e["note"],
                 "at": e["at"], "working_days": calendar.working_days_between(received, clock.local_date(e["at"]))}
                for e in events]
    photo_rows = await ReportPhoto.select(ReportPhoto.id, ReportPhoto.kind, ReportPhoto.width,
                                          ReportPhoto.height).where(ReportPhoto.report == row["id"]).order_by(
        ReportPhoto.kind, ReportPhoto.position, ReportPhoto.id)
    spam_hidden = row["status"] == ReportStatus.rejected.value
    duplicate_code = None
    if row["duplicate_of"]:
        original = await Report.select(Report.code).where(Report.id == row["duplicate_of"]).first()
        duplicate_code = original["code"] if original else None
    return {
        **row,
        "timeline": timeline,
        "photos": [] if spam_hidden else [p for p in photo_rows if p["kind"] == "before"],
        "after_photos": [p for p in photo_rows if p["kind"] == "after"],
        "duplicate_code": duplicate_code,
        "can_rate": row["status"] == ReportStatus.resolved.value and row["rating"] is None,
        "within_target": row["working_days"] <= row["target_days"],
    }


async def public_list(
    *,
    category_id: int | None = None,
    status: str | None = None,
    unit_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    q: str = "",
    kind: str = ReportKind.report.value,
    session: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    where = Report.kind == kind
    statuses = [status] if status in LISTED_STATUSES else list(LISTED_STATUSES)
    if kind == ReportKind.petition.value and status in (None, ""):
        statuses = [*LISTED_STATUSES, ReportStatus.new.value]  # petitions are recorded by staff: no moderation
    where &= Report.status.is_in(statuses)
    if category_id:
        where &= Report.category == category_id
    if unit_id:
        where &= Report.unit == unit_id
    if date_from:
        where &= Report.received_at >= _day_start(date_from)
    if date_to:
        where &= Report.received_at < _day_start(date_to + dt.timedelta(days=1))
    if session:
        where &= Report.petition_session == session
    for word in fold(q).split()[:8]:  # every word, in any order, diacritics and case ignored
        where &= Report.search_text.like(like_pattern(word))
    limit = max(1, min(limit, 200))
    total = await Report.count().where(where)
    rows = await Report.select(*PUBLIC_COLUMNS).where(where).order_by(Report.received_at, ascending=False).limit(
        limit).offset(max(0, offset))
    items = [without_private_point(item) for item in await _decorate(list(rows))]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=clock.VN_TZ).astimezone(dt.UTC)


async def petition_sessions() -> list[str]:
    rows = await Report.select(Report.petition_session).where(Report.kind == ReportKind.petition.value).distinct()
    return sorted({r["petition_session"] for r in rows if r["petition_session"]}, reverse=True)


# ---------------------------------------------------------------- rating


async def rate(code: str, key: str, rating: int, comment: str = "") -> None:
    """The reporter rates the answer once, after resolution, with the private key from their confirmation."""
    row = await _public_row(code)
    full = await Report.select(Report.owner_key_hash).where(Report.id == row["id"]).first()
    if not key or not full or not full["owner_key_hash"] or not secrets.compare_digest(full["owner_key_hash"],
                                                                                          _hash(f"key:{key}")):
        raise Forbidden("rating_key_invalid", "Chỉ người gửi phản ánh (qua đường dẫn riêng) mới đánh giá được")
    if row["status"] != ReportStatus.resolved.value:
        raise Conflict("rating_not_open", "Chỉ đánh giá được sau khi phản ánh đã được giải quyết")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Invalid("rating_invalid", "Điểm đánh giá từ 1 đến 5")
    comment = (comment or "").strip()[:2000]
    now = clock.now()
    async with write_transaction():
        current = await Report.select(Report.rating).where(Report.id == row["id"]).first()
        if current is None or current["rating"] is not None:
            raise Conflict("already_rated", "Phản ánh này đã được đánh giá")
        await Report.update({Report.rating: rating, Report.rating_comment: comment, Report.rated_at: now,
                             Report.updated_at: now}).where((Report.id == row["id"]) & Report.rating.is_null())
        await _event(row["id"], "rated", note=f"{rating}/5", at=now)


# ---------------------------------------------------------------- mail sink


async def outbox(to_address: str | None = None) -> list[dict[str, Any]]:
    """The e-mails queued for citizens (to one address), oldest first: what the reporter was told and when."""
    from server.mail.services import list_messages

    return sorted(await list_messages(to_address=to_address, limit=1000), key=lambda message: message["id"])


# Triage lives in triage.py; its names stay reachable here for the callers that knew them from this module.
from server.reports.triage import (  # noqa: E402
    accept,
    delegated_actor,
    merge_duplicate,
    reject,
    similar_reports,
    similar_to_each,
    staff_report,
    triage_queue,
)

__all__ = ["accept", "delegated_actor", "merge_duplicate", "reject", "similar_reports", "similar_to_each",
           "staff_report", "triage_queue"]
