"""Keys and import payloads for the machine-access tests: an admin makes the key over the API, as in production."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from server.lib import clock
from tests.api.directives.pdf_bytes import pdf_with_text
from tests.factories import Jurisdiction, unique


async def make_key(client_for: Any, j: Jurisdiction, scopes: list[str], **more: Any) -> dict[str, Any]:
    admin = await client_for(j.admin)
    answer = await admin.post("/api/v1/machine-keys", json={"name": unique("Hệ thống QLVB "), "scopes": scopes,
                                                            **more})
    assert answer.status_code == 201, answer.text
    return answer.json()


async def system(client_for: Any, key: str) -> Any:
    """A client of another system: its key and the API's header, no session."""
    return await client_for(None, headers={"Authorization": f"Bearer {key}", "X-Requested-With": "e-office"})


def metadata(j: Jurisdiction, number: str, *, title: str = "Chỉ thị về phòng chống lụt bão năm 2027",
             tasks: list[dict[str, Any]] | None = None, **more: Any) -> dict[str, Any]:
    later = clock.today_vn() + dt.timedelta(days=30)
    return {
        "issuing_body": "UBND xã Hoài Hương",
        "number": number,
        "issued_on": clock.today_vn().isoformat(),
        "title": title,
        "signer": "Trần Thị Lãnh Đạo",
        "summary": "Triển khai phương án phòng chống thiên tai",
        "tasks": tasks if tasks is not None else [
            {"ref": "1", "title": "Rà soát đê bao", "lead_unit": j.dept.code, "coordinating_units": [j.other_dept.code],
             "deadline": later.isoformat()},
            {"ref": "2", "title": "Chuẩn bị vật tư", "lead_unit": j.dept_sub.code, "working_days": 5},
            {"ref": "3", "title": "Tuyên truyền người dân", "lead_unit": j.other_dept.code,
             "deadline": later.isoformat()},
        ],
        **more,
    }


PDF = pdf_with_text("Chỉ thị phòng chống lụt bão", "gia cố đê bao Cồn Nổi năm 2027")


def import_files(meta: dict[str, Any], pdf: bytes | None = PDF) -> dict[str, Any]:
    files: dict[str, Any] = {"metadata": (None, json.dumps(meta, ensure_ascii=False), "application/json")}
    if pdf is not None:
        files["pdf"] = ("chi-thi.pdf", pdf, "application/pdf")
    return files
