"""The job queue moved to server/lib/jobs.py (mail, report photos and the dashboard use it too); this name stays
for the modules that still import it from here."""

from server.lib.jobs import *  # noqa: F403
from server.lib.jobs import (  # noqa: F401
    BACKOFF_BASE_SECONDS,
    BACKOFF_MAX_SECONDS,
    DEFAULT_LEASE,
    HANDLERS,
    MAX_ERROR_LENGTH,
    PERIODIC,
    ClaimedJob,
    Handler,
    Job,
    JobState,
    PermanentJobError,
    register,
)
