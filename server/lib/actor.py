"""Who is acting: a signed-in person with their role and the unit path that scopes what they see.

It lives in lib because guards, idempotency and every domain's services take it; it reads no table
(server.people.services.get_actor builds it from one).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Role(str, Enum):
    admin = "admin"
    leader = "leader"
    unit_head = "unit_head"
    officer = "officer"
    receptionist = "receptionist"


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    full_name: str
    role: str
    unit_id: int
    unit_path: str
    unit_name: str = ""
    locale: str = "vi"
    session_epoch: int = 0
    triage: bool = False  # named a triage officer by the admin (reports.access.can_triage)

    @property
    def jurisdiction_path(self) -> str:
        """The path of the top unit of the actor's tree (their commune, or province): all they may know of."""
        return "/" + self.unit_path.strip("/").split("/")[0] + "/"

    @property
    def is_leader(self) -> bool:
        return self.role == Role.leader.value

    @property
    def is_unit_head(self) -> bool:
        return self.role == Role.unit_head.value

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin.value

    @property
    def manages_units(self) -> bool:
        """Leaders and unit heads see a unit subtree; everyone else sees what is assigned to them."""
        return self.role in {Role.leader.value, Role.unit_head.value}
