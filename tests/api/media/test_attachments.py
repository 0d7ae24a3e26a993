"""Directive PDFs and progress photos: checked by content, stored once by hash, readable only in scope."""

from __future__ import annotations

import io

from PIL import Image

from server.lib import clock
from tests.factories import make_jurisdiction, make_task

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 100, 50)).save(buffer, "JPEG")
    return buffer.getvalue()


async def test_directive_pdf_and_progress_photo(j, client_for) -> None:
    leader, officer = await client_for(j.leader), await client_for(j.officer)
    r = await leader.post(
        "/api/v1/directives",
        json={"number": "7/KH-UBND", "issued_on": str(clock.today_vn()), "signer": "Trần Thị Lãnh Đạo",
              "issuing_body": "UBND xã", "title": "Kế hoạch chuyển đổi số"},
    )
    directive = r.json()
    r = await leader.post(f"/api/v1/directives/{directive['id']}/attachments",
                          files={"data": ("ke-hoach.pdf", PDF, "application/pdf")})
    assert r.status_code == 201, r.text
    assert r.json()["content_type"] == "application/pdf"
    r = await leader.post(f"/api/v1/directives/{directive['id']}/attachments",
                          files={"data": ("virus.pdf", b"MZ\x90\x00not a pdf", "application/pdf")})
    assert r.status_code == 422 and r.json()["error"]["code"] == "file_type_not_allowed"
    detail = (await leader.get(f"/api/v1/directives/{directive['id']}")).json()
    assert [a["filename"] for a in detail["attachments"]] == ["ke-hoach.pdf"]
    r = await officer.get(f"/api/v1/attachments/{detail['attachments'][0]['id']}")
    assert r.status_code == 200 and r.content == PDF

    task = await make_task(j, assignees=[j.officer], lead_unit=j.dept_sub)
    r = await officer.post(f"/api/v1/tasks/{task['id']}/progress", json={"note": "Ảnh hiện trường"})
    report_id = r.json()["report_id"]
    photo = jpeg_bytes()
    headers = {"Idempotency-Key": "photo-1-" + str(report_id)}
    first = await officer.post(f"/api/v1/progress/{report_id}/attachments",
                               files={"data": ("a.jpg", photo, "image/jpeg")}, headers=headers)
    again = await officer.post(f"/api/v1/progress/{report_id}/attachments",
                               files={"data": ("a.jpg", photo, "image/jpeg")}, headers=headers)
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    detail = (await officer.get(f"/api/v1/tasks/{task['id']}")).json()
    assert len(detail["progress_reports"][0]["attachments"]) == 1

    stranger = await client_for((await make_jurisdiction()).leader)
    r = await stranger.get(f"/api/v1/attachments/{first.json()['id']}")
    assert r.status_code == 404
