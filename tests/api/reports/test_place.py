"""The place of a citizen's report, and what the reporter may still read: the photo's EXIF GPS as the point of a
form sent without JavaScript (kept from the public), the map opening on the jurisdiction, a spam report's reason
through the private link; and the portal's numbers in the locale (0,0 in Vietnamese, 0.0 in English)."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from PIL import Image

from server.media.images import gps_point
from server.reports import services
from server.reports.tables import Area, Report
from tests.api.reports.portal_helpers import post_report
from tests.factories import unique
from tests.unit.reports.helpers import has_metadata, jpeg_with_gps, make_category

# jpeg_with_gps(): 10° 45' 12.5" N, 106° 40' 3.25" E
PHOTO_POINT = (10.753472, 106.667569)


def plain_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), "blue").save(out, format="JPEG")
    return out.getvalue()


def jpeg_south_west() -> bytes:
    """GPS in the southern and western hemispheres, as Pillow writes it (rationals, S / W references)."""
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (33.0, 51.0, 54.0), "W", (70.0, 39.0, 0.0)
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def code_and_key(location: str) -> tuple[str, str]:
    match = re.match(r"/r/(PA-[2-9A-HJ-NP-Z]{6})\?key=([^&]+)&new=1", location)
    assert match, location
    return match.group(1), match.group(2)


def test_gps_point_reads_the_exif_gps_ifd() -> None:
    assert gps_point(jpeg_with_gps()) == PHOTO_POINT
    assert gps_point(jpeg_south_west()) == (-33.865, -70.65)
    assert gps_point(plain_jpeg()) is None
    assert gps_point(b"not an image at all") is None


async def test_no_js_form_takes_the_photos_gps_and_keeps_it_from_the_public(client_for: Any, j: Any) -> None:
    category = await make_category(j)
    client = await client_for(None, headers={})
    # What a form posted without JavaScript sends: no latitude, no longitude, and here no address either.
    response = await post_report(client, category["id"], phone="0911200001", latitude="", longitude="", address="",
                                 photos=[plain_jpeg(), jpeg_with_gps()])
    assert response.status_code == 303, response.text[:800]
    code, _key = code_and_key(response.headers["location"])
    row = await Report.select(Report.id, Report.latitude, Report.longitude, Report.point_from_photo).where(
        Report.code == code).first()
    assert (row["latitude"], row["longitude"]) == PHOTO_POINT and row["point_from_photo"] is True
    # Staff see it (the triage screen, routing, duplicates) ...
    staff = await services.staff_report(j.leader, row["id"])
    assert (staff["latitude"], staff["longitude"]) == PHOTO_POINT
    await services.accept(j.leader, row["id"])  # listed publicly from now on
    # ... the public never does: not on the page, its JSON, the list, the map's feed, Open311.
    bodies = {path: (await client.get(path)).text for path in (
        f"/r/{code}", f"/r/{code}.json", f"/portal/reports.json?q={code}", f"/open311/v2/requests/{code}.json")}
    public = json.loads(bodies[f"/r/{code}.json"])
    assert public["latitude"] is None and public["longitude"] is None
    listed = json.loads(bodies[f"/portal/reports.json?q={code}"])["items"]
    assert [item["code"] for item in listed] == [code] and listed[0]["latitude"] is None
    assert json.loads(bodies[f"/open311/v2/requests/{code}.json"])[0]["lat"] is None
    for body in bodies.values():
        assert "10.753472" not in body and "106.667569" not in body and "10.75347" not in body
    # The public copies of the photos carry no EXIF at all, so no GPS; the private original keeps it.
    for url in public["photos"]:
        image = await client.get(url)
        assert image.status_code == 200 and not has_metadata(image.content)
        assert gps_point(image.content) is None
    photo_ids = [p["id"] for p in staff["photo_rows"]]
    original, _type = await services.original_photo_bytes(j.leader, photo_ids[1])
    assert gps_point(original) == PHOTO_POINT


async def test_a_point_the_citizen_chose_wins_and_stays_public(client_for: Any, j: Any) -> None:
    category = await make_category(j)
    client = await client_for(None, headers={})
    response = await post_report(client, category["id"], phone="0911200002", latitude="10.7531",
                                 longitude="106.6702")
    code, _key = code_and_key(response.headers["location"])
    row = await Report.select(Report.id, Report.latitude, Report.point_from_photo).where(Report.code == code).first()
    assert row["latitude"] == 10.7531 and row["point_from_photo"] is False
    assert (await client.get(f"/r/{code}.json")).json()["latitude"] == 10.7531
    # No point, no GPS in the photo, no address: the citizen is asked for a place, as before.
    refused = await post_report(client, category["id"], phone="0911200002", latitude="", longitude="", address="",
                                photos=[plain_jpeg()])
    assert refused.status_code == 422 and "vị trí" in refused.text


async def test_a_spam_reports_reason_through_the_private_link_only(client_for: Any, j: Any) -> None:
    category = await make_category(j)
    client = await client_for(None, headers={})
    response = await post_report(client, category["id"], phone="0911200003")
    code, key = code_and_key(response.headers["location"])
    report_id = (await services.public_report(code))["id"]
    reason = "Nội dung quảng cáo, không phải phản ánh"
    await services.reject(j.leader, report_id, kind="spam", reason=reason)
    private = await client.get(f"/r/{code}?key={key}")
    assert private.status_code == 200
    assert reason in private.text and 'id="private-only"' in private.text
    assert private.headers["cache-control"] == "no-store" and private.headers["referrer-policy"] == "no-referrer"
    assert "Ống nước bị vỡ" not in private.text  # the text and the photos of a refused report stay hidden
    english = await client.get(f"/r/{code}?key={key}&lang=en")
    assert "only you can read the reason" in english.text
    # Everyone else, and every other door: still not found.
    photo_id = (await services.staff_report(j.leader, report_id))["photo_rows"][0]["id"]
    for path in (f"/r/{code}", f"/r/{code}?key=wrong-{key}", f"/r/{code}?key=", f"/r/{code}.json",
                 f"/r/{code}/photos/{photo_id}.webp", f"/portal/reports.json?q={code}"):
        answer = await client.get(path)
        if path.startswith("/portal/"):
            assert answer.json()["items"] == [], path
        else:
            assert answer.status_code == 404, path
            assert reason not in answer.text


async def test_the_map_opens_on_the_jurisdictions_areas(client_for: Any, j: Any) -> None:
    # The demo commune's kind of place (Hoài Nhơn, Bình Định), 500 km from Ho Chi Minh City.
    ring = [[109.00, 14.48], [109.03, 14.48], [109.03, 14.52], [109.00, 14.52], [109.00, 14.48]]
    await Area.insert(Area(name=unique("Xã "), kind="polygon", polygon=json.dumps(
        {"type": "Polygon", "coordinates": [ring]})))
    client = await client_for(None, headers={})
    for path in ("/portal/report", "/portal/reports"):
        page = (await client.get(path)).text
        match = re.search(r'id="map"[^>]*data-bounds="([^"]+)"', page)
        assert match, path
        south, west, north, east = (float(v) for v in match.group(1).split(","))
        assert south <= 14.48 and north >= 14.52 and west <= 109.00 and east >= 109.03, path
    script = (await client.get("/portal/static/portal.js")).text
    assert "106.7" not in script and "data-bounds" in script


async def test_statistics_in_the_locale(client_for: Any, j: Any) -> None:
    name = unique("Lĩnh vực số ")
    category = await make_category(j, name=name)
    client = await client_for(None, headers={})
    response = await post_report(client, category["id"], phone="0911200004")
    code, _key = code_and_key(response.headers["location"])
    await services.accept(j.leader, (await services.public_report(code))["id"])  # answered the same day: 0 days

    def row_of(page: str) -> str:
        match = re.search(rf"<tr><th scope=\"row\">{re.escape(name)}</th>(.*?)</tr>", page, re.S)
        assert match, page[:2000]
        return match.group(1)

    vietnamese = row_of((await client.get("/portal/stats")).text)
    assert "<td>0,0</td>" in vietnamese and "0.0" not in vietnamese
    english = row_of((await client.get("/portal/stats?lang=en")).text)
    assert "<td>0.0</td>" in english and "0,0" not in english
