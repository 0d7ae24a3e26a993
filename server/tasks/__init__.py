"""Tasks: the state machine, its one mutator, extensions, approvals, search."""

from __future__ import annotations

from litestar import Router


def __getattr__(name: str) -> Router:
    # `router` is built on demand, not at import: importing a domain's tables must not pull in its controllers
    # (they import other domains, which import these tables), and each app gets a Router of its own.
    if name == "router":
        from server.tasks.attachments import ProgressAttachmentApiController
        from server.tasks.controllers import (
            ApprovalApiController,
            ExtensionApiController,
            SearchApiController,
            TaskApiController,
        )
        return Router(
            path="/api/v1",
            route_handlers=[TaskApiController, ExtensionApiController, ApprovalApiController, SearchApiController,
                            ProgressAttachmentApiController],
        )
    raise AttributeError(name)
