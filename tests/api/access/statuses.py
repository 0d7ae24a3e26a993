"""Status rows for the access matrix: who gets what on a route, per variant of its object.

Shared by tests/api/test_access_matrix.py and the per-area files tests/api/access/routes_*.py, each of which
adds the rows (EXPECTED) and request builders (requests.builds) of its own routes.
"""

from __future__ import annotations

from tests.api.access.world import ACTORS, COORDINATED, OTHER_JURISDICTION, OTHER_UNIT, OWN

HTTP_METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def row(*, anonymous: int, admin: int, leader: int, unit_head: int, officer: int, receptionist: int) -> dict[str, int]:
    return {
        "anonymous": anonymous, "admin": admin, "leader": leader, "unit_head": unit_head, "officer": officer,
        "receptionist": receptionist,
    }


def everyone(status: int) -> dict[str, int]:
    return row(anonymous=status, admin=status, leader=status, unit_head=status, officer=status, receptionist=status)


def signed_in(status: int) -> dict[str, int]:
    return {**everyone(status), "anonymous": 401}


def only(status: int, *roles: str, others: int = 403) -> dict[str, int]:
    return {actor: 401 if actor == "anonymous" else status if actor in roles else others for actor in ACTORS}


NOT_FOUND = signed_in(404)
# A task of j.dept with j.officer assigned: the leader (jurisdiction), the unit head (unit) and the officer
# (assignee) see it; the admin and the receptionist have no task scope at all.
SEE_OWN = row(anonymous=401, admin=404, leader=200, unit_head=200, officer=200, receptionist=404)
# A task of the other department: only the leader's scope reaches it.
SEE_SIBLING = row(anonymous=401, admin=404, leader=200, unit_head=404, officer=404, receptionist=404)


def with_status(base: dict[str, int], status: int) -> dict[str, int]:
    """The same visibility, with `status` for those who may act (200 → status)."""
    return {actor: status if code == 200 else code for actor, code in base.items()}


# A task of the other department that j.dept coordinates: the unit head sees it (access.visibility_sql), but
# neither leads it nor is assigned, so every change but a comment is refused with 403.
SEE_COORDINATED = row(anonymous=401, admin=404, leader=200, unit_head=200, officer=404, receptionist=404)


def task_route(
    own: dict[str, int], other_unit: dict[str, int], coordinated: dict[str, int] | None = None, **extra: dict[str, int]
) -> dict[str, dict[str, int]]:
    variants = {OWN: own, OTHER_UNIT: other_unit, OTHER_JURISDICTION: NOT_FOUND, **extra}
    if coordinated is not None:
        variants[COORDINATED] = coordinated
    return variants


def head_refused(base: dict[str, int]) -> dict[str, int]:
    return {**base, "unit_head": 403}


def extra_rows() -> dict[str, dict[str, dict[str, int]]]:
    """The EXPECTED rows of every tests/api/access/routes_*.py; importing one also registers its builders."""
    import importlib
    from pathlib import Path

    rows: dict[str, dict[str, dict[str, int]]] = {}
    for path in sorted(Path(__file__).parent.glob("routes_*.py")):
        module = importlib.import_module(f"tests.api.access.{path.stem}")
        rows.update(module.EXPECTED)
    return rows
