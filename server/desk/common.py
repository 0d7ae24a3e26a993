"""The screens' helpers moved to server/lib/web.py (reports, the dashboard and the portal use them too); the
names stay here for the modules that import them from the desk."""

from server.lib.web import (
    FLASH_KEYS,
    Kept,
    deadline_status,
    flash_of,
    int_list,
    optional_int,
    page,
    parse_date,
    read_form,
    referer_path,
    safe_local_path,
    see_other,
)

__all__ = [
    "FLASH_KEYS",
    "Kept",
    "deadline_status",
    "flash_of",
    "int_list",
    "optional_int",
    "page",
    "parse_date",
    "read_form",
    "referer_path",
    "safe_local_path",
    "see_other",
]
