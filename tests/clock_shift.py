"""How far `make test` moves the clock for its SQLite half, so each run sees both halves of Vietnam's day.

The app's clock is Vietnam's (UTC+7). Between 17:00 and 24:00 UTC the date in Vietnam is already tomorrow's,
and a test that builds "today at 10:00" from the real date can land in the future. A suite that passes only
at the hour its author ran it fails in CI at another. So the SQLite half runs with the clock moved (Debian's
libfaketime) into the other band from the real one, and the PostgreSQL half at the real hour:

- a real hour where Vietnam's date equals UTC's (00:00–17:00 UTC) → 02:00 in Vietnam (19:00 UTC): quiet hours,
  and the two dates differ;
- otherwise (17:00–24:00 UTC) → 10:00 in Vietnam (03:00 UTC): office hours, and the two dates agree.

Prints the offset in whole seconds, always forward and under a day, in the form libfaketime's FAKETIME takes.
"""

from __future__ import annotations

import datetime as dt
import math
import sys

NIGHT_IN_VIETNAM_UTC_HOUR = 19  # 02:00 in Vietnam
MORNING_IN_VIETNAM_UTC_HOUR = 3  # 10:00 in Vietnam


def target_hour(now: dt.datetime) -> int:
    dates_agree = now.hour < 17
    return NIGHT_IN_VIETNAM_UTC_HOUR if dates_agree else MORNING_IN_VIETNAM_UTC_HOUR


def offset_seconds(now: dt.datetime) -> int:
    target = now.replace(hour=target_hour(now), minute=0, second=0, microsecond=0)
    if target <= now:
        target += dt.timedelta(days=1)
    return math.ceil((target - now).total_seconds())


if __name__ == "__main__":
    now = dt.datetime.now(dt.UTC)
    shift = offset_seconds(now)
    if "--describe" in sys.argv:
        moved = now + dt.timedelta(seconds=shift)
        print(f"{moved:%Y-%m-%d %H:%M} UTC, {moved.astimezone(dt.timezone(dt.timedelta(hours=7))):%H:%M} in Vietnam")
    else:
        print(f"+{shift}")
