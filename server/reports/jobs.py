"""The reports domain's background work, imported by server/worker.py (DOMAIN_JOB_MODULES).

- "reports.photos": the public copies of a new report's photos (queued with the report, in its transaction),
  so that the citizen's request does no image work;
- "reports.retention": every schedule tick, delete the personal data whose retention period has passed
  (retention.py);
- "reports.waiting": every schedule tick, one grouped notice per receptionist of the reports that came in
  (triage.notify_waiting). All are idempotent: a worker killed midway runs them again safely.
"""

from __future__ import annotations

from typing import Any

RETENTION_JOB = "reports.retention"
WAITING_JOB = "reports.waiting"


async def handle_photos(payload: dict[str, Any]) -> None:
    from server.reports.services import process_pending_photos

    await process_pending_photos(int(payload["report_id"]))


async def handle_retention(payload: dict[str, Any]) -> None:
    from server.reports.retention import delete_expired_personal_data

    await delete_expired_personal_data()


async def handle_waiting(payload: dict[str, Any]) -> None:
    from server.reports.triage import notify_waiting

    await notify_waiting()


def register_jobs(register: Any) -> None:
    from server.reports.services import PHOTO_JOB

    register(PHOTO_JOB, handle_photos)
    register(RETENTION_JOB, handle_retention, every_tick=True)
    register(WAITING_JOB, handle_waiting, every_tick=True)
