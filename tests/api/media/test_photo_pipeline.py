"""The photo pipeline over HTTP: an officer's progress photo becomes a clean thumbnail and display copy, built
off the request path, served with the attachment's own access; bad images are refused with nothing written."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from server.media import jobs as media_jobs
from server.media import services
from server.media.tables import Attachment, ImageDerivative, StoredFile
from server.notifications.tables import Job
from server.settings import get_settings
from server.tasks.services import report_progress
from tests.factories import Jurisdiction, make_jurisdiction, make_task, unique
from tests.unit.media.photos import (
    heic,
    metadata_left,
    png_bomb,
    png_with_alpha,
    rotated_jpeg,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _report(j: Jurisdiction) -> int:
    task = await make_task(j, assignees=[j.officer], lead_unit=j.dept_sub)
    outcome = await report_progress(j.officer, task["id"], note="Ảnh hiện trường", percent=50)
    return outcome.report_id


async def _upload(client: httpx.AsyncClient, report_id: int, name: str, data: bytes, key: str | None = None,
                  **kwargs: Any) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return await client.post(f"/api/v1/progress/{report_id}/attachments", files={"data": (name, data, "image/jpeg")},
                             headers=headers, **kwargs)


def _stored_files() -> set[Path]:
    root = get_settings().media_dir
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


async def _derive_jobs(file_id: int) -> list[dict[str, Any]]:
    rows = await Job.select().where(Job.kind == services.DERIVE_JOB)
    return [row for row in rows if json.loads(row["payload"]) == {"file_id": file_id}]


async def _file_id(attachment_id: int) -> int:
    row = await Attachment.select(Attachment.file).where(Attachment.id == attachment_id).first()
    return row["file"]


async def _run_queued_job(file_id: int) -> None:
    """What the worker does with the queued job (the handler server/worker.py registers), then forget the job."""
    from server import worker

    if services.DERIVE_JOB not in worker.HANDLERS:
        worker._builtin_handlers()
    assert worker.HANDLERS[services.DERIVE_JOB] is media_jobs.handle_derive
    [job] = await _derive_jobs(file_id)
    await worker.HANDLERS[services.DERIVE_JOB](json.loads(job["payload"]))
    await Job.delete().where(Job.id == job["id"])


def _webp(response: httpx.Response) -> Image.Image:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/webp"
    image = Image.open(io.BytesIO(response.content))
    image.load()
    return image


async def test_a_progress_photo_gets_clean_copies_built_off_the_request_path(j, client_for) -> None:
    officer, leader = await client_for(j.officer), await client_for(j.leader)
    report_id = await _report(j)
    original = rotated_jpeg(400, 300, orientation=6)

    response = await _upload(officer, report_id, "hien-truong.jpg", original, key=unique("anh-"))
    assert response.status_code == 201, response.text
    attachment = response.json()
    aid = attachment["id"]
    assert attachment["thumb_url"] == f"/api/v1/attachments/{aid}/thumb"
    assert attachment["display_url"] == f"/api/v1/attachments/{aid}/display"
    # The request only stored the original and queued the work: no copy exists yet, one job waits for it.
    file_id = await _file_id(aid)
    assert await ImageDerivative.count().where(ImageDerivative.original == file_id) == 0
    assert len(await _derive_jobs(file_id)) == 1

    await _run_queued_job(file_id)
    copies = await ImageDerivative.select().where(ImageDerivative.original == file_id)
    assert sorted((c["kind"], c["width"], c["height"]) for c in copies) == [("display", 300, 400),
                                                                           ("thumb", 240, 320)]

    task_detail = (await leader.get(f"/api/v1/tasks/{(await _task_of(report_id))}")).json()
    [listed] = task_detail["progress_reports"][0]["attachments"]
    assert listed["thumb_url"] == attachment["thumb_url"] and listed["display_url"] == attachment["display_url"]

    for kind, size in (("display", (300, 400)), ("thumb", (240, 320))):
        response = await leader.get(f"/api/v1/attachments/{aid}/{kind}")
        image = _webp(response)
        assert image.size == size  # upright: the sideways photo was turned
        red, _green, blue = image.getpixel((image.width - 3, 2))[:3]
        assert blue > 200 and red < 60  # the blue corner, top-left as stored, is top-right once turned
        assert len(image.getexif()) == 0 and not {"icc_profile", "xmp", "exif"} & image.info.keys()
        assert metadata_left(response.content) == []
        digest = next(c["sha256"] for c in copies if c["kind"] == kind)
        assert response.headers["etag"] == f'"{digest}"'
        assert response.headers["cache-control"].startswith("private, max-age=")
        assert int(response.headers["cache-control"].split("max-age=")[1]) >= 30 * 24 * 3600
        again = await leader.get(f"/api/v1/attachments/{aid}/{kind}", headers={"If-None-Match": f'"{digest}"'})
        assert again.status_code == 304 and again.content == b""

    # The original is kept as uploaded, metadata and all, for those who may see the report.
    response = await officer.get(f"/api/v1/attachments/{aid}")
    assert response.status_code == 200 and response.content == original
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.getexif().get_ifd(0x8825)  # GPS still there


async def _task_of(report_id: int) -> int:
    from server.tasks.tables import ProgressReport

    row = await ProgressReport.select(ProgressReport.task).where(ProgressReport.id == report_id).first()
    return row["task"]


async def test_copies_and_original_have_the_attachments_access(j, client_for) -> None:
    officer = await client_for(j.officer)
    report_id = await _report(j)
    response = await _upload(officer, report_id, "a.jpg", rotated_jpeg(64, 48))
    aid = response.json()["id"]
    stranger = await client_for((await make_jurisdiction()).leader)
    colleague = await client_for(j.other_officer)  # same commune, another department, not on the task
    anonymous = await client_for(None)
    for suffix in ("", "/display", "/thumb"):
        for client in (stranger, colleague):
            r = await client.get(f"/api/v1/attachments/{aid}{suffix}")
            assert r.status_code == 404 and r.json()["error"]["code"] == "attachment_not_found", (suffix, r.text)
        assert (await anonymous.get(f"/api/v1/attachments/{aid}{suffix}")).status_code == 401
        assert (await officer.get(f"/api/v1/attachments/{aid}{suffix}")).status_code == 200


async def test_a_copy_asked_for_before_the_worker_ran_is_built_on_demand_once(j, client_for) -> None:
    officer = await client_for(j.officer)
    report_id = await _report(j)
    response = await _upload(officer, report_id, "b.jpg", rotated_jpeg(320, 240, orientation=1))
    aid = response.json()["id"]
    file_id = await _file_id(aid)
    # The list and the photo opened at once: both copies asked for concurrently, before any worker ran.
    thumb, display, thumb_again = await asyncio.gather(
        officer.get(f"/api/v1/attachments/{aid}/thumb"), officer.get(f"/api/v1/attachments/{aid}/display"),
        officer.get(f"/api/v1/attachments/{aid}/thumb"),
    )
    assert _webp(thumb).size == (320, 240) and _webp(display).size == (320, 240)
    assert thumb_again.content == thumb.content
    rows = await ImageDerivative.select().where(ImageDerivative.original == file_id)
    assert sorted(r["kind"] for r in rows) == ["display", "thumb"]
    files = _stored_files()
    await _run_queued_job(file_id)  # the worker comes later: nothing more is built or recorded
    assert await ImageDerivative.select().where(ImageDerivative.original == file_id) == rows
    assert _stored_files() == files


async def test_a_lost_copy_is_built_again(j, client_for) -> None:
    from server.media.storage import default_storage

    officer = await client_for(j.officer)
    report_id = await _report(j)
    aid = (await _upload(officer, report_id, "c.jpg", rotated_jpeg(120, 90))).json()["id"]
    first = await officer.get(f"/api/v1/attachments/{aid}/display")
    digest = first.headers["etag"].strip('"')
    default_storage().delete(digest)
    default_storage().delete(digest)  # deleting what is not there is fine
    assert not default_storage().exists(digest)
    second = await officer.get(f"/api/v1/attachments/{aid}/display")
    assert second.status_code == 200 and second.content == first.content


async def test_the_same_upload_twice_is_one_file(j, client_for) -> None:
    officer = await client_for(j.officer)
    report_id = await _report(j)
    photo = rotated_jpeg(200, 150)
    files_before = _stored_files()
    key = unique("k-")
    # The same change replayed at once (Background Sync and the `online` handler): one attachment.
    same = await asyncio.gather(*[_upload(officer, report_id, "d.jpg", photo, key=key) for _ in range(3)])
    assert {r.status_code for r in same} == {201} and len({r.json()["id"] for r in same}) == 1
    # The same bytes as another attachment (a second report of the same scene): another row, the same file.
    other = await _upload(officer, report_id, "d-copy.jpg", photo, key=unique("k-"))
    assert other.status_code == 201 and other.json()["id"] != same[0].json()["id"]
    assert other.json()["sha256"] == same[0].json()["sha256"]
    assert await StoredFile.count().where(StoredFile.sha256 == other.json()["sha256"]) == 1
    assert len(_stored_files() - files_before) == 1
    # And one pair of copies, whichever attachment asks.
    a = await officer.get(f"{same[0].json()['thumb_url']}")
    b = await officer.get(f"{other.json()['thumb_url']}")
    assert a.headers["etag"] == b.headers["etag"]
    file_id = await _file_id(other.json()["id"])
    assert await ImageDerivative.count().where(ImageDerivative.original == file_id) == 2
    assert len(await _derive_jobs(file_id)) == 1
    await Job.delete().where(Job.id.is_in([job["id"] for job in await _derive_jobs(file_id)]))


async def test_heic_and_png_with_alpha(j, client_for) -> None:
    officer = await client_for(j.officer)
    report_id = await _report(j)
    r = await _upload(officer, report_id, "IMG_0001.HEIC", heic(64, 48, orientation=6))
    assert r.status_code == 201, r.text
    assert r.json()["content_type"] == "image/heic"
    image = _webp(await officer.get(r.json()["display_url"]))
    assert image.size == (48, 64) and metadata_left((await officer.get(r.json()["display_url"])).content) == []

    r = await _upload(officer, report_id, "so-do.png", png_with_alpha(40, 30))
    assert r.status_code == 201 and r.json()["content_type"] == "image/png"
    thumb = _webp(await officer.get(r.json()["thumb_url"]))
    assert thumb.mode == "RGBA" and thumb.getpixel((1, 28))[3] == 0 and thumb.getpixel((1, 1))[3] == 255


async def _counts() -> dict[str, int]:
    return {
        "files": await StoredFile.count(), "attachments": await Attachment.count(),
        "copies": await ImageDerivative.count(), "jobs": await Job.count().where(Job.kind == services.DERIVE_JOB),
    }


async def test_a_bomb_or_a_truncated_photo_is_refused_with_nothing_written(j, client_for) -> None:
    officer = await client_for(j.officer)
    report_id = await _report(j)
    truncated = rotated_jpeg(400, 300)[:-2000]
    cases = [("bom.png", png_bomb(20_000, 20_000), "image_too_large"),
             ("cat-ngang.jpg", truncated, "image_unreadable"),
             ("la.jpg", b"\xff\xd8\xff" + b"\x01" * 64, "image_unreadable")]
    before, files_before = await _counts(), _stored_files()
    for name, data, code in cases:
        r = await _upload(officer, report_id, name, data, key=unique("k-"))
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == code
        assert any(ch in r.json()["error"]["message"] for ch in "ảọđ"), r.json()  # Vietnamese by default
        english = await _upload(officer, report_id, name, data, params={"lang": "en"})
        assert english.status_code == 422 and english.json()["error"]["code"] == code
        message = english.json()["error"]["message"]
        assert message.isascii() and message != r.json()["error"]["message"], message
    assert await _counts() == before
    assert _stored_files() == files_before


async def test_a_document_has_no_image_copies(j, client_for) -> None:
    leader = await client_for(j.leader)
    report_id = await _report(j)
    officer = await client_for(j.officer)
    r = await officer.post(f"/api/v1/progress/{report_id}/attachments",
                           files={"data": ("bien-ban.pdf", PDF + unique("x").encode(), "application/pdf")})
    assert r.status_code == 201
    assert r.json()["thumb_url"] is None and r.json()["display_url"] is None
    assert await _derive_jobs(await _file_id(r.json()["id"])) == []
    for kind in ("thumb", "display"):
        answer = await leader.get(f"/api/v1/attachments/{r.json()['id']}/{kind}")
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "attachment_not_image"
