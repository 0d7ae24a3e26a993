"""The delivery log says why a delivery failed in the admin's language: a code and its facts are stored
(server/webhooks/failures.py) and worded by the page, Vietnamese first, English with ?lang=en; a row written
before the codes still shows its text."""

from __future__ import annotations

import html
import re
from typing import Any

from server.lib import clock
from server.webhooks import failures
from server.webhooks.tables import WebhookDelivery
from tests.api.webhooks.helpers import drain, subscribe
from tests.factories import make_task

VIETNAMESE = re.compile(r"[ạảãàáâầấậẩẫăằắặẳẵđêềếệểễôồốộổỗơờớợởỡưừứựửữíìỉĩịúùủũụýỳỷỹỵóòỏõọéèẻẽẹ]", re.I)


def _cell(page: str, delivery_id: int) -> str:
    """The text of the log's error cell of one delivery (tags dropped, entities read)."""
    row = page[page.index(f'data-delivery="{delivery_id}"'):]
    row = row[:row.index("</tr>")]
    cell = re.findall(r"<td data-error=[^>]*>(.*?)</td>", row, re.S)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())


async def test_a_failed_delivery_is_explained_in_vietnamese_and_in_english(  # type: ignore[no-untyped-def]
        j, client_for, receiver, cleanup_subscriptions, monkeypatch):
    monkeypatch.setenv("WEBHOOK_MAX_ATTEMPTS", "1")
    receiver.answers["/hooks/broken"] = [503]
    admin = await client_for(j.admin)
    sub = await subscribe(admin, f"{receiver.origin}/hooks/broken", ["task.assigned"], cleanup_subscriptions)
    await make_task(j, assignees=[j.head])
    await drain()
    [row] = await WebhookDelivery.select().where(WebhookDelivery.subscription == sub["id"])
    assert row["state"] == "failed" and failures.decode(row["error"]) == ("http_status",
                                                                          {"status": 503, "gave_up_after": 1})
    desk = await client_for(j.admin, headers={})
    vi = _cell((await desk.get(f"/admin/webhooks/?subscription={sub['id']}")).text, row["id"])
    assert vi == "Máy nhận trả lời lỗi HTTP 503 · đã dừng ở lần thử thứ 1"
    en = _cell((await desk.get(f"/admin/webhooks/?subscription={sub['id']}&lang=en")).text, row["id"])
    assert en == "The receiver answered with HTTP error 503 · gave up at attempt 1"
    # The API gives the code and its facts, the same in every language.
    [logged] = (await admin.get("/api/v1/webhooks/deliveries", params={"subscription_id": sub["id"]})).json()
    assert (logged["error"], logged["error_detail"]) == ("http_status", {"status": 503, "gave_up_after": 1})


async def test_every_failure_is_worded_and_an_old_row_keeps_its_text(  # type: ignore[no-untyped-def]
        j, client_for, receiver, cleanup_subscriptions):
    admin = await client_for(j.admin)
    sub = await subscribe(admin, f"{receiver.origin}/hooks/words", ["task.assigned"], cleanup_subscriptions)
    stored = {
        failures.SUBSCRIPTION_DISABLED: failures.encode(failures.SUBSCRIPTION_DISABLED),
        failures.HOST_UNRESOLVED: failures.encode(failures.HOST_UNRESOLVED, host="eoffice.example.gov.vn"),
        failures.ADDRESS_REFUSED: failures.encode(failures.ADDRESS_REFUSED, host="intranet", address="10.0.0.5"),
        failures.URL_INVALID: failures.encode(failures.URL_INVALID),
        failures.SCHEME: failures.encode(failures.SCHEME),
        failures.TIMEOUT: failures.encode(failures.TIMEOUT, exception="ReadTimeout", gave_up_after=8),
        failures.NETWORK: failures.encode(failures.NETWORK, exception="ConnectError", detail="[Errno 111] refused"),
        failures.REDIRECT: failures.encode(failures.REDIRECT, status=301, location="https://elsewhere.example/"),
        failures.HTTP_STATUS: failures.encode(failures.HTTP_STATUS, status=404),
        "old": "HTTP 500 (gave up after 8 attempts)",  # written before the codes
    }
    ids = {}
    for n, (name, error) in enumerate(stored.items()):
        rows = await WebhookDelivery.insert(WebhookDelivery(
            subscription=sub["id"], event_id=f"evt_words_{n}", event_type="task.assigned",
            event_key=f"{sub['id']}:words:{n}", state="failed", attempts=1, error=error, created_at=clock.now(),
        )).returning(WebhookDelivery.id)
        ids[name] = rows[0]["id"]
    desk = await client_for(j.admin, headers={})
    pages = {lang: (await desk.get(f"/admin/webhooks/?subscription={sub['id']}{suffix}")).text
             for lang, suffix in (("vi", ""), ("en", "&lang=en"))}
    cells: dict[str, dict[str, Any]] = {lang: {name: _cell(page, ids[name]) for name in ids}
                                        for lang, page in pages.items()}
    assert cells["vi"]["old"] == cells["en"]["old"] == "HTTP 500 (gave up after 8 attempts)"
    for name in stored:
        if name == "old":
            continue
        vi, en = cells["vi"][name], cells["en"][name]
        raw_code = re.compile(rf"\b{name}\b")  # worded, never the code itself
        assert vi and en and vi != en and not raw_code.search(vi) and not raw_code.search(en), (name, vi, en)
        assert not VIETNAMESE.search(en), (name, en)
    assert "10.0.0.5" in cells["vi"][failures.ADDRESS_REFUSED] and "intranet" in cells["en"][failures.ADDRESS_REFUSED]
    assert cells["vi"][failures.NETWORK] == ("Không kết nối được đến máy nhận Chi tiết kỹ thuật"
                                             " ConnectError: [Errno 111] refused")
    assert cells["en"][failures.TIMEOUT] == ("The receiver did not answer in time · gave up at attempt 8"
                                             " Technical details ReadTimeout")
    assert "https://elsewhere.example/" in cells["en"][failures.REDIRECT] and "301" in cells["vi"][failures.REDIRECT]
