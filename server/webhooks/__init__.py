"""Webhooks out: an admin subscribes a URL to tasks' and reports' events; the worker delivers them, signed."""

from server.webhooks.listeners import subscribe as _subscribe

# Every process that touches the database imports this package (piccolo_conf's APP_REGISTRY loads
# server.webhooks.piccolo_app), so every process that changes a task or a report queues its deliveries.
_subscribe()


def __getattr__(name: str) -> object:
    # The router is built on demand: importing this package for its listeners must not pull in controllers.
    if name == "router":
        from server.webhooks.controllers import webhooks_router

        return webhooks_router()
    raise AttributeError(name)
