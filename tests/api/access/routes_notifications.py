"""The access matrix rows of the notifications admin routes: each jurisdiction's reminder rules and the e-mail
queue (server/notifications/controllers.py, NotificationAdminApiController).

Both are the admin's: "own" is the admin's own jurisdiction (its root unit; a message to one of its officers),
"other_jurisdiction" a second commune's, which its admin must not even see (404, never 403).
"""

from __future__ import annotations

from tests.api.access.requests import Call, builds
from tests.api.access.statuses import only
from tests.api.access.world import OTHER_JURISDICTION, OWN, World
from tests.factories import unique

EXPECTED = {
    "GET /api/v1/admin/reminder-rules": {"-": only(200, "admin")},
    "PUT /api/v1/admin/reminder-rules/{unit_id}": {
        OWN: only(200, "admin"),
        OTHER_JURISDICTION: only(404, "admin"),
    },
    "GET /api/v1/admin/mail": {"-": only(200, "admin")},
    "POST /api/v1/admin/mail/{mail_id}/resend": {
        OWN: only(200, "admin"),
        OTHER_JURISDICTION: only(404, "admin"),
    },
}


@builds("GET /api/v1/admin/reminder-rules")
async def _rules(w: World, actor: str, variant: str) -> Call:
    return Call("GET", "/api/v1/admin/reminder-rules", w.client(actor))


@builds("PUT /api/v1/admin/reminder-rules/{unit_id}")
async def _set_rules(w: World, actor: str, variant: str) -> Call:
    unit = w.j.root if variant == OWN else w.j2.root
    # The defaults again, so the rows of other tests' jurisdictions keep the thresholds they expect.
    return Call("PUT", f"/api/v1/admin/reminder-rules/{unit.id}", w.client(actor),
                json={"before_days": [3, 1, 0], "head_after": 1, "leader_after": 3, "digest_at": "07:30"})


@builds("GET /api/v1/admin/mail")
async def _mail(w: World, actor: str, variant: str) -> Call:
    return Call("GET", "/api/v1/admin/mail", w.client(actor), params={"state": "failed"})


@builds("POST /api/v1/admin/mail/{mail_id}/resend")
async def _resend(w: World, actor: str, variant: str) -> Call:
    from server.mail import services
    from server.mail.tables import MailMessage

    person = w.j.officer if variant == OWN else w.j2.officer
    mail_id = await services.queue(to_address=f"{unique('access')}@example.vn", subject="Thử", text_body="x",
                                   person_id=person.id)
    await MailMessage.update({MailMessage.state: "failed", MailMessage.last_error: "thử nghiệm"}).where(
        MailMessage.id == mail_id)
    return Call("POST", f"/api/v1/admin/mail/{mail_id}/resend", w.client(actor))
