"""Citizens' reports, by responsibility; this module re-exports them so that callers keep
`from server.reports import services`.

- intake.py        a report from the portal or Open311, a petition at the desk; codes, limits, retention
- categories.py    the categories and their published response times
- public.py        the public face: one report, the list and map, petition sessions, the rating
- notices.py       the public timeline entries, the reporter's e-mails, the labels
- photo_copies.py  the photos' public copies, the originals for staff
- access.py        who may triage
- triage.py        accept, route, reject, merge; listeners.py follows the task made from a report
"""

from __future__ import annotations

from server.reports.access import (  # noqa: F401
    SYSTEM_READER,
    TRIAGE_ROLES,
    can_triage,
    require_triage,
)
from server.reports.categories import (  # noqa: F401
    get_category,
    list_categories,
    save_category,
)
from server.reports.intake import (  # noqa: F401
    CLOSED_STATUSES,
    CODE_ALPHABET,
    CODE_LENGTH,
    CODE_PREFIX,
    CODE_RE,
    DUPLICATE_RADIUS_M,
    DUPLICATE_WINDOW_DAYS,
    EMAIL_RE,
    IP_LIMIT_PER_HOUR,
    MAX_ADDRESS,
    MAX_DESCRIPTION,
    MAX_MEDIA_URL,
    MIN_DESCRIPTION,
    PERSONAL_DATA_RETENTION_MONTHS,
    PHONE_LIMIT_PER_DAY,
    PHONE_RE,
    REJECT_KINDS,
    RETENTION_BATCH,
    _check_limits,
    _coordinate,
    _hash,
    _phone_digits,
    _search_text,
    check_media_url,
    hash_ip,
    new_code,
    normalise_code,
    record_petition,
    submit_report,
)
from server.reports.notices import (  # noqa: F401
    EVENT_LABELS,
    STATUS_LABELS,
    _event,
    _mail,
    outbox,
)
from server.reports.photo_copies import (  # noqa: F401
    PHOTO_JOB,
    _queue_photo_job,
    ensure_derivatives,
    original_photo_bytes,
    process_pending_photos,
)
from server.reports.public import (  # noqa: F401
    LISTED_STATUSES,
    PUBLIC_COLUMNS,
    _day_start,
    _decorate,
    _names,
    _public_row,
    _reporters_row,
    petition_sessions,
    public_list,
    public_photo_bytes,
    public_report,
    rate,
    without_private_point,
)

# Triage lives in triage.py; its names stay reachable here for the callers that knew them from this module.
from server.reports.triage import (
    accept,
    delegated_actor,
    merge_duplicate,
    reject,
    similar_reports,
    similar_to_each,
    staff_report,
)

__all__ = ["accept", "delegated_actor", "merge_duplicate", "reject", "similar_reports", "similar_to_each",
           "staff_report"]
