"""The admin's page of machine keys: make one (shown once, on that page only), see it listed, revoke it."""

from __future__ import annotations

import re

from tests.factories import unique

TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')
NEW_KEY = re.compile(r'<code id="new-key-value">([^<]+)</code>')


async def test_the_admin_makes_sees_and_revokes_a_key_on_the_desk(j, client_for) -> None:
    desk = await client_for(j.admin, headers={})
    page = await desk.get("/admin/machine-keys/")
    assert page.status_code == 200 and "Khoá API cho hệ thống khác" in page.text
    assert 'href="/admin/machine-keys/"' in (await desk.get("/admin/units")).text  # in the admin's tabs
    csrf = TOKEN.search(page.text).group(1)
    name = unique("E-office ")
    made = await desk.post("/admin/machine-keys/", data={
        "_csrf_token": csrf, "name": name, "scopes": ["directives:write", "tasks:read"], "unit_id": str(j.dept.id),
        "rate_per_minute": "30"})
    assert made.status_code == 201, made.text[:500]
    key = NEW_KEY.search(made.text).group(1)
    assert key.startswith("dh_")
    listed = await desk.get("/admin/machine-keys/")
    assert name in listed.text and key not in listed.text and key[:8] in listed.text
    key_id = re.search(r'data-key="(\d+)"', listed.text[listed.text.index(name) - 200:]).group(1)

    system = await client_for(None, headers={"Authorization": f"Bearer {key}"})
    assert (await system.get("/api/v1/import/directives/2147483647")).status_code == 404  # the key works
    revoked = await desk.post(f"/admin/machine-keys/{key_id}/revoke", data={"_csrf_token": csrf})
    assert revoked.status_code == 303
    assert "Đã thu hồi" in (await desk.get(revoked.headers["location"])).text
    assert (await system.get("/api/v1/import/directives/2147483647")).status_code == 401

    refused = await desk.post("/admin/machine-keys/", data={"_csrf_token": csrf, "name": "x", "scopes": []})
    assert refused.status_code == 422 and "Cần chọn ít nhất một quyền" in refused.text


async def test_only_the_admin_has_the_page(j, client_for) -> None:
    for person in (j.leader, j.head, j.officer):
        desk = await client_for(person, headers={})
        assert (await desk.get("/admin/machine-keys/")).status_code == 403
