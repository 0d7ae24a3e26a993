"""Who may triage citizens' reports, and the system's own reader (the answer of a task is read as it).
"""

from __future__ import annotations

from server.lib.errors import Forbidden
from server.people.services import Actor
from server.people.tables import Role

TRIAGE_ROLES = frozenset({Role.receptionist.value, Role.leader.value, Role.admin.value})


SYSTEM_READER = Actor(id=0, username="system", full_name="Hệ thống", role=Role.leader.value, unit_id=0, unit_path="/")


def can_triage(actor: Actor) -> bool:
    """Who may accept, route, reject and merge reports and petitions: the one place that says so (the guards,
    the menu, the landing page and the services all ask it). The receptionist, the leader and the admin by
    their role, and whoever the admin names a triage officer (`Person.triage`)."""
    return actor.role in TRIAGE_ROLES or actor.triage


def require_triage(actor: Actor) -> None:
    if not can_triage(actor):
        raise Forbidden("triage_forbidden", "Bạn không có quyền phân loại phản ánh")
