"""One valid request per (route, actor, variant): the access matrix sends it as is, the bad-input test spoils it.

A builder makes the objects its case needs (a fresh task for every write, so cases never share state) and
returns the request to send, with the client of the actor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from server.lib import clock
from tests.api.access.world import OWN, World, spare_saturday, split_variant
from tests.factories import PASSWORD, make_unit, unique


@dataclass
class Call:
    method: str
    url: str
    client: httpx.AsyncClient
    json: Any = None
    files: dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    cleanup: Callable[[], Awaitable[None]] | None = None
    # For a batch: the (status, body) of the one change inside a 200 answer, which is what access decides.
    inner: Callable[[httpx.Response], tuple[int, Any]] | None = None


Builder = Callable[[World, str, str], Awaitable[Call]]
BUILDERS: dict[str, Builder] = {}


def builds(route: str) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        BUILDERS[route] = builder
        return builder

    return register


def _route(route: str) -> tuple[str, str]:
    method, path = route.split(" ", 1)
    return method, path


def _simple(route: str, params: dict[str, Any] | None = None) -> None:
    method, path = _route(route)

    async def build(w: World, actor: str, variant: str) -> Call:
        return Call(method, path, w.client(actor), params=dict(params or {}))

    BUILDERS[route] = build


_simple("GET /health")
_simple("GET /api/v1/auth/me")
_simple("GET /api/v1/units")
_simple("GET /api/v1/people", {"q": "nguyen"})
_simple("GET /api/v1/holidays", {"year": 2026})
_simple("GET /api/v1/holidays/working-days", {"start": "2026-02-13", "days": 1})
_simple("GET /api/v1/directives", {"q": "nuoc"})
_simple("GET /api/v1/tasks", {"view": "scope"})
_simple("GET /api/v1/approvals")
_simple("GET /api/v1/search", {"q": "nuoc"})


@builds("POST /api/v1/auth/login")
async def _login(w: World, actor: str, variant: str) -> Call:
    # Signed-in people sign in again on their own client; "anonymous" is a fresh client signing in.
    person = w.person(actor) or w.j.officer2
    client = w.clients.anonymous() if actor == "anonymous" else w.client(actor)
    return Call("POST", "/api/v1/auth/login", client, json={"username": person.username, "password": PASSWORD})


@builds("POST /api/v1/auth/logout")
async def _logout(w: World, actor: str, variant: str) -> Call:
    # A client of its own: signing out must not sign out the shared one.
    return Call("POST", "/api/v1/auth/logout", await w.clients.signed_in(w.person(actor)))


@builds("POST /api/v1/units")
async def _create_unit(w: World, actor: str, variant: str) -> Call:
    body = {"name": "Tổ Thu gom rác", "code": unique("u"), "kind": "subunit", "parent_id": w.j.dept.id}
    return Call("POST", "/api/v1/units", w.client(actor), json=body)


@builds("PATCH /api/v1/units/{unit_id}/parent")
async def _move_unit(w: World, actor: str, variant: str) -> Call:
    place = w.place(variant)
    unit = await make_unit("Tổ Công tác", "subunit", place.unit)
    return Call("PATCH", f"/api/v1/units/{unit.id}/parent", w.client(actor), json={"parent_id": place.j.root.id})


@builds("POST /api/v1/people")
async def _create_person(w: World, actor: str, variant: str) -> Call:
    body = {"username": unique("moi"), "full_name": "Đỗ Văn Mới", "role": "officer", "unit_id": w.j.dept.id,
            "password": "mat-khau-du-dai-1"}
    return Call("POST", "/api/v1/people", w.client(actor), json=body)


@builds("PATCH /api/v1/people/{person_id}")
async def _update_person(w: World, actor: str, variant: str) -> Call:
    person_id = await quick_person(w.place(variant).sub_unit)
    return Call("PATCH", f"/api/v1/people/{person_id}", w.client(actor), json={"role": "unit_head"})


async def quick_person(unit: Any) -> int:
    """A person who never signs in: inserted without the argon2 hash that make_person() spends time on."""
    from server.people.tables import Person

    rows = await Person.insert(
        Person(username=unique("nhanh"), full_name="Mai Văn Sửa", role="officer", unit=unit.id,
               password_hash="$argon2id$not-a-real-hash", search_text="mai van sua", created_at=clock.now())
    ).returning(Person.id)
    return rows[0]["id"]


async def _forget_day(day: dt.date) -> None:
    from server.holidays import services

    if await services._get(day) is not None:
        await services.delete_day(day)


async def _holiday(w: World, actor: str, variant: str, method: str) -> Call:
    from server.holidays import services

    day = spare_saturday()
    if variant == "listed":
        await services.set_day(day, "Ngày nghỉ thử nghiệm", False)
    body = {"name": "Ngày nghỉ bù thử nghiệm"} if method == "PUT" else None
    return Call(method, f"/api/v1/holidays/{day.isoformat()}", w.client(actor), json=body,
                cleanup=lambda: _forget_day(day))


@builds("PUT /api/v1/holidays/{day}")
async def _put_day(w: World, actor: str, variant: str) -> Call:
    return await _holiday(w, actor, variant, "PUT")


@builds("DELETE /api/v1/holidays/{day}")
async def _delete_day(w: World, actor: str, variant: str) -> Call:
    return await _holiday(w, actor, variant, "DELETE")


@builds("POST /api/v1/directives")
async def _create_directive(w: World, actor: str, variant: str) -> Call:
    body = {"number": f"{unique('')}/CT-UBND", "issued_on": str(clock.today_vn()), "signer": "Trần Thị Lãnh Đạo",
            "issuing_body": "UBND xã Hoài Hương", "title": "Chỉ thị về phòng chống hạn hán"}
    return Call("POST", "/api/v1/directives", w.client(actor), json=body)


@builds("GET /api/v1/directives/{directive_id}")
async def _directive(w: World, actor: str, variant: str) -> Call:
    directive = await w.directive(variant)
    return Call("GET", f"/api/v1/directives/{directive['id']}", w.client(actor))


@builds("POST /api/v1/tasks")
async def _create_task(w: World, actor: str, variant: str) -> Call:
    body = {"title": "Nạo vét kênh mương", "lead_unit_id": w.j.dept.id, "assignee_ids": [w.j.officer.id],
            "deadline": str(clock.today_vn() + dt.timedelta(days=10))}
    return Call("POST", "/api/v1/tasks", w.client(actor), json=body)


@builds("GET /api/v1/tasks/{task_id}")
async def _task(w: World, actor: str, variant: str) -> Call:
    task = await w.task(variant, fresh=False)
    return Call("GET", f"/api/v1/tasks/{task['id']}", w.client(actor))


@builds("GET /api/v1/tasks/{task_id}/citizen-photos/{photo_id}/{size}")
async def _citizen_photo(w: World, actor: str, variant: str) -> Call:
    """A photo of the citizen's report the task was made from: seen by whoever sees the task."""
    from server.reports.tables import ReportPhoto
    from server.tasks.tables import Task
    from tests.unit.reports.helpers import make_category, make_report

    task = await w.task(variant, shareable=False)
    report = await make_report(await make_category(w.j))
    photo = await ReportPhoto.select(ReportPhoto.id).where(ReportPhoto.report == report["id"]).first()
    await Task.update({Task.source: "citizen_report", Task.source_ref: report["code"]}).where(Task.id == task["id"])
    return Call("GET", f"/api/v1/tasks/{task['id']}/citizen-photos/{photo['id']}/thumb", w.client(actor))


