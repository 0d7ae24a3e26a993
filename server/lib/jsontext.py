"""The one JSON spelling of a value (sorted keys, no spaces, times in UTC): the audit chain hashes it, and an
idempotent change stores its first answer in it, so a replay is byte-for-byte the same."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from server.lib import clock


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return clock.as_utc(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return str(value)


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_default)
