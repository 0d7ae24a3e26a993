"""create_app(): the API, the desk screens, the portal and the PWA, with the database's lifespan."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, MediaType, Response, get
from litestar.config.compression import CompressionConfig
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from litestar.template.config import TemplateConfig

from citizen_portal.controllers import portal_router
from server.api import domain_routers
from server.app_shell import app_shell_router
from server.auth.config import csrf_config, session_auth
from server.desk import desk_router
from server.lib import i18n
from server.lib.db import close_pool, database_state, prepare_database, sqlite_connection_per_request, start_pool
from server.lib.errors import document_error_body
from server.lib.middleware import locale_middleware, proxy_middleware, security_headers
from server.lib.responses import EXCEPTION_HANDLERS
from server.lib.wire import wire_middleware
from server.live.hub import LiveConfig, LiveUpdates
from server.machine.auth import SECURITY_SCHEMES
from server.settings import PROJECT_ROOT, Settings, get_settings

SERVER_DIR = Path(__file__).resolve().parent


@get("/health", opt={"public": True}, tags=["health"])
async def health() -> Response[dict[str, Any]]:
    database = await database_state()
    status = 200 if database["ok"] else 503
    return Response({"status": "ok" if database["ok"] else "degraded", "database": database}, status_code=status,
                    media_type=MediaType.JSON)


def _stores(settings: Settings) -> dict[str, Store]:
    if settings.redis_url:
        from litestar.stores.redis import RedisStore

        root = RedisStore.with_client(url=settings.redis_url, namespace=LiveConfig.from_env(None).prefix)
        return {name: root.with_namespace(name) for name in ("sessions", "rate_limit", "auth", "cache")}
    # One process: sessions on disk survive a restart; counters may live in memory.
    (settings.data_dir / "sessions").mkdir(parents=True, exist_ok=True)
    return {
        "sessions": FileStore(settings.data_dir / "sessions"),
        "rate_limit": MemoryStore(),
        "auth": MemoryStore(),
        "cache": MemoryStore(),
    }


def _template_engine(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.globals.update(
        _=i18n.gettext,
        ngettext=i18n.ngettext,
        current_locale=i18n.current_locale.get,
    )
    env.filters.update(
        date=i18n.format_date,
        datetime=i18n.format_datetime,
        percent=i18n.format_percent,
        number=i18n.format_number,
    )


def freeze_start_up_heap() -> None:
    """Leave what start-up built (modules, routes, templates, catalogs) out of the cyclic collector's walks.

    A request allocates enough to run a full collection every few hundred requests, and each walked every
    object of the process: 5-8% of the app's CPU under bench.run's load (perf). What start-up built lives as
    long as the process, so it is frozen once, after a collection that frees start-up's own garbage."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    live = LiveUpdates(LiveConfig.from_env(settings.redis_url))

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await prepare_database()
        await start_pool()
        freeze_start_up_heap()
        try:
            yield
        finally:
            await close_pool()

    template_dirs = [SERVER_DIR / "templates", PROJECT_ROOT / "citizen_portal" / "templates"]
    app = Litestar(
        route_handlers=[
            health,
            *domain_routers(),
            desk_router(),
            portal_router(),
            app_shell_router(),
            create_static_files_router(path="/static", directories=[SERVER_DIR / "static"], opt={"public": True}),
        ],
        lifespan=[lifespan],
        plugins=[live.channels, live],  # the channels first: they must run before the hub says it is up
        on_app_init=[session_auth(settings).on_app_init, sqlite_connection_per_request],
        csrf_config=csrf_config(settings),
        middleware=[proxy_middleware(settings.trusted_proxies), locale_middleware, wire_middleware],
        before_send=[security_headers(settings.secure_cookies)],
        stores=_stores(settings),
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=TemplateConfig(
            directory=template_dirs, engine=JinjaTemplateEngine, engine_callback=_template_engine
        ),
        # The live stream is not compressed: a gzip state per idle connection costs memory, and buys nothing.
        compression_config=CompressionConfig(backend="gzip", minimum_size=800, exclude_opt_key="skip_compression"),
        openapi_config=OpenAPIConfig(
            title="dieuhanh API",
            version="1.0.0",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
            components=Components(security_schemes=SECURITY_SCHEMES),
        ),
        logging_config=LoggingConfig(
            root={"level": "INFO", "handlers": ["queue_listener"]},
            log_exceptions="debug",
        ),
        debug=False,
    )
    # The schema documents the error body the handlers really send (built now, before anyone asks for it).
    document_error_body(app.openapi_schema)
    return app