def _task_write(suffix: str, body: Callable[[World, str, dict[str, Any]], dict[str, Any]]) -> None:
    route = f"POST /api/v1/tasks/{{task_id}}/{suffix}"

    async def build(w: World, actor: str, variant: str) -> Call:
        task = await w.task(*split_variant(variant))
        return Call("POST", f"/api/v1/tasks/{task['id']}/{suffix}", w.client(actor), json=body(w, variant, task))

    BUILDERS[route] = build


_task_write("assignees", lambda w, v, t: {"person_ids": [w.place(v).assignee.id, w.place(v).head.id]})
_task_write("comments", lambda w, v, t: {"note": "Đề nghị phối hợp với thôn 3"})
_task_write("progress", lambda w, v, t: {"note": "Đã lấy 5 mẫu nước", "percent": 40})
_task_write(
    "extensions",
    lambda w, v, t: {"requested_deadline": str(t["deadline"] + dt.timedelta(days=7)), "reason": "Mưa lũ kéo dài"},
)
_task_write(
    "subtasks",
    lambda w, v, t: {"title": "Lấy mẫu nước", "assignee_ids": [w.place(v).assignee.id],
                     "lead_unit_id": w.place(v).sub_unit.id},
)
_task_write(
    "transitions", lambda w, v, t: {"action": "approve"} if v == "own_approve" else {"action": "submit", "note": "Xong"}
)


