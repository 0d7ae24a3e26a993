"""Issue 13, finding 8: uploads keep to an allow-list by content. A ZIP renamed .jpg is refused; the office
formats officials send (.docx/.xlsx/.pptx, and the old OLE2 .doc/.xls) are accepted, whatever their name."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from server.media.services import sniff
from tests.factories import make_task


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
DOCX = zip_of({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>"})
XLSX = zip_of({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<workbook/>"})
PLAIN_ZIP = zip_of({"photos/a.txt": b"not an office document", "run.sh": b"#!/bin/sh\n"})
NO_PARTS = zip_of({"[Content_Types].xml": CONTENT_TYPES, "other/x.xml": b"<x/>"})
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (OLE2, "application/vnd.ms-office"),
        (PLAIN_ZIP, None),
        (NO_PARTS, None),
        (b"PK\x03\x04broken", None),
        (b"MZ\x90\x00an executable", None),
        (b"<html><script>alert(1)</script>", None),
    ],
    ids=["docx", "xlsx", "ole2", "zip", "zip-without-office-parts", "broken-zip", "exe", "html"],
)
def test_sniff_keeps_to_the_allow_list(data: bytes, expected: str | None) -> None:
    assert sniff(data) == expected


async def test_a_zip_renamed_jpg_is_refused_as_a_task_attachment(j: Any, client_for: Any) -> None:
    officer = await client_for(j.officer)
    task = await make_task(j, assignees=[j.officer], lead_unit=j.dept_sub)
    report_id = (await officer.post(f"/api/v1/tasks/{task['id']}/progress", json={"note": "Biên bản"})).json()[
        "report_id"
    ]
    url = f"/api/v1/progress/{report_id}/attachments"
    refused = await officer.post(url, files={"data": ("anh-hien-truong.jpg", PLAIN_ZIP, "image/jpeg")})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "file_type_not_allowed"
    accepted = await officer.post(url, files={"data": ("bien-ban.docx", DOCX, "application/octet-stream")})
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["content_type"].endswith("wordprocessingml.document")
    old_excel = await officer.post(url, files={"data": ("so-lieu.xls", OLE2, "application/vnd.ms-excel")})
    assert old_excel.status_code == 201, old_excel.text
