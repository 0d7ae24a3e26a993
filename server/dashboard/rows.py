"""The dashboard's rows (sub-units, people), their sorting, and the overdue tasks with their holders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from server.dashboard.figures import (
    Week,
    _add,
    figures_by_lead_unit,
    figures_by_person,
)
from server.dashboard.periods import Period
from server.dashboard.scope import Scope, units_under
from server.kpi import services as kpi
from server.kpi.services import BUCKETS, Figures
from server.lib import clock
from server.lib.db import is_sqlite
from server.lib.vn_text import collation_key, person_sort_key
from server.tasks.listing import KEYS as LIST_KEYS
from server.tasks.listing import PER_UNIT
from server.tasks.tables import Task

SORTS = ("name", "on_time", "-on_time", "completion", "-completion", "overdue", "-overdue", "total", "-total")
OVERDUE_LIST_LIMIT = 50
SMALL_SCOPE = PER_UNIT  # units: the lists' per-unit reading's bound
PEOPLE_INLINE_MAX = 300
PEOPLE_PAGE = 100


# ---------------------------------------------------------------- the dashboard


@dataclass
class Row:
    kind: str  # "unit" (the unit's subtree), "own" (tasks the scope unit leads itself), "person"
    id: int
    name: str
    figures: Figures
    unit_name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "name": self.name, "unit_name": self.unit_name,
                **self.figures.as_dict()}


@dataclass
class Dashboard:
    scope: Scope
    period: Period
    today: dt.date
    totals: Figures
    own: Row | None
    units: list[Row]
    people: list[Row]
    weeks: list[Week]
    overdue: list[dict[str, Any]]
    sort: str = "name"
    breadcrumbs: list[dict[str, Any]] = field(default_factory=list)
    # How many people the scope holds; above PEOPLE_INLINE_MAX their table is a page (and a report) of its own.
    people_total: int = 0
    people_inline: bool = True
    # One person's own figures (the dashboard opened on a name): {id, full_name, unit, unit_name}; else None.
    person: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": {"id": self.scope.id, "name": self.scope.name, "path": self.scope.path},
            "period": {"kind": self.period.kind, "start": self.period.start, "end": self.period.end},
            "today": self.today,
            "totals": self.totals.as_dict(),
            "own": self.own.as_dict() if self.own else None,
            "units": [row.as_dict() for row in self.units],
            "people": [row.as_dict() for row in self.people],
            "people_total": self.people_total,
            "people_inline": self.people_inline,
            "person": self.person,
            "weeks": [{"start": w.start, "end": w.end, **w.figures.as_dict()} for w in self.weeks],
            "overdue": self.overdue,
            "overdue_total": self.totals.in_progress_overdue,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Dashboard:
        """Back from `as_dict()` as JSON (a report's snapshot), for the printable page of a built report."""

        def figures(d: dict[str, Any]) -> Figures:
            return Figures(**{b: int(d[b]) for b in BUCKETS})

        def row(d: dict[str, Any]) -> Row:
            return Row(d["kind"], int(d["id"]), d["name"], figures(d), d.get("unit_name", ""))

        period = data["period"]
        return cls(
            scope=Scope(int(data["unit"]["id"]), data["unit"]["name"], data["unit"].get("path", ""), None),
            period=Period(period["kind"], clock.as_date(period["start"]), clock.as_date(period["end"])),  # type: ignore[arg-type]
            today=clock.as_date(data["today"]),  # type: ignore[arg-type]
            totals=figures(data["totals"]),
            own=row(data["own"]) if data.get("own") else None,
            units=[row(d) for d in data["units"]],
            people=[row(d) for d in data["people"]],
            weeks=[Week(clock.as_date(w["start"]), clock.as_date(w["end"]), figures(w)) for w in data["weeks"]],  # type: ignore[arg-type]
            overdue=[{**t, "deadline": clock.as_date(t["deadline"])} for t in data["overdue"]],
            people_total=int(data.get("people_total", 0)),
            people_inline=bool(data.get("people_inline", True)),
        )


def name_key(row: Row) -> tuple[object, ...]:
    """A row's name as a Vietnamese reader sorts it, the same on both engines: people by given name, then the
    rest of the name; units by their whole name; both with Vietnamese collation (Đ after D, tones second)."""
    return (person_sort_key(row.name) if row.kind == "person" else collation_key(row.name)), row.id


def _sort_key(sort: str):  # type: ignore[no-untyped-def]
    name = sort.lstrip("-")
    descending = sort.startswith("-")

    def key(row: Row) -> tuple[int, float, tuple[object, ...]]:
        f = row.figures
        value: float | None = {
            "on_time": f.on_time_rate,
            "completion": f.completion_rate,
            "overdue": float(f.in_progress_overdue),
            "total": float(f.total),
        }.get(name)
        if value is None:  # rows without tasks go last, whichever the direction
            return (1, 0.0, name_key(row))
        return (0, -value if descending else value, name_key(row))

    return key


def sort_rows(rows: list[Row], sort: str) -> list[Row]:
    if sort not in SORTS or sort == "name":
        return sorted(rows, key=name_key)
    return sorted(rows, key=_sort_key(sort))


def _child_of(root_path: str, path: str) -> str | None:
    """The path of the direct child of `root_path` that holds `path` (None when `path` is the root)."""
    rest = path[len(root_path):]
    if not rest:
        return None
    return root_path + rest.split("/", 1)[0] + "/"


async def unit_rows(
    scope: Scope, period: Period, today: dt.date, by_unit: dict[int, Figures] | None = None,
    units: list[dict[str, Any]] | None = None,
) -> tuple[Figures, Row | None, list[Row]]:
    """The scope's totals, its own row and one row per child unit; `units` is the subtree's (units_under), read
    here when not given."""
    if by_unit is None:
        by_unit = await figures_by_lead_unit(scope.path, period, today)
    if units is None:
        units = await units_under(scope.path)
    by_id = {u["id"]: u for u in units}
    children = [u for u in units if u["parent"] == scope.id]
    per_child: dict[str, Figures] = {u["path"]: Figures() for u in children}
    own = Figures()
    totals = Figures()
    for unit_id, figures in by_unit.items():
        unit = by_id.get(unit_id)
        if unit is None:
            continue
        child = _child_of(scope.path, unit["path"])
        target = own if child is None else per_child.setdefault(child, Figures())
        for bucket in BUCKETS:
            _add(target, bucket, getattr(figures, bucket))
            _add(totals, bucket, getattr(figures, bucket))
    rows = [Row("unit", u["id"], u["name"], per_child[u["path"]]) for u in children]
    own_row = Row("own", scope.id, scope.name, own) if own.total else None
    return totals, own_row, rows


async def people_count(scope: Scope) -> int:
    rows = await Task.raw(
        "SELECT COUNT(*) AS n FROM people p JOIN units u ON u.id = p.unit WHERE u.path LIKE {}", f"{scope.path}%"
    )
    return int(rows[0]["n"])


async def people_rows(scope: Scope, period: Period, today: dt.date, within_path: str | None = None) -> list[Row]:
    """Everyone in the subtree with a counted task; their figures count the tasks led inside `within_path`
    (the viewer's subtree; default: the scope's)."""
    per_person = await figures_by_person(scope.path, period, today, within_path or scope.path)
    if not per_person:
        return []
    ids = list(per_person)
    placeholders = ", ".join("{}" for _ in ids)
    rows = await Task.raw(
        "SELECT p.id, p.full_name, u.name AS unit_name FROM people p JOIN units u ON u.id = p.unit"
        f" WHERE p.id IN ({placeholders}) ORDER BY u.path, p.full_name, p.id",
        *ids,
    )
    return [Row("person", r["id"], r["full_name"], per_person[r["id"]], unit_name=r["unit_name"]) for r in rows]


async def holders(task_ids: list[int]) -> dict[int, list[str]]:
    """The people currently holding each task (active assignees), main assignee first."""
    if not task_ids:
        return {}
    placeholders = ", ".join("{}" for _ in task_ids)
    rows = await Task.raw(
        "SELECT ta.task AS task, ta.is_main AS is_main, p.full_name AS name FROM task_assignees ta"
        f" JOIN people p ON p.id = ta.person WHERE ta.task IN ({placeholders}) AND ta.removed_at IS NULL",
        *task_ids,
    )
    # The main assignee first, then by given name in Vietnamese collation, as every list of people.
    rows.sort(key=lambda row: (row["task"], not row["is_main"], person_sort_key(row["name"])))
    result: dict[int, list[str]] = {}
    for row in rows:
        names = result.setdefault(row["task"], [])
        if row["name"] not in names:
            names.append(row["name"])
    return result


async def overdue_tasks(scope: Scope, period: Period, today: dt.date, limit: int = OVERDUE_LIST_LIMIT,
                        unit_ids: list[int] | None = None) -> list[dict]:
    """The tasks of the 'in progress, overdue' figure, most late first, with days late and who holds them.

    For an open task kpi's period rule is "its deadline is in the period", and overdue means "before today". A
    scope of many units reads the first rows of the index of open top-level tasks by deadline
    (tasks_open_top_deadline). A department's or a commune's (at most SMALL_SCOPE units) reads its own units' open
    tasks by deadline (tasks_unit_urgency) and sorts them: walking the province's index until 50 of a department's
    came up took 45-60 ms on 1,000,000 tasks, its own units 3-5 ms. `unit_ids` are the subtree's (read here when
    the caller has not read them already).
    """
    ids = unit_ids if unit_ids is not None else [u["id"] for u in await units_under(scope.path)]
    if not ids or len(ids) > SMALL_SCOPE:
        # SQLite without ANALYZE statistics prefers the index on `parent` (every top-level task): name the right one.
        source = " INDEXED BY tasks_open_top_deadline" if is_sqlite() else ""
        in_scope, scope_args = "u.path LIKE {}", [f"{scope.path}%"]
    else:
        source = ""
        open_keys = f"{LIST_KEYS[0]} = 0 AND {LIST_KEYS[1]} = 0"  # the index's own expressions: open, with a deadline
        in_scope, scope_args = f"t.lead_unit IN ({', '.join(str(int(i)) for i in ids)}) AND {open_keys}", []
    sql = (
        f"SELECT t.id, t.title, t.state, t.deadline, u.name AS unit_name FROM tasks t{source}"
        " JOIN units u ON u.id = t.lead_unit"
        f" WHERE t.parent IS NULL AND t.state IN {kpi.OPEN_STATES_SQL} AND t.deadline >= {{}} AND t.deadline <= {{}}"
        f" AND t.deadline < {{}} AND {in_scope}"
        f" ORDER BY t.deadline, t.id LIMIT {int(limit)}"
    )
    rows = await Task.raw(sql, *(kpi.date_param(d) for d in (period.start, period.end, today)), *scope_args)
    names = await holders([r["id"] for r in rows])
    result = []
    for r in rows:
        deadline = clock.as_date(r["deadline"])
        result.append({
            "id": r["id"], "title": r["title"], "state": r["state"], "deadline": deadline,
            "days_late": (today - deadline).days if deadline else 0, "unit_name": r["unit_name"],
            "holders": names.get(r["id"], []),
        })
    return result
