"""An officer's list page, kept in this process while nothing in it changed (decision 0004, "A page kept while
nothing in it changed").

An officer opens their list many times a day and it changes a few times a day. The database keeps a version per
person that every write touching what the page shows moves (triggers: migration tasks_2026_12_07t05_00_00), so a
request reads that one number and, while it is the version a kept page was built at, sends that page again
instead of reading and writing out 50 tasks. The key also holds today (urgency and days overdue are counted from
it) and every parameter of the page.

Why a kept page is never stale:
- the version is read before the page is built, so a page is never kept under a version newer than what it
  read (a write after the version was read makes a newer version, which this page is not kept under);
- a page read inside a transaction is not kept: its writes might yet be rolled back;
- the versions only grow, and the key sums the person's version and everyone's (a unit's name).
Each process keeps its own pages; the version is the database's, so several processes agree.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Hashable

from server.lib.db import engine, is_sqlite

# Bytes of pages kept per process: ~20 KB a page of 50, so the default holds ~1,600 pages. 0 keeps none.
DEFAULT_BYTES = 32 * 1024 * 1024


def _limit() -> int:
    try:
        return max(0, int(os.environ.get("LIST_CACHE_BYTES", DEFAULT_BYTES)))
    except ValueError:
        return DEFAULT_BYTES


class PageCache:
    """Pages by key, the least recently used dropped first once their bytes pass `limit`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._pages: OrderedDict[Hashable, bytes] = OrderedDict()

    def get(self, key: Hashable) -> bytes | None:
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
        return page

    def put(self, key: Hashable, page: bytes) -> None:
        if len(page) > self.limit:
            return
        old = self._pages.pop(key, None)
        if old is not None:
            self.size -= len(old)
        self._pages[key] = page
        self.size += len(page)
        while self.size > self.limit:
            _, dropped = self._pages.popitem(last=False)
            self.size -= len(dropped)

    def clear(self) -> None:
        self._pages.clear()
        self.size = 0

    def __len__(self) -> int:
        return len(self._pages)


pages = PageCache(_limit())


def version_sql() -> str:
    """The person's version plus everyone's, as one number (0 before any write)."""
    person = "{}" if is_sqlite() else "$1"
    return f"SELECT COALESCE(SUM(version), 0) AS v FROM task_list_versions WHERE person IN (0, {person})"


def usable() -> bool:
    """Whether a page read now may be kept or served: not inside a transaction (its own writes are not yet the
    database's), and a cache of some size."""
    return pages.limit > 0 and not engine().transaction_exists()
