"""The JSON API under /api/v1: each domain contributes its controllers."""

from __future__ import annotations

from litestar import Router

from server.auth.controllers import AuthApiController
from server.directives.controllers import DirectiveApiController
from server.holidays.controllers import HolidayApiController
from server.kpi.controllers import KpiApiController
from server.media.controllers import AttachmentApiController
from server.notifications.controllers import InboxApiController, NotificationAdminApiController, PushApiController
from server.people.controllers import PeopleApiController
from server.sync.controllers import SyncApiController
from server.tasks.controllers import (
    ApprovalApiController,
    ExtensionApiController,
    SearchApiController,
    TaskApiController,
)
from server.units.controllers import UnitApiController


def api_router() -> Router:
    return Router(
        path="/api/v1",
        route_handlers=[
            AuthApiController,
            UnitApiController,
            PeopleApiController,
            HolidayApiController,
            DirectiveApiController,
            TaskApiController,
            ExtensionApiController,
            ApprovalApiController,
            SearchApiController,
            KpiApiController,
            AttachmentApiController,
            InboxApiController,
            PushApiController,
            NotificationAdminApiController,
            SyncApiController,
        ],
    )
