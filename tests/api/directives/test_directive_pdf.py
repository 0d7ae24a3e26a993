"""A directive's PDF: uploaded on the desk's form, listed and downloaded with the directive's access, and its
text searchable without diacritics."""

from __future__ import annotations

import re

from server.lib import clock
from tests.api.directives.pdf_bytes import pdf_with_text
from tests.factories import make_jurisdiction
from tests.helpers import desk_token

FILE_LINK = re.compile(r'href="(/directives/(\d+)/files/(\d+))"')


def form(number: str, title: str) -> dict[str, str]:
    return {"kind": "document", "number": number, "issued_on": clock.today_vn().isoformat(), "title": title,
            "signer": "Trần Thị Lãnh Đạo", "issuing_body": "UBND xã", "summary": ""}


async def test_pdf_uploaded_on_the_desk_is_listed_downloaded_in_scope_and_searchable(j, client_for) -> None:
    pdf = pdf_with_text("Kế hoạch nạo vét kênh Đồng Khởi", "mùa khô năm 2027")
    desk = await client_for(j.leader, headers={})
    csrf = await desk_token(desk, "/directives/new")
    created = await desk.post("/directives/new", data={"_csrf_token": csrf, **form("9/KH-UBND", "Kế hoạch thủy lợi")},
                              files={"document": ("ke-hoach-nao-vet.pdf", pdf, "application/pdf")})
    assert created.status_code == 303, created.text[:500]
    detail = await desk.get(created.headers["location"])
    assert "ke-hoach-nao-vet.pdf" in detail.text
    link, directive_id, attachment_id = FILE_LINK.search(detail.text).groups()

    # Whoever reads the directive downloads its PDF: the leader, and an officer of the same commune.
    for person in (j.leader, j.officer):
        reader = await client_for(person, headers={})
        got = await reader.get(link)
        assert got.status_code == 200 and got.content == pdf and got.headers["content-type"] == "application/pdf"
    stranger = await client_for((await make_jurisdiction()).leader, headers={})
    assert (await stranger.get(link)).status_code == 404
    # Another directive's path does not open this one's file.
    other = await desk.post("/directives/new", data={"_csrf_token": csrf, **form("10/KH-UBND", "Việc khác")})
    other_id = other.headers["location"].split("/")[2].split("?")[0]
    assert (await desk.get(f"/directives/{other_id}/files/{attachment_id}")).status_code == 404

    # Found by a word of the PDF's text, typed without diacritics, on the desk and through the API.
    found = await desk.get("/directives", params={"q": "nao vet kenh dong khoi"})
    assert f'href="/directives/{directive_id}"' in found.text
    assert f'href="/directives/{other_id}"' not in found.text
    api = await client_for(j.leader)
    listed = (await api.get("/api/v1/directives", params={"q": "MUA KHO NAM 2027"})).json()
    assert [d["id"] for d in listed] == [int(directive_id)]
    assert (await api.get("/api/v1/directives", params={"q": "khong co chu nay"})).json() == []


async def test_a_pdf_attached_through_the_api_is_listed_and_searchable(j, client_for) -> None:
    api = await client_for(j.leader)
    r = await api.post("/api/v1/directives", json={
        "number": "11/CT-UBND", "issued_on": str(clock.today_vn()), "signer": "Trần Thị Lãnh Đạo",
        "issuing_body": "UBND xã", "title": "Chỉ thị phòng chống bão"})
    directive_id = r.json()["id"]
    r = await api.post(f"/api/v1/directives/{directive_id}/attachments",
                       files={"data": ("chi-thi.pdf", pdf_with_text("Phương án sơ tán dân vùng trũng"), "x/y")})
    assert r.status_code == 201, r.text
    detail = await (await client_for(j.officer, headers={})).get(f"/directives/{directive_id}")
    assert "chi-thi.pdf" in detail.text and f"/directives/{directive_id}/files/{r.json()['id']}" in detail.text
    listed = (await api.get("/api/v1/directives", params={"q": "so tan dan vung trung"})).json()
    assert [d["id"] for d in listed] == [directive_id]


async def test_a_file_that_is_not_a_pdf_is_refused_with_words_and_nothing_is_saved(j, client_for) -> None:
    desk = await client_for(j.leader, headers={})
    csrf = await desk_token(desk, "/directives/new")
    before = (await desk.get("/directives")).text.count('class="card"')
    fake = b"MZ\x90\x00 this is a program, named like a PDF"
    refused = await desk.post("/directives/new", data={"_csrf_token": csrf, **form("12/KH-UBND", "Giả mạo PDF")},
                              files={"document": ("van-ban.pdf", fake, "application/pdf")})
    assert refused.status_code == 422
    assert "Chỉ nhận tệp PDF cho văn bản chỉ đạo" in refused.text
    assert 'value="12/KH-UBND"' in refused.text  # what was typed is kept
    assert (await desk.get("/directives")).text.count('class="card"') == before

    english = await client_for(j.leader, headers={})
    english.cookies.set("lang", "en")
    csrf = await desk_token(english, "/directives/new")
    refused = await english.post("/directives/new", data={"_csrf_token": csrf, **form("13/KH-UBND", "Giả mạo")},
                                 files={"document": ("a.pdf", fake, "application/pdf")})
    assert refused.status_code == 422 and "Only a PDF file is accepted for a directive" in refused.text

    # On the directive's page too, and an officer may not add a file at all.
    csrf = await desk_token(desk, "/directives/new")
    created = await desk.post("/directives/new", data={"_csrf_token": csrf, **form("14/KH-UBND", "Không tệp")})
    assert created.status_code == 303  # the file is optional
    directive_id = created.headers["location"].split("/")[2].split("?")[0]
    refused = await desk.post(f"/directives/{directive_id}/files", data={"_csrf_token": csrf},
                              files={"document": ("anh.pdf", b"\x89PNG\r\n\x1a\n....", "application/pdf")})
    assert refused.status_code == 422 and "Chỉ nhận tệp PDF cho văn bản chỉ đạo" in refused.text
    added = await desk.post(f"/directives/{directive_id}/files", data={"_csrf_token": csrf},
                            files={"document": ("that.pdf", pdf_with_text("Biên bản"), "application/pdf")})
    assert added.status_code == 303 and "Đã tải tệp lên" in (await desk.get(added.headers["location"])).text
    officer = await client_for(j.officer, headers={})
    officer_csrf = await desk_token(officer, f"/directives/{directive_id}")
    forbidden = await officer.post(f"/directives/{directive_id}/files", data={"_csrf_token": officer_csrf},
                                   files={"document": ("x.pdf", pdf_with_text("x"), "application/pdf")})
    assert forbidden.status_code in (302, 303, 403)
