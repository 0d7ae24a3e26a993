"""Notifications: the job queue, reminders and escalation, the inbox, Web Push and e-mail."""

from server.notifications.listeners import subscribe as _subscribe

# Every process that touches the database imports this package (piccolo_conf's APP_REGISTRY loads
# server.notifications.piccolo_app), so the app, the worker, the CLI and the tests all hear the tasks' events.
_subscribe()


def __getattr__(name: str) -> object:
    # The router is built on demand: importing this package for its listeners must not pull in controllers.
    if name == "router":
        from litestar import Router

        from server.notifications.controllers import (
            InboxApiController,
            NotificationAdminApiController,
            PushApiController,
        )

        return Router(
            path="/api/v1", route_handlers=[InboxApiController, PushApiController, NotificationAdminApiController]
        )
    raise AttributeError(name)
