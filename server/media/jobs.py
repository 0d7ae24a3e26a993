"""The media domain's background work: building the clean copies of an image attachment (job "media.derive").

Queued with the attachment, in its transaction (services.queue_derivatives). Idempotent: a worker killed
after the copies are stored and before the job is marked done builds nothing twice.
"""

from __future__ import annotations

from typing import Any

from server.media import services


async def handle_derive(payload: dict[str, Any]) -> None:
    from server.lib.errors import DomainError
    from server.lib.jobs import PermanentJobError

    try:
        await services.ensure_derivatives(int(payload["file_id"]))
    except DomainError as error:  # the file is gone or is no usable image: retrying cannot help
        raise PermanentJobError(f"{error.code}: {error.message}") from error


def register_jobs(register: Any) -> None:
    register(services.DERIVE_JOB, handle_derive)
