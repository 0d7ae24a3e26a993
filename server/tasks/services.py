"""The tasks' services, by responsibility (each module says what it holds); this module re-exports them so
that callers keep `from server.tasks import services` / `from server.tasks.services import ...`.

- rules.py       the state machine's table (RULES) and who may take which action: pure
- lifecycle.py   `transition()`, the only code that changes a task's state; loading, history, versioned writes
- creation.py    creating a task or a part, choosing its assignees
- progress.py    progress reports and comments
- extensions.py  extension requests and their decision
- queries.py     lists, one task's page, the approval queue, visibility
- chase.py       chasing a late officer (nhắc việc)
- parts.py       a task's parts and their parent; sources.py what a task knows of its citizen's report
- events.py      the one road out: other domains register their listeners there; tasks imports none of them
"""

from __future__ import annotations

from server.tasks.chase import (  # noqa: F401
    CHASE_COOLDOWN,
    CHASE_KIND,
    CHASE_STATES,
    MAX_CHASE_NOTE,
    _lock_task_row,
    chase,
)
from server.tasks.creation import (  # noqa: F401
    _check_people_in_unit,
    _names,
    create_task,
    set_assignees,
)
from server.tasks.extensions import (  # noqa: F401
    decide_extension,
    request_extension,
)
from server.tasks.lifecycle import (  # noqa: F401
    _event,
    _load,
    _record_deadline,
    _snapshot,
    _update_task,
    _visible,
    get_visible,
    transition,
)
from server.tasks.progress import (  # noqa: F401
    ProgressOutcome,
    _refusal_reason,
    add_comment,
    report_progress,
)
from server.tasks.queries import (  # noqa: F401
    SUMMARY_COLUMNS,
    _approval_context,
    _histories,
    _summary,
    _unit_name,
    approval_queue,
    get_task,
    histories,
    list_tasks,
    progress_report_task,
    task_ids_visible,
    urgency,
)
from server.tasks.rules import (  # noqa: F401
    CLOSED_STATES,
    MAX_OFFLINE_AGE,
    MAX_TEXT,
    MAX_TITLE,
    MAX_WORKING_DAYS,
    OPEN_STATES,
    RULES,
    Rule,
    TaskContext,
    _allowed,
    _captured,
    _is_approver,
    _is_manager,
    allowed_actions,
)
