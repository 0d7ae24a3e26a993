"""Reading the portal's forms: plain values and uploaded photos, with the limits checked before the service."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile

from server.lib.errors import Invalid
from server.lib.params import ID_MAX, bounded_int
from server.reports.photos import MAX_PHOTO_BYTES, MAX_PHOTOS

FIELDS = ("category", "description", "latitude", "longitude", "address", "name", "phone", "email", "website",
          "consent")


async def read_report_form(request: Request) -> tuple[dict[str, str], list[bytes]]:
    """The text fields (kept to show the form again) and the photos' bytes."""
    form = await request.form()
    values = {name: (form.get(name) or "") for name in FIELDS}
    values = {name: value.strip() if isinstance(value, str) else "" for name, value in values.items()}
    if any("\x00" in value for value in values.values()):  # PostgreSQL's text cannot store a NUL
        raise Invalid("invalid_input", "Dữ liệu gửi lên không hợp lệ")
    photos: list[bytes] = []
    uploads = [item for item in form.getall("photos") if isinstance(item, UploadFile)] if "photos" in form else []
    if len(uploads) > MAX_PHOTOS:
        raise Invalid("too_many_photos", "Tối đa 5 ảnh")
    for upload in uploads:
        data = await upload.read(MAX_PHOTO_BYTES + 1)
        if len(data) > MAX_PHOTO_BYTES:
            raise Invalid("photo_too_large", "Mỗi ảnh tối đa 10 MB")
        if data:
            photos.append(data)
    return values, photos


def report_arguments(values: dict[str, str], photos: list[bytes], client_ip: str) -> dict[str, Any]:
    category = values.get("category") or ""
    category_id = bounded_int(category, 1)
    if category and category_id is None:  # not a number, or no id could be that large
        raise Invalid("category_required", "Cần chọn lĩnh vực")
    return {
        "category_id": category_id,
        "description": values.get("description", ""),
        "photos": photos,
        "latitude": values.get("latitude") or None,
        "longitude": values.get("longitude") or None,
        "address": values.get("address", ""),
        "name": values.get("name", ""),
        "phone": values.get("phone", ""),
        "email": values.get("email", ""),
        "consent": values.get("consent") in ("1", "on", "yes", "true"),
        "honeypot": values.get("website", ""),
        "client_ip": client_ip,
    }


def optional_int(value: str | None) -> int | None:
    """An id or a small number from a form or a path: out of the database's integer range counts as not a number."""
    return bounded_int(value, -(2**31), ID_MAX)
