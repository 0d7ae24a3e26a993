"""Open311 GeoReport v2: every endpoint in JSON and XML, errors, windows, and no reporter data in any GET."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import re
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from server.reports import admin, open311, services
from server.reports.tables import Open311Key, Report
from server.settings import get_settings
from tests.unit.reports.helpers import SECRET_EMAIL, SECRET_NAME, make_category, make_report

BASE = "/open311/v2"
ISO_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


async def test_open311_endpoints_in_both_formats(client_for: Any, j: Any) -> None:
    category = await make_category(j, target_days=7, name="Vệ sinh môi trường")
    key = await admin.create_key(None, "Ứng dụng thử")
    demo = await admin.ensure_demo_open311_key()
    assert demo == await admin.ensure_demo_open311_key()  # kept beside the data, printed by every `make run`
    assert await admin.key_id_for(demo) is not None
    # Its file gone (or a database copied elsewhere): a new random key; the one printed before stops working.
    (get_settings().data_dir / admin.DEMO_KEY_FILE).unlink()
    renewed = await admin.ensure_demo_open311_key()
    assert renewed != demo and await admin.key_id_for(demo) is None and await admin.key_id_for(renewed) is not None
    client = await client_for(None, headers={})

    for fmt in ("json", "xml"):
        discovery = await client.get(f"{BASE}/discovery.{fmt}")
        assert discovery.status_code == 200
        if fmt == "json":
            assert discovery.json()["endpoints"][0]["formats"] == ["text/xml", "application/json"]
        else:
            root = ET.fromstring(discovery.content)
            assert root.tag == "discovery" and root.find("endpoints/endpoint/url") is not None

        listing = await client.get(f"{BASE}/services.{fmt}")
        assert listing.status_code == 200
        if fmt == "json":
            service = next(s for s in listing.json() if s["service_code"] == category["code"])
            assert service == {"service_code": category["code"], "service_name": "Vệ sinh môi trường",
                               "description": "Nước máy, đường ống", "metadata": False, "type": "realtime",
                               "keywords": "7 ngày làm việc", "group": ""}
        else:
            codes = [e.text for e in ET.fromstring(listing.content).findall("service/service_code")]
            assert category["code"] in codes
            assert "charset=utf-8" in listing.headers["content-type"]

        definition = await client.get(f"{BASE}/services/{category['code']}.{fmt}")
        assert definition.status_code == 200
        missing = await client.get(f"{BASE}/services/nope.{fmt}")
        assert missing.status_code == 404

        created = await client.post(f"{BASE}/requests.{fmt}", data={
            "api_key": key, "service_code": category["code"], "lat": "10.76", "long": "106.66",
            "description": f"Rác thải đổ trộm bên kênh ({fmt})", "first_name": SECRET_NAME, "email": SECRET_EMAIL,
            "phone": "0933000111"})
        assert created.status_code == 201, created.text
        if fmt == "json":
            code = created.json()[0]["service_request_id"]
            assert "token" not in created.json()[0]  # a realtime service answers its id, never both
        else:
            code = ET.fromstring(created.content).find("request/service_request_id").text
        assert services.CODE_RE.match(code)

        token = await client.get(f"{BASE}/tokens/{code}.{fmt}")
        assert token.status_code == 200 and code in token.text

        one = await client.get(f"{BASE}/requests/{code}.{fmt}")
        assert one.status_code == 200
        if fmt == "json":
            item = one.json()[0]
            assert item["status"] == "open" and item["service_code"] == category["code"]
            assert ISO_OFFSET.match(item["requested_datetime"]) and item["requested_datetime"].endswith("+07:00")
            assert ISO_OFFSET.match(item["expected_datetime"])
        else:
            assert ET.fromstring(one.content).find("request/status").text == "open"
        for body in (one.content, token.content):
            for secret in (SECRET_NAME, SECRET_EMAIL, "0933000111"):
                assert secret.encode() not in body

    # Errors: a list of {code, description}, in the asked format.
    bad_key = await client.post(f"{BASE}/requests.json", data={"api_key": "wrong", "service_code": category["code"],
                                                              "lat": "10", "long": "106", "description": "x" * 20})
    assert bad_key.status_code == 403
    assert bad_key.json()[0]["code"] == 403 and bad_key.json()[0]["description"]
    no_place = await client.post(f"{BASE}/requests.xml?api_key={key}",
                                 data={"service_code": category["code"], "description": "Không có vị trí ở đây"})
    assert no_place.status_code == 400
    assert ET.fromstring(no_place.content).find("error/code").text == "400"
    wrong_jurisdiction = await client.get(f"{BASE}/services.json?jurisdiction_id=elsewhere.example")
    assert wrong_jurisdiction.status_code == 404 and wrong_jurisdiction.json()[0]["code"] == 404
    assert (await client.get(f"{BASE}/services.yaml")).status_code == 404
    # The jurisdiction id is the BASE_URL's host; in the query string with the key, as the spec allows.
    via_query = await client.post(
        f"{BASE}/requests.json?api_key={key}&jurisdiction_id={open311.jurisdiction_id()}", data={
            "service_code": category["code"], "address_string": "Chợ Bình Tây", "description": "Ngập nước sau mưa"})
    assert via_query.status_code in (201, 404)
    assert via_query.status_code == 201, via_query.text


async def test_requests_list_window_filters_and_privacy(client_for: Any, j: Any) -> None:
    category = await make_category(j)
    recent = await make_report(category)
    old = await make_report(category)
    await services.accept(j.receptionist, recent["id"])
    await services.accept(j.receptionist, old["id"])
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=120)
    await Report.update({Report.received_at: long_ago}).where(Report.id == old["id"])
    client = await client_for(None, headers={})

    listed = (await client.get(f"{BASE}/requests.json", params={"service_code": category["code"]})).json()
    codes = [item["service_request_id"] for item in listed]
    assert recent["code"] in codes and old["code"] not in codes  # default 90-day window
    # A window of at most 90 days, as the specification allows, can reach back to the old report.
    windowed = (await client.get(f"{BASE}/requests.json", params={
        "service_code": category["code"], "start_date": (long_ago - dt.timedelta(days=1)).isoformat(),
        "end_date": (long_ago + dt.timedelta(days=1)).isoformat()})).json()
    assert old["code"] in {item["service_request_id"] for item in windowed}
    closed = (await client.get(f"{BASE}/requests.json", params={"service_code": category["code"],
                                                                "status": "closed"})).json()
    assert closed == []
    by_ids = (await client.get(f"{BASE}/requests.json",
                               params={"service_request_id": f"{recent['code']},{old['code']}"})).json()
    assert len(by_ids) == 2
    xml = await client.get(f"{BASE}/requests.xml", params={"service_code": category["code"]})
    root = ET.fromstring(xml.content)
    assert root.tag == "service_requests" and root.find("request/agency_responsible").text == j.dept.name
    media = listed[0]["media_url"]
    assert media.endswith(".webp")
    bad = await client.get(f"{BASE}/requests.json", params={"start_date": "yesterday"})
    assert bad.status_code == 400
    for body in (xml.content, (await client.get(f"{BASE}/requests.json")).content):
        for secret in (SECRET_NAME, SECRET_EMAIL, recent["phone"], old["phone"]):
            assert secret.encode() not in body
    assert len((await client.get(f"{BASE}/requests.json")).json()) <= 1000


async def test_media_url_posted_stored_returned_and_never_fetched(client_for: Any, j: Any) -> None:
    """media_url: accepted on POST (http/https, length-limited, no credentials), returned in GET as given, in
    JSON and XML; a report with photos gets the portal's public copy, which carries no metadata."""
    import httpx

    from tests.unit.reports.helpers import has_metadata

    category = await make_category(j)
    key = await admin.create_key(None, "Ứng dụng ảnh")
    client = await client_for(None, headers={})
    # An address only this test uses: a server that fetched it would be seen by this transport's log.
    link = "https://anh.example.net/bao-cao/IMG_1234.jpg?v=2"
    fetched: list[str] = []
    original_send = httpx.AsyncClient.send

    async def spy(self: Any, request: httpx.Request, *args: Any, **kwargs: Any) -> httpx.Response:
        fetched.append(str(request.url))
        return await original_send(self, request, *args, **kwargs)

    httpx.AsyncClient.send = spy  # type: ignore[method-assign]
    try:
        codes = {}
        for fmt in ("json", "xml"):
            created = await client.post(f"{BASE}/requests.{fmt}", data={
                "api_key": key, "service_code": category["code"], "lat": "10.7601", "long": "106.6602",
                "description": f"Cây đổ chắn ngang đường ({fmt})", "media_url": link, "first_name": SECRET_NAME})
            assert created.status_code == 201, created.text
            codes[fmt] = (created.json()[0]["service_request_id"] if fmt == "json"
                          else ET.fromstring(created.content).find("request/service_request_id").text)
    finally:
        httpx.AsyncClient.send = original_send  # type: ignore[method-assign]
    assert not [u for u in fetched if "anh.example.net" in u]

    for code in codes.values():
        stored = await Report.select(Report.media_url).where(Report.code == code).first()
        assert stored["media_url"] == link
        one = await client.get(f"{BASE}/requests/{code}.json")
        assert one.json()[0]["media_url"] == link
        xml = await client.get(f"{BASE}/requests/{code}.xml")
        assert ET.fromstring(xml.content).find("request/media_url").text == link
        assert SECRET_NAME.encode() not in one.content and SECRET_NAME.encode() not in xml.content

    # Refused, each as a 400 with a list of errors, and nothing written.
    before = await Report.count()
    for bad in ("ftp://anh.example.net/a.jpg", "javascript:alert(1)", "https://ai:matkhau@anh.example.net/a.jpg",
                "https://anh.example.net/" + "a" * 2100, "http://"):
        for fmt in ("json", "xml"):
            refused = await client.post(f"{BASE}/requests.{fmt}", data={
                "api_key": key, "service_code": category["code"], "lat": "10.76", "long": "106.66",
                "description": "Đèn đường không sáng", "media_url": bad})
            assert refused.status_code == 400, (bad, refused.text)
            if fmt == "json":
                assert refused.json()[0]["code"] == 400 and "media_url" in refused.json()[0]["description"]
            else:
                assert ET.fromstring(refused.content).find("error/code").text == "400"
    assert await Report.count() == before

    # A report sent through the portal with a photo: media_url is the portal's own public copy, bare.
    with_photo = await make_report(category)
    await services.accept(j.receptionist, with_photo["id"])
    for fmt in ("json", "xml"):
        response = await client.get(f"{BASE}/requests/{with_photo['code']}.{fmt}")
        url = (response.json()[0]["media_url"] if fmt == "json"
               else ET.fromstring(response.content).find("request/media_url").text)
        assert url.startswith("http://") and url.endswith(".webp") and f"/r/{with_photo['code']}/photos/" in url
        image = await client.get(urlsplit(url).path)
        assert image.status_code == 200 and image.headers["content-type"] == "image/webp"
        assert not has_metadata(image.content) and b"GPSInfo" not in image.content
        for secret in (SECRET_NAME, SECRET_EMAIL, with_photo["phone"]):
            assert secret.encode() not in response.content and secret.encode() not in image.content


