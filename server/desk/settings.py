"""Settings screens: a person's notification settings; the admin's reminder thresholds and e-mail queue."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get, post
from litestar.params import Parameter, PathParameter, QueryParameter
from litestar.response import Redirect, Template

from server.desk.base import DeskController
from server.lib.errors import DomainError, Invalid
from server.lib.guards import actor_of, admin_only
from server.lib.i18n import gettext as _
from server.lib.params import ID_MAX
from server.lib.web import Kept, optional_int, page, read_form, see_other
from server.mail import services as mail
from server.notifications import services

MailId = Annotated[int, PathParameter(gt=0, le=ID_MAX)]
MAIL_STATES = ("queued", "sending", "sent", "uncertain", "failed")
# The kinds a person chooses from, in the order of the settings page.
KIND_GROUPS = (
    ("tasks", ("assigned", "submitted", "returned", "approved", "cancelled", "extension_requested",
               "extension_approved", "extension_rejected", "comment", "chase")),
    ("reminders", ("due_before", "due_today", "overdue", "escalate_head", "escalate_leader", "digest")),
    ("reports", ("report_routed", "report_due_soon", "report_due_today", "report_overdue")),
)


def _settings_page(settings: dict, email_address: str, *, saved: bool = False, error: str | None = None,
                   status_code: int = 200) -> Template:
    return page("settings.html", section="person", settings=settings, kind_groups=KIND_GROUPS,
                email_address=email_address, saved=saved, error=error, status_code=status_code)


class NotificationSettingsDeskController(DeskController):
    path = "/settings/notifications"

    @get("/")
    async def show(self, request: Request, saved: Annotated[bool, QueryParameter()] = False) -> Template:
        actor = actor_of(request)
        return _settings_page(await services.get_person_settings(actor.id),
                              await services.email_address_of(actor.id), saved=saved)

    @post("/")
    async def save(self, request: Request) -> Template | Redirect:
        actor = actor_of(request)
        form = await read_form(request)
        try:
            await services.set_person_settings(
                actor.id, push_kinds=form.all("kinds"), quiet_hours=bool(form.get("quiet_hours")),
                email=bool(form.get("email")),
            )
        except DomainError as error:
            settings = {"push_kinds": form.all("kinds"), "quiet_hours": bool(form.get("quiet_hours")),
                        "email": bool(form.get("email"))}
            return _settings_page(settings, await services.email_address_of(actor.id), error=_(error.message),
                                  status_code=error.status_code)
        return see_other("/settings/notifications", saved="true")


async def _rules_page(request: Request, unit_id: int | None, *, form: Kept | None = None, saved: bool = False,
                      error: str | None = None, status_code: int = 200) -> Template:
    actor = actor_of(request)
    units = await services.jurisdiction_units(actor)
    if unit_id is None and units:
        unit_id = units[0]["id"]
    rules = await services.get_reminder_rules(actor, unit_id)
    if form is None:
        form = Kept({
            "before_days": [", ".join(str(d) for d in rules["before_days"])],
            "head_after": [str(rules["head_after"])],
            "leader_after": [str(rules["leader_after"])],
            "digest_at": [rules["digest_at"]],
        })
    return page("settings.html", section="reminders", rules=rules, units=units, form=form, saved=saved,
                error=error, status_code=status_code)


def _offsets(text: str) -> list[int]:
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    values = [optional_int(part) for part in parts]
    if not values or any(value is None for value in values):
        raise Invalid("reminder_offsets_invalid", "Số ngày nhắc trước hạn phải từ 0 đến 30 (tối đa 5 mốc)")
    return [value for value in values if value is not None]


class AdminNotificationDeskController(DeskController):
    """/admin/reminders: the jurisdiction's thresholds. /admin/mail: the e-mail queue and the local sink."""

    path = "/admin"
    guards = [admin_only]

    @get("/reminders")
    async def reminders(
        self,
        request: Request,
        unit_id: Annotated[int | None, QueryParameter(ge=1, le=ID_MAX)] = None,
        saved: Annotated[bool, QueryParameter()] = False,
    ) -> Template:
        return await _rules_page(request, unit_id, saved=saved)

    @post("/reminders")
    async def save_reminders(self, request: Request) -> Template | Redirect:
        form = await read_form(request)
        unit_id = None
        try:
            unit_id = optional_int(form.get("unit_id"))
            head_after = optional_int(form.get("head_after"))
            leader_after = optional_int(form.get("leader_after"))
            if head_after is None or leader_after is None:
                raise Invalid("escalation_days_invalid", "Số ngày quá hạn để báo cáo cấp trên phải từ 1 đến 60")
            rules = await services.set_reminder_rules(
                actor_of(request), unit_id, before_days=_offsets(form.get("before_days")), head_after=head_after,
                leader_after=leader_after, digest_at=form.get("digest_at"),
            )
        except DomainError as error:
            return await _rules_page(request, unit_id, form=form, error=_(error.message),
                                     status_code=error.status_code)
        return see_other("/admin/reminders", unit_id=rules["unit_id"], saved="true")

    @get("/mail")
    async def mail_list(
        self,
        request: Request,
        mail_state: Annotated[
            str | None, Parameter(query="state", pattern="^(queued|sending|sent|uncertain|failed)$")
        ] = None,
    ) -> Template:
        messages = await mail.list_messages(scope=actor_of(request), state=mail_state, limit=200)
        return page("settings.html", section="mail", messages=messages, state=mail_state, states=MAIL_STATES,
                    smtp=mail.transport.smtp_configured())

    @get("/mail/{mail_id:int}")
    async def mail_one(self, request: Request, mail_id: MailId) -> Template:
        message = await mail.get_message(mail_id, scope=actor_of(request))
        return page("settings.html", section="mail_one", message=message)

    @get("/mail/{mail_id:int}/eml")
    async def mail_file(self, request: Request, mail_id: MailId) -> Response[bytes]:
        data = await mail.sink_bytes(mail_id, scope=actor_of(request))
        return Response(data, media_type="message/rfc822", headers={
            "Content-Disposition": f'attachment; filename="mail-{mail_id}.eml"'})

    @post("/mail/{mail_id:int}/resend")
    async def mail_resend(self, request: Request, mail_id: MailId) -> Redirect:
        await mail.resend(mail_id, scope=actor_of(request))
        return see_other(f"/admin/mail/{mail_id}")
