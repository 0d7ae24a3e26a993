"""The audit domain's background work, imported by server/worker.py (DOMAIN_JOB_MODULES).

- "audit.checkpoint" (every schedule tick; real work at most once every AUDIT_CHECKPOINT_HOURS, default 24):
  verify the whole chain and, when it holds, write a new signed checkpoint outside the database, so that a tail
  cut or rewritten after today is found by the next `verify-audit` even if nobody ran it meanwhile. A broken
  chain is logged as an error and the last good checkpoint is kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from typing import Any

from server.audit import keys
from server.lib import clock

CHECKPOINT_JOB = "audit.checkpoint"
log = logging.getLogger("dieuhanh.audit")


def _every() -> dt.timedelta:
    return dt.timedelta(hours=float(os.environ.get("AUDIT_CHECKPOINT_HOURS", "24")))


async def handle_checkpoint(payload: dict[str, Any]) -> None:
    from server.audit.services import verify_chain

    try:
        last = keys.read_checkpoint()
    except keys.CheckpointInvalid:
        last = None  # verify_chain reports it below
    if last is not None and not payload.get("force") and clock.now() - last.at < _every():
        return
    result = await verify_chain()
    if not result.ok:
        log.error("audit log BROKEN at entry #%s: %s", result.first_broken_seq, result.reason)


def register_jobs(register: Callable[..., None]) -> None:
    register(CHECKPOINT_JOB, handle_checkpoint, every_tick=True)