async def test_api_keys_are_kept_only_as_digests(client_for: Any, j: Any) -> None:
    """A copy of the database must not let anyone post as an integrator: the key works, its stored value does
    not, a revoked key stops at once, and keys issued before hashing are hashed in place and keep working."""
    category = await make_category(j, target_days=3, name="Chiếu sáng công cộng")
    key = await admin.create_key(None, "Cổng tỉnh")
    stored = await Open311Key.select().where(Open311Key.name == "Cổng tỉnh").first()
    assert key not in str(stored) and stored["key"] == hashlib.sha256(key.encode()).hexdigest()
    assert stored["key_prefix"] == key[:4]
    client = await client_for(None, headers={})

    def post(api_key: str) -> Any:
        return client.post(f"{BASE}/requests.json", data={
            "api_key": api_key, "service_code": category["code"], "description": "Đèn đường hỏng ở ngõ 5",
            "lat": "10.76", "long": "106.70"})

    assert (await post(key)).status_code == 201
    assert (await post(stored["key"])).status_code == 403
    await admin.set_key_active(None, stored["id"], False)
    assert (await post(key)).status_code == 403

    # A key from before: stored as issued, hashed by the migration, and still accepted.
    await Open311Key.insert(Open311Key(key="cu-khoa-truoc-khi-bam", key_prefix="", name="Cũ",
                                       created_at=dt.datetime.now(dt.UTC)))
    migration = importlib.import_module("server.reports.piccolo_migrations.reports_2026_11_22t11_09_21_000000")
    manager = await migration.forwards()
    for step in manager.raw:
        await step()
    old = await Open311Key.select().where(Open311Key.name == "Cũ").first()
    assert old["key"] != "cu-khoa-truoc-khi-bam" and old["key_prefix"] == "cu-k"
    assert (await post("cu-khoa-truoc-khi-bam")).status_code == 201