@builds("POST /api/v1/extensions/{extension_id}/decision")
async def _decide(w: World, actor: str, variant: str) -> Call:
    extension = await w.extension(variant)
    return Call("POST", f"/api/v1/extensions/{extension['id']}/decision", w.client(actor), json={"approve": True})


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf() -> dict[str, Any]:
    return {"data": (f"{unique('cv')}.pdf", PDF + unique("x").encode(), "application/pdf")}


async def _report(w: World, variant: str) -> dict[str, Any]:
    from server.tasks.services import report_progress

    task = await w.task(variant)
    outcome = await report_progress(w.place(variant).assignee, task["id"], note="Ảnh hiện trường", percent=30)
    return {"id": outcome.report_id, "task": task}


@builds("POST /api/v1/directives/{directive_id}/attachments")
async def _attach_to_directive(w: World, actor: str, variant: str) -> Call:
    directive = await w.directive(variant)
    return Call("POST", f"/api/v1/directives/{directive['id']}/attachments", w.client(actor), files=_pdf())


@builds("POST /api/v1/progress/{report_id}/attachments")
async def _attach_to_report(w: World, actor: str, variant: str) -> Call:
    report = await _report(w, variant)
    return Call("POST", f"/api/v1/progress/{report['id']}/attachments", w.client(actor), files=_pdf())


async def attachment_owner(w: World, variant: str) -> tuple[str, int, Any]:
    """(owner kind, owner id, author) of an attachment of a variant: "own_directive" is the leader's directive's,
    any other a progress report's by the place's assignee."""
    if variant == "own_directive":
        return "directive", (await w.directive(OWN))["id"], w.j.leader
    report = await _report(w, variant)
    return "progress_report", report["id"], w.place(variant).assignee


@builds("GET /api/v1/attachments/{attachment_id}")
async def _attachment(w: World, actor: str, variant: str) -> Call:
    from server.media.services import attach

    key = ("attachment", variant)
    if key not in w.cache:
        owner_kind, owner_id, author = await attachment_owner(w, variant)
        _, data, _ = _pdf()["data"]
        w.cache[key] = await attach(owner_kind=owner_kind, owner_id=owner_id, filename="bien-ban.pdf", data=data,
                                    actor_id=author.id)
    return Call("GET", f"/api/v1/attachments/{w.cache[key]['id']}", w.client(actor))


def _figures(path: str) -> None:
    async def build(w: World, actor: str, variant: str) -> Call:
        today = clock.today_vn()
        params: dict[str, Any] = {"start": str(today - dt.timedelta(days=30)),
                                  "end": str(today + dt.timedelta(days=30))}
        if variant != "-":
            params["unit_id"] = w.place(variant).unit.id
        return Call("GET", path, w.client(actor), params=params)

    BUILDERS[f"GET {path}"] = build


