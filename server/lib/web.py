"""What every server-rendered screen needs (the desk, the reports' desk, the dashboard, the portal): a base
controller, reading a posted form, parsing what people type, Post/Redirect/Get."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from litestar import Controller, Request
from litestar.response import Redirect, Template

from server.lib import clock
from server.lib.errors import Invalid
from server.lib.responses import EXCEPTION_HANDLERS

# Keys of the short messages shown after a successful POST (`?ok=<key>`); the texts live in
# templates/desk/_macros.html so that the catalog extraction sees them.
FLASH_KEYS = frozenset(
    {
        "created", "assigned", "split", "progress", "submitted", "approved", "returned", "cancelled",
        "extension", "extension_approved", "extension_rejected", "directive_created", "unit_created",
        "person_created", "person_updated", "day_saved", "day_deleted",
    }
)


class Kept:
    """The values a person typed, to put back into the form when it is shown again with an error."""

    def __init__(self, values: Mapping[str, list[str]] | None = None) -> None:
        self._values = dict(values or {})

    def get(self, name: str, default: str = "") -> str:
        values = self._values.get(name)
        return values[0] if values else default

    def all(self, name: str) -> list[str]:
        return list(self._values.get(name, []))

    def has(self, name: str, value: object) -> bool:
        return str(value) in self._values.get(name, [])

    def __bool__(self) -> bool:
        return bool(self._values)


async def read_form(request: Request) -> Kept:
    form = await request.form()
    values: dict[str, list[str]] = {}
    for key in set(form.keys()):
        if key == "_csrf_token":
            continue
        values[key] = [value.strip() for value in form.getall(key) if isinstance(value, str)]
    return Kept(values)


def flash_of(ok: str | None) -> str | None:
    return ok if ok in FLASH_KEYS else None


def optional_int(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise Invalid("number_invalid", "Số không hợp lệ") from None
    if not -(2**31) < number < 2**31:
        raise Invalid("number_invalid", "Số không hợp lệ")
    return number


def int_list(values: list[str]) -> list[int]:
    return [number for number in (optional_int(value) for value in values) if number is not None]


def parse_date(value: str | None) -> dt.date | None:
    """A date as the browser's date field sends it (yyyy-mm-dd) or as officials write it (dd/mm/yyyy)."""
    value = (value or "").strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            day = dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
        if clock.MIN_YEAR <= day.year <= clock.MAX_YEAR:
            return day
        break
    raise Invalid("date_invalid", "Ngày không hợp lệ (ngày/tháng/năm)")


def safe_local_path(target: str | None, fallback: str = "/tasks") -> str:
    """Only paths on this site, so no link or form can send someone elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


def referer_path(request: Request, fallback: str = "/tasks") -> str:
    """The local path (and query, less any ?lang=) of the page the person came from."""
    referer = request.headers.get("referer") or ""
    parts = urlsplit(referer)
    if not referer or (parts.netloc and parts.netloc != request.headers.get("host")):
        return fallback
    query = "&".join(part for part in parts.query.split("&") if part and not part.startswith("lang="))
    return safe_local_path(parts.path + (f"?{query}" if query else ""), fallback)


def see_other(path: str, **query: Any) -> Redirect:
    """Post/Redirect/Get: a 303 so that reloading the page never posts twice."""
    query = {key: value for key, value in query.items() if value is not None}
    return Redirect(path=path + (f"?{urlencode(query)}" if query else ""), status_code=303)


def page(name: str, *, status_code: int = 200, **context: Any) -> Template:
    context.setdefault("form", Kept())
    context.setdefault("error", None)
    context.setdefault("ok", None)
    return Template(f"desk/{name}", context=context, status_code=status_code)


def deadline_status(task: Mapping[str, Any]) -> str | None:
    """Trong hạn / Quá hạn for an open task; Đúng hạn / Trễ hạn for a done one (by the approved submission)."""
    deadline = task.get("deadline")
    state = task.get("state")
    if deadline is None or state in ("draft", "cancelled"):
        return None
    deadline = clock.as_date(deadline)
    if state == "done":
        completed = task.get("completed_at")
        if completed is None:
            return None
        return "on_time" if clock.local_date(completed) <= deadline else "late"
    return "overdue" if deadline < clock.today_vn() else "within"


# The app's own handlers (server/lib/responses.py): a page for these screens, never a stack trace.
PAGE_EXCEPTION_HANDLERS: dict[Any, Any] = dict(EXCEPTION_HANDLERS)

PageHook = Callable[[Request], Awaitable[None]]
# Run before every screen's handler; a face registers what its menu needs (the desk: the triage count).
PAGE_HOOKS: list[PageHook] = []


def before_page(hook: PageHook) -> PageHook:
    """Register a hook run before every screen (once, however often its module is imported)."""
    if hook not in PAGE_HOOKS:
        PAGE_HOOKS.append(hook)
    return hook


async def run_page_hooks(request: Request) -> None:
    for hook in PAGE_HOOKS:
        await hook(request)


class PageController(Controller):
    """Base of the server-rendered screens' controllers: HTML, not part of the JSON API's schema."""

    include_in_schema = False
    exception_handlers = PAGE_EXCEPTION_HANDLERS
    before_request = run_page_hooks
