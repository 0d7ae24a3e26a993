"""Shared helpers for the reports tests: categories, photos with EXIF GPS, a full citizen report."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from tests.factories import Jurisdiction, unique

SECRET_NAME = "Nguyễn Thị Bí Mật"
SECRET_PHONE = "0912345678"
SECRET_EMAIL = "bimat.nguoidan@example.vn"
GPS_MARKER = b"GPSInfo"


def jpeg_with_gps(width: int = 64, height: int = 48, orientation: int = 6, color: str = "red") -> bytes:
    """A JPEG carrying an orientation tag, GPS coordinates, a camera model and an author."""
    image = Image.new("RGB", (width, height), color)
    image.paste((0, 0, 255), (0, 0, width // 2, height // 4))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x0110] = "SecretPhone 12"  # Model
    exif[0x013B] = SECRET_NAME  # Artist
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (10.0, 45.0, 12.5)
    gps[3] = "E"
    gps[4] = (106.0, 40.0, 3.25)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"secret comment")
    return out.getvalue()


def has_metadata(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return bool(len(exif)) or any(k in image.info for k in ("exif", "xmp", "icc_profile", "comment"))


async def make_category(j: Jurisdiction, target_days: int = 5, name: str = "Cấp nước sinh hoạt",
                        unit: Any = None) -> dict[str, Any]:
    from server.reports.services import save_category

    return await save_category(None, code=unique("c")[:30].lower(), name=name, target_days=target_days,
                               default_unit_id=(unit or j.dept).id, description="Nước máy, đường ống")


async def make_report(category: dict[str, Any], *, lat: float = 10.7531, lon: float = 106.6702,
                      description: str = "Nước máy có màu lạ, nhiều cặn ở ấp Mỹ Thuận 1",
                      email: str = SECRET_EMAIL, phone: str = "", ip: str = "") -> dict[str, Any]:
    """A report with personal data; the phone is unique per call (unless given) so limits do not interfere."""
    import random

    from server.reports.services import submit_report

    phone = phone or "09" + "".join(random.choice("0123456789") for _ in range(8))
    result = await submit_report(
        category_id=category["id"], description=description, photos=[jpeg_with_gps()], latitude=lat, longitude=lon,
        address="Ấp Mỹ Thuận 1", name=SECRET_NAME, phone=phone, email=email, consent=True,
        client_ip=ip or unique("10.0.0."),
    )
    return {**result, "phone": phone}


async def resolve_through_task(j: Jurisdiction, report_id: int, answer: str = "Đã thay đường ống, nước trong") -> int:
    """Receptionist accepts; the officer reports with a photo and submits; the leader approves, which publishes."""
    from server.media.services import attach
    from server.reports.services import accept
    from server.tasks.services import report_progress, set_assignees, transition

    accepted = await accept(j.receptionist, report_id)
    task_id = accepted["task_id"]
    await set_assignees(j.head, task_id, [j.officer.id])
    progress = await report_progress(j.officer, task_id, note="Đã kiểm tra hiện trường", percent=100)
    await attach(owner_kind="progress_report", owner_id=progress.report_id, filename="sau.jpg",
                 data=jpeg_with_gps(color="green"), actor_id=j.officer.id)
    await transition(j.officer, task_id, "submit", note=answer)
    await transition(j.leader, task_id, "approve")
    return task_id
