"""The desk screens (server-rendered): login, my tasks, task detail, directives, approvals, admin, inbox."""

from __future__ import annotations

from litestar import Router


def desk_router() -> Router:
    from server.desk.controllers import DESK_CONTROLLERS
    from server.desk.inbox import InboxDeskController
    from server.desk.settings import AdminNotificationDeskController, NotificationSettingsDeskController

    return Router(
        path="/",
        route_handlers=[
            *DESK_CONTROLLERS,
            InboxDeskController,
            NotificationSettingsDeskController,
            AdminNotificationDeskController,
        ],
    )
