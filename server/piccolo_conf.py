"""Piccolo's configuration: the engine comes from the settings when Piccolo first asks for it."""

from __future__ import annotations

from urllib.parse import unquote, urlparse

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from server.lib.db import RequestSQLiteEngine
from server.settings import get_settings

SQLITE_BUSY_TIMEOUT_SECONDS = 15


def build_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        # One connection per request (server.lib.db.request_connection_middleware), not one per query.
        return RequestSQLiteEngine(path=path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    parsed = urlparse(database_url)
    return PostgresEngine(
        config={
            "host": parsed.hostname or "127.0.0.1",
            "port": parsed.port or 5432,
            "user": unquote(parsed.username or "postgres"),
            "password": unquote(parsed.password or ""),
            "database": parsed.path.lstrip("/") or "dieuhanh",
            # The scope filters (path LIKE 'x%') vary so much that a generic cached plan is a disaster
            # (seconds instead of milliseconds); and JIT costs more than it saves on these short queries.
            # No parallel workers: the lists and the kept counts' reads are short, and on a 2-core machine a
            # worker's start-up alone took ~24 ms of a department head's 48 ms list (bench.plans, 1 M tasks).
            "server_settings": {
                "plan_cache_mode": "force_custom_plan",
                "jit": "off",
                "max_parallel_workers_per_gather": "0",
            },
        },
        extra_nodes={},
    )


DB = build_engine(get_settings().database_url)

APP_REGISTRY = AppRegistry(
    apps=[
        "server.units.piccolo_app",
        "server.people.piccolo_app",
        "server.holidays.piccolo_app",
        "server.audit.piccolo_app",
        "server.sync.piccolo_app",
        "server.media.piccolo_app",
        "server.directives.piccolo_app",
        "server.tasks.piccolo_app",
        "server.notifications.piccolo_app",
        "server.reports.piccolo_app",
        "server.mail.piccolo_app",
        "server.dashboard.piccolo_app",
        "server.forecast.piccolo_app",
        "server.machine.piccolo_app",
        "server.webhooks.piccolo_app",
    ]
)
