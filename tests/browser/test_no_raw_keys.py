"""No raw key on any screen (issue 10, point 9): every screen of the desk, the app and the portal, for each role,
in Vietnamese and in English, rendered in Chromium; the visible text (document.body.innerText) must hold no
snake_case token such as `report_routed` or `due_today`, which is what a missing translation looks like.

The commune is built the way a real one is (tests/factories.py) and given one of everything a screen shows: a
directive with its PDF, open, submitted and returned tasks, a split task, a citizen report waiting in triage and
one answered, a voter petition, notices in the inbox.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import BrowserContext, Page, expect

from server.directives import services as directives
from server.lib import clock
from server.tasks import services as tasks
from tests.api.directives.pdf_bytes import pdf_with_text
from tests.browser.conftest import DESK, PHONE
from tests.browser.waits import wait_until
from tests.factories import PASSWORD, make_jurisdiction, make_task
from tests.unit.reports.helpers import make_category, make_report

RAW_KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")
LANGS = ("vi", "en")


@pytest.fixture(autouse=True)
def _patient_expectations() -> Iterator[None]:
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


async def _commune() -> dict[str, Any]:
    """A commune of its own (its reports and notices are not shared with other tests), one of everything."""
    from server.reports.services import accept, record_petition

    j = await make_jurisdiction()
    directive = await directives.create_directive(
        j.leader, number="21/CT-UBND", issued_on=clock.today_vn(), signer=j.leader.full_name,
        issuing_body="UBND xã Hoài Hương", title="Chỉ thị về nạo vét kênh mương", summary="Ra quân nạo vét")
    await directives.attach_file(j.leader, directive["id"], filename="chi-thi.pdf",
                                 data=pdf_with_text("Nạo vét kênh mương"), pdf_only=True)
    task = await make_task(j, title="Nạo vét kênh N2", assignees=[j.officer])
    await tasks.report_progress(j.officer, task["id"], note="Đã nạo vét 200 m", percent=40)
    submitted = await make_task(j, title="Sửa cống ngang đường", assignees=[j.officer])
    await tasks.report_progress(j.officer, submitted["id"], note="Xong", percent=100)
    await tasks.transition(j.officer, submitted["id"], "submit", note="Đề nghị duyệt")
    returned = await make_task(j, title="Phát quang bờ kênh", assignees=[j.officer])
    await tasks.report_progress(j.officer, returned["id"], note="Xong", percent=100)
    await tasks.transition(j.officer, returned["id"], "submit")
    await tasks.transition(j.leader, returned["id"], "return", reason="Thiếu ảnh")
    parent = await make_task(j, title="Tổng vệ sinh môi trường", assignees=[j.head])
    category = await make_category(j, name="Vệ sinh môi trường")
    waiting = await make_report(category, description="Rác thải ùn ứ đầu ngõ 5")
    answered = await make_report(category, description="Đèn đường hỏng ở ngã ba")
    accepted = await accept(j.leader, answered["id"])
    await record_petition(j.receptionist, session="Kỳ họp thứ 9", constituency="Đơn vị bầu cử số 2",
                          deputies="Nguyễn Văn Đại Biểu", voters_group="Thôn Đông", description="Đề nghị làm đường")
    return {"j": j, "directive": directive["id"], "task": task["id"], "submitted": submitted["id"],
            "returned": returned["id"], "parent": parent["id"], "waiting": waiting, "answered": answered,
            "report_task": accepted["task_id"]}


def _desk_paths(c: dict[str, Any]) -> dict[str, list[str]]:
    own = ["/", "/home", "/tasks", "/inbox", "/settings/notifications", "/directives", f"/directives/{c['directive']}"]
    return {
        "leader": [*own, "/tasks/new", f"/tasks/{c['task']}", f"/tasks/{c['submitted']}", f"/tasks/{c['returned']}",
                   f"/tasks/{c['report_task']}", "/approvals", "/directives/new", "/dashboard", "/dashboard/tasks",
                   "/dashboard/people", "/dashboard/directives", "/dashboard/report", "/reports/triage",
                   f"/reports/triage/{c['waiting']['id']}", "/reports/petitions/new", "/tasks/2147483000"],
        "unit_head": [*own, f"/tasks/{c['parent']}", f"/tasks/{c['parent']}/split", f"/tasks/{c['task']}",
                      "/approvals", "/dashboard", "/dashboard/tasks"],
        "officer": [*own, f"/tasks/{c['task']}", f"/tasks/{c['returned']}"],
        "receptionist": [*own, "/reports/triage", f"/reports/triage/{c['waiting']['id']}", "/reports/petitions/new"],
        "admin": [*own, "/admin", "/admin/people", "/admin/units", "/admin/holidays", "/admin/reminders",
                  "/admin/mail", "/reports/admin", "/reports/admin/areas/new"],
        "anonymous": ["/login", "/portal", "/portal/report", "/portal/reports", "/portal/petitions", "/portal/stats",
                      f"/portal/lookup?code={c['answered']['code']}", f"/r/{c['answered']['code']}",
                      f"/r/{c['waiting']['code']}?key={c['waiting']['key']}", "/portal/no-such-page"],
    }


def _app_hashes(c: dict[str, Any]) -> dict[str, list[str]]:
    own = ["#/", "#/outbox", "#/inbox", "#/settings"]
    return {
        "leader": [*own, "#/approvals", "#/unit", f"#/task/{c['submitted']}", f"#/task/{c['returned']}"],
        "unit_head": [*own, "#/approvals", "#/unit", f"#/task/{c['parent']}", f"#/task/{c['parent']}/split",
                      f"#/task/{c['task']}"],
        "officer": [*own, f"#/task/{c['task']}", f"#/task/{c['task']}/report", f"#/task/{c['task']}/extend",
                    f"#/task/{c['returned']}"],
        "receptionist": own,
        "admin": own,
        "anonymous": ["#/login"],
    }


def _people(c: dict[str, Any]) -> dict[str, Any]:
    j = c["j"]
    return {"leader": j.leader, "unit_head": j.head, "officer": j.officer, "receptionist": j.receptionist,
            "admin": j.admin, "anonymous": None}


# Each person signs in once and every later context reuses that session: sign-in is rate-limited per address
# (20 a minute), and a full run's browser tests all come from 127.0.0.1.
_SESSIONS: dict[int, Any] = {}


async def _context(
    new_context: Any, origin: str, person: Any, lang: str, viewport: dict[str, int]
) -> BrowserContext:
    if person is None or person.id not in _SESSIONS:
        context = await new_context(viewport=viewport)
        if person is not None:
            signed = await context.request.post("/api/v1/auth/login", headers={"X-Requested-With": "dieuhanh"},
                                                data={"username": person.username, "password": PASSWORD})
            assert signed.ok, await signed.text()
            _SESSIONS[person.id] = await context.storage_state()
    else:
        context = await new_context(viewport=viewport, storage_state=_SESSIONS[person.id])
    # This walk reads words, not speed: a page slow on a loaded machine (the leader's home counts the month)
    # is waited for, not failed.
    context.set_default_timeout(30_000)
    await context.add_cookies([{"name": "lang", "value": lang, "url": origin}])
    await context.add_init_script(f"try {{ localStorage.setItem('lang', '{lang}'); }} catch (e) {{}}")
    return context


def _raw_keys(text: str) -> list[str]:
    return sorted(set(RAW_KEY.findall(text)))


async def _visible_text(page: Page) -> str:
    return await page.evaluate("document.body ? document.body.innerText : ''")


async def test_no_raw_key_on_any_screen_in_either_language(new_context: Any, server_url: str) -> None:
    c = await _commune()
    people = _people(c)
    desk, app = _desk_paths(c), _app_hashes(c)
    found: list[str] = []
    visited = 0
    for role, person in people.items():
        for lang in LANGS:
            context = await _context(new_context, server_url, person, lang, DESK)
            page = await context.new_page()
            for path in desk[role]:
                response = await page.goto(path)
                assert response is not None and response.status < 500, f"{role} {lang} {path}: {response.status}"
                if person is not None:
                    assert "/login" not in page.url, f"{role} was sent to sign in from {path}"
                visited += 1
                # The screen is in the language asked for (else the English half would check Vietnamese twice).
                # Not checked on a 404 of an address no route matches: that page is rendered before the locale is
                # read, in Vietnamese (a known gap, outside this test's subject).
                if response.status != 404:
                    assert await page.evaluate("document.documentElement.lang") == lang, f"{role} {lang} {path}"
                for key in _raw_keys(await _visible_text(page)):
                    found.append(f"desk {role} {lang} {path}: {key}")
            await context.close()

            context = await _context(new_context, server_url, person, lang, PHONE)
            page = await context.new_page()
            await page.goto("/app/")
            await page.wait_for_selector("body[data-started=yes]", state="attached")
            for route in app[role]:
                await page.evaluate("hash => { location.hash = hash; }", route)
                view = "#/" if route == "#/login" and person is None else route
                if person is not None:
                    await wait_until(page, "hash => document.getElementById('main').dataset.view === hash", view)
                await page.wait_for_load_state("networkidle")
                visited += 1
                assert await page.evaluate("document.documentElement.lang") == lang, f"app {role} {lang} {route}"
                for key in _raw_keys(await _visible_text(page)):
                    found.append(f"app {role} {lang} {route}: {key}")
            await context.close()
    assert visited > 150
    assert not found, "raw keys on screen:\n" + "\n".join(found)


def test_the_check_sees_a_raw_key() -> None:
    assert _raw_keys("Nhận thông báo khi\nreport_due_soon\nĐến hạn hôm nay") == ["report_due_soon"]
    assert _raw_keys("Hạn xử lý: 17/12/2026 · ke-hoach.pdf · PA-7K3M9Q") == []
