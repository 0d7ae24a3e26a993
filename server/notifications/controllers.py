"""The inbox, push subscriptions and settings (everyone signed in), and the admin's view of the job queue."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.params import Parameter

from server.lib.errors import NotFound
from server.lib.guards import actor_of, admin_only, api_header_middleware
from server.lib.params import ID_MAX
from server.notifications import jobs, push, services


class SubscriptionKeys(msgspec.Struct):
    p256dh: str
    auth: str


class SubscriptionBody(msgspec.Struct, forbid_unknown_fields=True):
    endpoint: str
    keys: SubscriptionKeys
    expirationTime: int | None = None


class UnsubscribeBody(msgspec.Struct, forbid_unknown_fields=True):
    endpoint: str


class PushSettingsBody(msgspec.Struct, forbid_unknown_fields=True):
    push_kinds: list[str] | None = None
    quiet_hours: bool = True
    email: bool = False


class InboxApiController(Controller):
    path = "/inbox"
    tags = ["inbox"]
    middleware = [api_header_middleware]

    @get("/")
    async def list_inbox(
        self,
        request: Request,
        unread: bool = False,
        limit: int = Parameter(default=50, ge=1, le=200),
        before: int | None = Parameter(default=None, ge=1, le=ID_MAX),
    ) -> dict[str, Any]:
        return await services.inbox(actor_of(request).id, unread_only=unread, limit=limit, before_id=before)

    @post("/{notification_id:int}/read", status_code=200)
    async def mark_read(
        self, request: Request, notification_id: int = Parameter(gt=0, le=ID_MAX)
    ) -> dict[str, Any]:
        return await services.mark_read(actor_of(request).id, notification_id)

    @post("/read-all", status_code=200)
    async def mark_all_read(self, request: Request) -> dict[str, int]:
        return {"marked": await services.mark_all_read(actor_of(request).id)}


class PushApiController(Controller):
    path = "/push"
    tags = ["push"]
    middleware = [api_header_middleware]

    @get("/key")
    async def public_key(self, request: Request) -> dict[str, str]:
        actor_of(request)
        public_key, _ = await push.vapid_keys()
        return {"public_key": public_key}

    @post("/subscriptions", status_code=201)
    async def subscribe(self, request: Request, data: SubscriptionBody) -> dict[str, Any]:
        return await services.subscribe(
            actor_of(request).id, data.endpoint, data.keys.p256dh, data.keys.auth,
            request.headers.get("user-agent", ""),
        )

    @delete("/subscriptions", status_code=200)
    async def unsubscribe(self, request: Request, data: UnsubscribeBody) -> dict[str, bool]:
        if not await services.unsubscribe(actor_of(request).id, data.endpoint):
            raise NotFound("push_subscription_not_found", "Không tìm thấy đăng ký nhận thông báo")
        return {"ok": True}

    @get("/settings")
    async def get_settings(self, request: Request) -> dict[str, Any]:
        return await services.get_person_settings(actor_of(request).id)

    @put("/settings")
    async def put_settings(self, request: Request, data: PushSettingsBody) -> dict[str, Any]:
        return await services.set_person_settings(
            actor_of(request).id, push_kinds=data.push_kinds, quiet_hours=data.quiet_hours, email=data.email
        )


class ReminderRulesBody(msgspec.Struct, forbid_unknown_fields=True):
    before_days: Annotated[list[Annotated[int, msgspec.Meta(ge=0, le=30)]], msgspec.Meta(min_length=1, max_length=5)]
    head_after: Annotated[int, msgspec.Meta(ge=1, le=60)]
    leader_after: Annotated[int, msgspec.Meta(ge=1, le=60)]
    digest_at: Annotated[str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class NotificationAdminApiController(Controller):
    """The admin's side: the job queue, the jurisdiction's reminder rules, and the e-mail queue."""

    path = "/admin"
    tags = ["admin"]
    middleware = [api_header_middleware]
    guards = [admin_only]

    @get("/jobs")
    async def list_jobs(
        self,
        job_state: str | None = Parameter(query="state", default=None, pattern="^(queued|running|done|failed)$"),
        limit: int = Parameter(default=100, ge=1, le=500),
    ) -> list[dict[str, Any]]:
        return await jobs.list_jobs(job_state, limit)

    @post("/jobs/{job_id:int}/retry", status_code=200)
    async def retry(self, job_id: int = Parameter(gt=0, le=ID_MAX)) -> dict[str, bool]:
        if not await jobs.retry(job_id):
            raise NotFound("job_not_found", "Không tìm thấy công việc nền bị lỗi")
        return {"ok": True}

    @get("/reminder-rules")
    async def reminder_rules(
        self, request: Request, unit_id: int | None = Parameter(default=None, gt=0, le=ID_MAX)
    ) -> dict[str, Any]:
        """The reminder thresholds in force for a unit (the admin's own by default)."""
        return await services.get_reminder_rules(actor_of(request), unit_id)

    @put("/reminder-rules/{unit_id:int}")
    async def set_reminder_rules(
        self, request: Request, data: ReminderRulesBody, unit_id: int = Parameter(gt=0, le=ID_MAX)
    ) -> dict[str, Any]:
        return await services.set_reminder_rules(
            actor_of(request), unit_id, before_days=data.before_days, head_after=data.head_after,
            leader_after=data.leader_after, digest_at=data.digest_at,
        )

    @get("/mail")
    async def list_mail(
        self,
        request: Request,
        mail_state: str | None = Parameter(
            query="state", default=None, pattern="^(queued|sending|sent|uncertain|failed)$"
        ),
        limit: int = Parameter(default=100, ge=1, le=500),
    ) -> list[dict[str, Any]]:
        from server.mail import services as mail

        return await mail.list_messages(scope=actor_of(request), state=mail_state, limit=limit)

    @post("/mail/{mail_id:int}/resend", status_code=200)
    async def resend_mail(self, request: Request, mail_id: int = Parameter(gt=0, le=ID_MAX)) -> dict[str, Any]:
        from server.mail import services as mail

        return await mail.resend(mail_id, scope=actor_of(request))

