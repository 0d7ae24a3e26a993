"""The open-data files of the citizen portal: they parse (csv, json), say only what the portal shows anyone (never
the reporter's name, phone, e-mail or words, nor a point read from a photo's GPS), are paged, and answer a bad
parameter with a 400 that names it."""

from __future__ import annotations

import csv
import io
import json
import random
from typing import Any

from server.reports import services
from tests.unit.reports.helpers import SECRET_EMAIL, SECRET_NAME, jpeg_with_gps, make_category, make_report

SECRET_WORDS = "Nhà ông Tư số 12 bị ngập, gọi 0909 111 222"
PHOTO_GPS = ("10.7534", "106.6675")  # the EXIF point of jpeg_with_gps(): 10°45'12.5"N 106°40'3.25"E


async def _seed(j: Any) -> dict[str, Any]:
    """A category with three reports of citizens: two accepted (one placed only by its photo's GPS), one new."""
    category = await make_category(j, name="Ngập nước")
    chosen = await make_report(category, description=SECRET_WORDS + " ở đầu hẻm", lat=10.76, lon=106.68)
    from_photo = await services.submit_report(
        category_id=category["id"], description=SECRET_WORDS + " sau chợ", photos=[jpeg_with_gps()], latitude=None,
        longitude=None, address="Chợ Mỹ Thuận", name=SECRET_NAME,
        phone="09" + "".join(random.choice("0123456789") for _ in range(8)), email=SECRET_EMAIL, consent=True,
        client_ip="10.9.9.9")
    waiting = await make_report(category, description=SECRET_WORDS + " chưa tiếp nhận")
    for report in (chosen, from_photo):
        await services.accept(j.receptionist, report["id"])
    return {"category": category, "chosen": chosen, "from_photo": from_photo, "waiting": waiting}


def _no_private(text: str, phones: list[str]) -> None:
    for private in (SECRET_NAME, SECRET_EMAIL, "Nhà ông Tư", *phones, *PHOTO_GPS):
        assert private not in text, private


async def test_reports_csv_and_geojson_hold_only_the_public_facts(j, client_for):  # type: ignore[no-untyped-def]
    seeded = await _seed(j)
    phones = [seeded["chosen"]["phone"], seeded["waiting"]["phone"]]
    public = await client_for(None, headers={})
    params = {"category": str(seeded["category"]["id"])}

    response = await public.get("/portal/open-data/reports.csv", params=params)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    _no_private(response.text, phones)
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_code = {r["code"]: r for r in rows}
    assert set(by_code) == {seeded["chosen"]["code"], seeded["from_photo"]["code"]}  # not the one still new
    chosen = by_code[seeded["chosen"]["code"]]
    assert (chosen["status"], chosen["category"], chosen["latitude"], chosen["longitude"]) == (
        "accepted", "Ngập nước", "10.76", "106.68")
    assert chosen["unit"] and chosen["due_date"] and chosen["url"].endswith(f"/r/{chosen['code']}")
    photo_row = by_code[seeded["from_photo"]["code"]]
    assert photo_row["latitude"] == photo_row["longitude"] == "" and photo_row["address"] == "Chợ Mỹ Thuận"
    assert set(rows[0]) == {"code", "category_code", "category", "status", "unit", "address", "latitude",
                            "longitude", "received_at", "first_answer_at", "resolved_at", "target_days", "due_date",
                            "working_days", "within_target", "url"}

    geo = await public.get("/portal/open-data/reports.geojson", params=params)
    assert geo.status_code == 200 and geo.headers["content-type"].startswith("application/geo+json")
    _no_private(geo.text, phones)
    collection = json.loads(geo.text)
    assert collection["type"] == "FeatureCollection"
    features = {f["id"]: f for f in collection["features"]}
    assert set(features) == set(by_code)
    assert features[chosen["code"]]["geometry"] == {"type": "Point", "coordinates": [106.68, 10.76]}
    assert features[photo_row["code"]]["geometry"] is None
    assert "latitude" not in features[chosen["code"]]["properties"]


async def test_the_files_are_paged(j, client_for):  # type: ignore[no-untyped-def]
    seeded = await _seed(j)
    public = await client_for(None, headers={})
    first = await public.get("/portal/open-data/reports.csv",
                             params={"category": seeded["category"]["id"], "limit": 1})
    [row] = list(csv.DictReader(io.StringIO(first.text)))
    assert row["code"] == seeded["chosen"]["code"]
    after = first.headers["x-next-after"]
    assert f"after={after}" in first.headers["link"] and 'rel="next"' in first.headers["link"]
    second = await public.get("/portal/open-data/reports.geojson",
                              params={"category": seeded["category"]["id"], "limit": 1, "after": after})
    assert [f["id"] for f in json.loads(second.text)["features"]] == [seeded["from_photo"]["code"]]
    assert "link" not in second.headers


async def test_response_times_csv_and_the_statistics_page_links(j, client_for):  # type: ignore[no-untyped-def]
    seeded = await _seed(j)
    public = await client_for(None, headers={})
    page = await public.get("/portal/stats")
    for link in ("/portal/open-data/reports.csv", "/portal/open-data/reports.geojson",
                 "/portal/open-data/response-times.csv?date_from="):
        assert link in page.text
    assert "Open data" in (await public.get("/portal/stats?lang=en")).text
    response = await public.get("/portal/open-data/response-times.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    _no_private(response.text, [seeded["chosen"]["phone"]])
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["group"] == "overall" and int(rows[0]["count"]) >= 2
    [mine] = [r for r in rows if r["group"] == "category" and r["code"] == seeded["category"]["code"]]
    assert (mine["name"], mine["count"], mine["target_days"]) == ("Ngập nước", "2", "5")


async def test_a_bad_parameter_is_a_clear_400(client_for):  # type: ignore[no-untyped-def]
    public = await client_for(None, headers={})
    cases = [
        ("reports.csv", {"date_from": "2026-13-45"}, "date_from"),
        ("reports.csv", {"date_to": "hôm qua"}, "date_to"),
        ("reports.csv", {"date_from": "2026-05-02", "date_to": "2026-05-01"}, "date_from"),
        ("reports.geojson", {"limit": "abc"}, "limit"),
        ("reports.geojson", {"limit": "0"}, "limit"),
        ("reports.csv", {"limit": "50001"}, "limit"),
        ("reports.csv", {"after": "-1"}, "after"),
        ("reports.csv", {"after": "9" * 40}, "after"),
        ("reports.csv", {"category": "nước"}, "category"),
        ("reports.geojson", {"status": "rejected"}, "status"),
        ("reports.geojson", {"status": "new"}, "status"),
        ("response-times.csv", {"date_to": "0000-01-01"}, "date_to"),
        ("response-times.csv", {"date_from": "2026-02-30"}, "date_from"),
    ]
    for name, params, parameter in cases:
        response = await public.get(f"/portal/open-data/{name}", params=params)
        assert response.status_code == 400, (name, params, response.text[:200])
        body = response.json()
        assert body["error"]["code"] == "invalid_parameter" and body["error"]["details"]["parameter"] == parameter
        assert body["error"]["message"]
