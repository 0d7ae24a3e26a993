"""The desk's inbox (Hộp thư): unread count, the list, mark one or all read; each item opens its task or report."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, get, post
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template

from server.desk.base import DeskController
from server.lib.guards import actor_of
from server.lib.params import ID_MAX
from server.lib.web import page, safe_local_path, see_other
from server.notifications import services

PAGE_SIZE = 50
ItemId = Annotated[int, PathParameter(gt=0, le=ID_MAX)]


class InboxDeskController(DeskController):
    path = "/inbox"

    @get("/")
    async def inbox(
        self,
        request: Request,
        unread: Annotated[bool, QueryParameter()] = False,
        before: Annotated[int | None, QueryParameter(ge=1, le=ID_MAX)] = None,
        ok: Annotated[str | None, QueryParameter(max_length=32)] = None,
    ) -> Template:
        box = await services.inbox(actor_of(request).id, unread_only=unread, limit=PAGE_SIZE, before_id=before)
        items = box["items"]
        more = items[-1]["id"] if len(items) == PAGE_SIZE else None
        return page("inbox.html", items=items, unread=box["unread"], unread_only=unread, more=more,
                    marked=ok if ok in {"read", "all_read"} else None)

    @get("/{notification_id:int}")
    async def open_item(self, request: Request, notification_id: ItemId) -> Redirect:
        """Opening an item reads it, then goes to its task or report (only paths of this site)."""
        item = await services.mark_read(actor_of(request).id, notification_id)
        return see_other(safe_local_path(item["link"], "/inbox"))

    @post("/{notification_id:int}/read")
    async def mark_read(self, request: Request, notification_id: ItemId) -> Redirect:
        await services.mark_read(actor_of(request).id, notification_id)
        return see_other("/inbox", ok="read")

    @post("/read-all")
    async def mark_all_read(self, request: Request) -> Redirect:
        await services.mark_all_read(actor_of(request).id)
        return see_other("/inbox", ok="all_read")
