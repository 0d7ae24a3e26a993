"""The receptionist's morning in headless Chromium, at the desk (1280 wide) and on a phone (390×844): she lands
on the queue, accepts a report to the unit the rules name, merges a duplicate in one tap, rejects spam in bulk."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.reports.tables import Report
from tests.browser.conftest import DESK, PHONE, sign_in
from tests.factories import make_jurisdiction
from tests.unit.reports.helpers import make_category, make_report

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")


@pytest.fixture(autouse=True)
def _shots_dir() -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
async def test_receptionist_triages_a_morning(new_context, viewport) -> None:  # type: ignore[no-untyped-def]
    name = "desk" if viewport is DESK else "phone"
    j = await make_jurisdiction()
    category = await make_category(j, unit=j.dept, name="Chiếu sáng công cộng")
    original = await make_report(category, description="Đèn đường trước chợ Hoài Hương bị tắt ba đêm liền")
    duplicate = await make_report(category, lat=10.75312, lon=106.67021,
                                  description="Đèn đường ở chợ không sáng, tối om rất nguy hiểm")
    spam = [await make_report(category, lat=12.0 + i, lon=108.0, description=f"Mua bán sim số đẹp giá rẻ {i}")
            for i in range(2)]
    queue = f"/reports/triage?category={category['id']}"
    context = await new_context(viewport=viewport)
    await context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page = await sign_in(context, j.receptionist, queue)
    # Her home is the queue, and the menu names it with its count.
    await page.goto("/")
    await page.wait_for_url("**/reports/triage")
    nav = page.locator("nav.main a[href='/reports/triage']")
    assert await nav.is_visible() and any(ch.isdigit() for ch in await nav.inner_text())
    await page.goto(queue)
    widths = await page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"no sideways scrolling: {widths}"
    await page.screenshot(path=str(SHOTS / f"triage-{name}.png"), full_page=True)

    # The report's own page has the same actions, the reporter's contact, the photos and the map.
    await page.goto(f"/reports/triage/{spam[0]['id']}")
    own = page.locator(f"#report-{spam[0]['id']}")
    assert await own.get_by_role("button", name="Tiếp nhận").is_visible()
    assert await own.get_by_text(spam[0]["phone"]).count() == 1
    await page.screenshot(path=str(SHOTS / f"report-{name}.png"), full_page=True)
    await page.goto(queue)

    # 1. Accept by rule: the unit is named before the tap.
    card = page.locator(f"#report-{original['id']}")
    assert j.dept.name in await card.locator(".rule").inner_text()
    await card.get_by_role("button", name="Tiếp nhận").click()
    await page.wait_for_url("**ok=accept**")
    assert await page.locator(f"#report-{original['id']}").count() == 0
    accepted = await Report.select(Report.status, Report.unit).where(Report.id == original["id"]).first()
    assert accepted == {"status": "accepted", "unit": j.dept.id}

    # 2. The duplicate, in one tap on the suggestion.
    card = page.locator(f"#report-{duplicate['id']}")
    await card.get_by_role("button", name=f"Trùng với {original['code']}").click()
    await page.wait_for_url("**ok=merge**")
    merged = await Report.select(Report.status, Report.duplicate_of).where(Report.id == duplicate["id"]).first()
    assert merged == {"status": "duplicate", "duplicate_of": original["id"]}

    # 3. Spam in bulk: tick, one reason, one tap.
    for report in spam:
        await page.locator(f"#report-{report['id']} input[type=checkbox]").check()
    bulk = page.locator("form#bulk")
    assert await bulk.is_visible(), "the bulk form comes with the first tick"
    await page.screenshot(path=str(SHOTS / f"triage-{name}-ticked.png"))
    await bulk.get_by_label("Lý do công khai").fill("Quảng cáo, không phải phản ánh")
    await bulk.get_by_role("button", name="Từ chối các phản ánh đã chọn").click()
    await page.wait_for_url("**ok=bulk**")
    assert "Đã từ chối 2 phản ánh" in await page.locator(".notice").inner_text()
    statuses = {r["status"] for r in await Report.select(Report.status).where(
        Report.id.is_in([s["id"] for s in spam]))}
    assert statuses == {"rejected"}
    assert "Không có phản ánh mới" in await page.inner_text("main")
    assert "category=" in page.url, "the queue keeps its filter after each decision"
    await page.screenshot(path=str(SHOTS / f"triage-{name}-done.png"), full_page=True)


async def test_leader_lands_on_approvals_and_figures(new_context) -> None:  # type: ignore[no-untyped-def]
    j = await make_jurisdiction()
    context = await new_context(viewport=PHONE)
    page = await sign_in(context, j.leader, "/home")
    assert await page.locator("#approvals-total").inner_text() == "0"
    assert await page.locator("#home-figures").is_visible()
    assert await page.locator("nav.main a[href='/approvals']").is_visible()
    await page.screenshot(path=str(SHOTS / "home-leader-phone.png"), full_page=True)