_figures("/api/v1/kpi")
_figures("/api/v1/dashboard")
_figures("/api/v1/dashboard/tasks")
_figures("/api/v1/forecast/at-risk")


@builds("GET /api/v1/forecast/tasks/{task_id}")
async def _task_risk(w: World, actor: str, variant: str) -> Call:
    task = await w.task(variant, fresh=False)
    return Call("GET", f"/api/v1/forecast/tasks/{task['id']}", w.client(actor))


_simple("GET /api/v1/inbox")
_simple("POST /api/v1/inbox/read-all")
_simple("GET /api/v1/push/key")
_simple("GET /api/v1/push/settings")
_simple("GET /api/v1/admin/jobs", {"state": "failed"})


def _owner(w: World, actor: str, variant: str) -> Any:
    """The person an "own" object belongs to (the actor; j's officer for anonymous), or one in the other commune."""
    if variant == OWN:
        return w.person(actor) or w.j.officer
    return w.j2.officer


@builds("POST /api/v1/inbox/{notification_id}/read")
async def _read_notification(w: World, actor: str, variant: str) -> Call:
    from server.notifications.services import notify

    notification_id = await notify(_owner(w, actor, variant).id, "comment", "Có ý kiến mới về nhiệm vụ")
    return Call("POST", f"/api/v1/inbox/{notification_id}/read", w.client(actor))


@builds("PUT /api/v1/push/settings")
async def _push_settings(w: World, actor: str, variant: str) -> Call:
    return Call("PUT", "/api/v1/push/settings", w.client(actor), json={"quiet_hours": False, "email": False})


def subscription() -> dict[str, Any]:
    """A browser's push subscription: an endpoint and its keys (65-byte P-256 point, 16-byte secret, base64url)."""
    import base64

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    return {"endpoint": f"http://127.0.0.1:9/push/{unique('s')}",
            "keys": {"p256dh": b64(b"\x04" + bytes(range(64))), "auth": b64(bytes(range(16)))}}


@builds("POST /api/v1/push/subscriptions")
async def _subscribe(w: World, actor: str, variant: str) -> Call:
    return Call("POST", "/api/v1/push/subscriptions", w.client(actor), json=subscription())


@builds("DELETE /api/v1/push/subscriptions")
async def _unsubscribe(w: World, actor: str, variant: str) -> Call:
    from server.notifications.services import subscribe

    body = subscription()
    await subscribe(_owner(w, actor, variant).id, body["endpoint"], body["keys"]["p256dh"], body["keys"]["auth"])
    return Call("DELETE", "/api/v1/push/subscriptions", w.client(actor), json={"endpoint": body["endpoint"]})


@builds("POST /api/v1/admin/jobs/{job_id}/retry")
async def _retry_job(w: World, actor: str, variant: str) -> Call:
    from server.notifications import jobs
    from server.notifications.tables import Job

    job_id = await jobs.enqueue("email", {"to": "nobody"}, run_at=clock.now() + dt.timedelta(days=3650),
                                dedupe_key=unique("access-"))
    if variant == "failed":
        await Job.update({Job.state: "failed", Job.last_error: "thử nghiệm"}).where(Job.id == job_id)
    return Call("POST", f"/api/v1/admin/jobs/{job_id}/retry", w.client(actor))


def first_change(response: httpx.Response) -> tuple[int, Any]:
    result = response.json()["results"][0]
    return result["status"], result["body"]


@builds("POST /api/v1/sync")
async def _sync(w: World, actor: str, variant: str) -> Call:
    import uuid

    task = await w.task(*split_variant(variant))
    change = {"id": str(uuid.uuid4()), "kind": "progress", "task_id": task["id"],
              "body": {"note": "Gửi từ hộp thư đi", "percent": 20}}
    return Call("POST", "/api/v1/sync", w.client(actor), json={"changes": [change]}, inner=first_change)


_simple("GET /api/v1/sync/tasks")
