"""Who sees which task: one SQL predicate, used by every list and every lookup.

An officer sees the tasks assigned to them; a unit head the tasks led or coordinated by their unit's
subtree; a leader every task led in their jurisdiction (the subtree of their unit). Anything else is
answered as not found, so that another unit's task does not even show that it exists.
"""

from __future__ import annotations

from server.people.services import Actor


def visibility_sql(actor: Actor, task_alias: str = "t") -> tuple[str, list[object]]:
    # EXISTS, not IN: PostgreSQL then probes the small per-task tables by index instead of hashing them whole.
    assigned = (
        f"EXISTS (SELECT 1 FROM task_assignees ta WHERE ta.task = {task_alias}.id"
        " AND ta.person = {} AND ta.removed_at IS NULL)"
    )
    led = f"{task_alias}.lead_unit IN (SELECT u.id FROM units u WHERE u.path LIKE {{}})"
    if actor.is_leader:
        return f"({led} OR {assigned})", [f"{actor.unit_path}%", actor.id]
    if actor.is_unit_head:
        coordinated = (
            f"EXISTS (SELECT 1 FROM task_coordinating_units c JOIN units cu ON cu.id = c.unit"
            f" WHERE c.task = {task_alias}.id AND cu.path LIKE {{}})"
        )
        return f"({led} OR {coordinated} OR {assigned})", [f"{actor.unit_path}%", f"{actor.unit_path}%", actor.id]
    return assigned, [actor.id]


def in_scope(actor: Actor, unit_path: str) -> bool:
    """Does the actor manage the unit with this path (leaders and unit heads, over their subtree)?"""
    return actor.manages_units and unit_path.startswith(actor.unit_path)
