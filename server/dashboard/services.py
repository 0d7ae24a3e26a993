"""The leaders' desk: kpi's figures per sub-unit, per person and per week, the overdue tasks, the drill-downs.

Every figure here is built from `server.kpi.services`' SQL pieces (`bucket_sql`, `period_sql`, `scope_sql`,
`date_param`), grouped instead of run once per row, so a row and `kpi.figures()` for the same scope always
agree (tests/unit/dashboard checks it). The lists behind a figure come from `kpi.task_page()`.
Like `kpi`, this module only reads.

The parts live beside it: periods.py (what a period is), scope.py (what a leader may look at), figures.py (the
grouped figures), rows.py (the rows, their order, the overdue list); this module puts a page together and
re-exports their names, so callers keep `services.dashboard(...)`, `services.Period`, ...
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.dashboard.figures import (
    Week,
    _empty_weeks,
    figures_by_lead_unit,
    figures_by_person,
    grouped,
    grouped_from_counts,
    grouped_from_tasks,
    person_weeks,
    weekly,
)
from server.dashboard.periods import MAX_PERIOD_DAYS, PERIODS, REPORT_PERIODS, Period, period_containing, resolve_period
from server.dashboard.rows import (
    OVERDUE_LIST_LIMIT,
    PEOPLE_INLINE_MAX,
    PEOPLE_PAGE,
    SORTS,
    Dashboard,
    Row,
    holders,
    name_key,
    overdue_tasks,
    people_count,
    people_rows,
    sort_rows,
    unit_rows,
)
from server.dashboard.scope import Scope, scope_person, scope_unit, units_under
from server.directives import services as directives_domain
from server.directives.tables import DirectiveKind
from server.kpi import services as kpi
from server.kpi.services import BUCKETS
from server.lib import clock
from server.lib.actor import Actor
from server.lib.errors import Invalid
from server.tasks.tables import Task

DRILL_PAGE = 100


async def breadcrumbs(actor: Actor, scope: Scope) -> list[dict[str, Any]]:
    """The units from the actor's own unit down to the scope, for going back up."""
    ids = [int(part) for part in scope.path.strip("/").split("/") if part]
    placeholders = ", ".join("{}" for _ in ids)
    rows = await Task.raw(f"SELECT u.id, u.name, u.path FROM units u WHERE u.id IN ({placeholders})", *ids)
    return [{"id": r["id"], "name": r["name"]} for r in sorted(rows, key=lambda r: len(r["path"]))
            if r["path"].startswith(actor.unit_path)]


async def dashboard(
    actor: Actor,
    *,
    unit_id: int | None = None,
    period: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    sort: str = "name",
    today: dt.date | None = None,
    overdue_limit: int = OVERDUE_LIST_LIMIT,
    all_people: bool = False,
) -> Dashboard:
    """The dashboard of a unit subtree. Its people table is computed when the subtree holds at most
    PEOPLE_INLINE_MAX people (a commune, a department) or with `all_people` (the reports, the people page):
    a province's 5,000 officers are a list to page through, not a table to read on a phone."""
    today = today or clock.today_vn()
    chosen = resolve_period(period, start, end, today)
    scope = await scope_unit(actor, unit_id)
    by_unit, weeks = await grouped(scope.path, chosen, today)
    subtree = await units_under(scope.path)  # read once: the unit rows and the overdue list both need it
    totals, own, units = await unit_rows(scope, chosen, today, by_unit, subtree)
    sort = sort if sort in SORTS else "name"
    people_total = await people_count(scope)
    inline = all_people or people_total <= PEOPLE_INLINE_MAX
    people = await people_rows(scope, chosen, today, actor.unit_path) if inline else []
    return Dashboard(
        scope=scope,
        period=chosen,
        today=today,
        totals=totals,
        own=own,
        units=sort_rows(units, sort),
        people=sort_rows(people, sort),
        weeks=weeks,
        overdue=await overdue_tasks(scope, chosen, today, overdue_limit, [u["id"] for u in subtree]),
        sort=sort,
        breadcrumbs=await breadcrumbs(actor, scope),
        people_total=people_total,
        people_inline=inline,
    )


async def person_dashboard(
    actor: Actor,
    person_id: int,
    *,
    period: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
    overdue_limit: int = OVERDUE_LIST_LIMIT,
) -> Dashboard:
    """One person's figures, weeks and overdue tasks, counted as their row in the people table counts them (the
    tasks led inside the viewer's subtree). Only people of the viewer's subtree: anyone else is not found."""
    today = today or clock.today_vn()
    chosen = resolve_period(period, start, end, today)
    person = await scope_person(actor, person_id)
    scope = await scope_unit(actor, person["unit"])
    mine = {"person_id": person_id, "within_path": actor.unit_path, "today": today}
    # The people's kept counts (server.kpi.people_counts) once built, else their tasks counted.
    totals = await kpi.kept_figures(chosen.start, chosen.end, **mine)
    weeks = await person_weeks(person_id, actor.unit_path, chosen, today) if totals.total else _empty_weeks(chosen)
    _count, late_ids = await kpi.task_page(chosen.start, chosen.end, bucket="in_progress_overdue", limit=overdue_limit,
                                           kept=True, **mine)
    return Dashboard(
        scope=scope,
        period=chosen,
        today=today,
        totals=totals,
        own=None,
        units=[],
        people=[],
        weeks=weeks,
        overdue=await task_rows(late_ids, today),
        breadcrumbs=await breadcrumbs(actor, scope),
        people_total=1,
        person={"id": person["id"], "full_name": person["full_name"], "unit": person["unit"],
                "unit_name": person["unit_name"]},
    )


async def people_page(
    actor: Actor,
    *,
    unit_id: int | None = None,
    period: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    sort: str = "name",
    offset: int = 0,
    limit: int | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The people table of any subtree, a page at a time (the dashboard links here when it is too long)."""
    today = today or clock.today_vn()
    chosen = resolve_period(period, start, end, today)
    scope = await scope_unit(actor, unit_id)
    sort = sort if sort in SORTS else "name"
    rows = sort_rows(await people_rows(scope, chosen, today, actor.unit_path), sort)
    offset = max(0, offset)
    limit = max(1, min(limit or PEOPLE_PAGE, 500))
    return {"scope": scope, "period": chosen, "sort": sort, "count": len(rows), "offset": offset, "limit": limit,
            "rows": rows[offset:offset + limit]}


# ---------------------------------------------------------------- drill-down


async def drilldown(
    actor: Actor,
    *,
    bucket: str | None = None,
    unit_id: int | None = None,
    person_id: int | None = None,
    own: bool = False,
    period: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    offset: int = 0,
    limit: int = DRILL_PAGE,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The exact tasks behind one figure: the count is the length of this list."""
    today = today or clock.today_vn()
    chosen = resolve_period(period, start, end, today)
    if bucket in ("", "total"):
        bucket = None
    if bucket is not None and bucket not in BUCKETS:
        raise Invalid("bucket_invalid", "Nhóm số liệu không hợp lệ")
    offset = max(0, offset)
    limit = max(1, min(limit, 500))
    label: dict[str, Any]
    listing: dict[str, Any]
    if person_id is not None:
        person = await scope_person(actor, person_id)
        listing = {"person_id": person_id, "within_path": actor.unit_path}
        label = {"kind": "person", "id": person_id, "name": person["full_name"], "unit_name": person["unit_name"]}
    else:
        scope = await scope_unit(actor, unit_id)
        listing = {"own_unit_id": scope.id} if own else {"unit_path": scope.path}
        label = {"kind": "own" if own else "unit", "id": scope.id, "name": scope.name, "unit_name": ""}
    # The count from kpi's kept counts (a unit's figure), the page by two sargable, early-stopping branches.
    count, page = await kpi.task_page(chosen.start, chosen.end, bucket=bucket, today=today, offset=offset,
                                      limit=limit, kept=True, **listing)
    return {
        "period": chosen,
        "bucket": bucket,
        "scope": label,
        "count": count,
        "offset": offset,
        "limit": limit,
        "items": await task_rows(page, today),
    }


async def task_rows(ids: list[int], today: dt.date) -> list[dict[str, Any]]:
    if not ids:
        return []
    placeholders = ", ".join("{}" for _ in ids)
    rows = await Task.raw(
        "SELECT t.id, t.title, t.state, t.deadline, t.completed_at, u.name AS unit_name FROM tasks t"
        f" JOIN units u ON u.id = t.lead_unit WHERE t.id IN ({placeholders})",
        *ids,
    )
    names = await holders(ids)
    by_id = {r["id"]: r for r in rows}
    items = []
    for task_id in ids:
        r = by_id[task_id]
        deadline = clock.as_date(r["deadline"])
        completed = clock.as_datetime(r["completed_at"])
        late = 0
        if r["state"] == "done" and completed and deadline:
            late = max(0, (clock.local_date(completed) - deadline).days)
        elif r["state"] != "done" and deadline and deadline < today:
            late = (today - deadline).days
        items.append({
            "id": task_id, "title": r["title"], "state": r["state"], "deadline": deadline, "completed_at": completed,
            "unit_name": r["unit_name"], "holders": names.get(task_id, []), "days_late": late,
        })
    return items


# ---------------------------------------------------------------- directives


async def signers(actor: Actor) -> list[str]:
    rows = await Task.raw(
        "SELECT DISTINCT d.signer AS signer FROM directives d JOIN units u ON u.id = d.unit WHERE u.path LIKE {}"
        " ORDER BY d.signer",
        f"{actor.jurisdiction_path}%",
    )
    return [r["signer"] for r in rows]


async def directive_rollups(
    actor: Actor,
    *,
    signer: str = "",
    kind: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Each directive of the jurisdiction with its top-level tasks in the actor's scope, as directives.rollup counts.

    A unit head sees only the directives that gave their subtree a task, and only those tasks.
    """
    today = today or clock.today_vn()
    where = ["u.path LIKE {}"]
    args: list[object] = [f"{actor.jurisdiction_path}%"]
    if signer.strip():
        where.append("d.signer = {}")
        args.append(signer.strip())
    if not actor.is_leader:  # in SQL, before the limit: an older directive of the head's units still shows
        where.append("EXISTS (SELECT 1 FROM tasks st JOIN units su ON su.id = st.lead_unit"
                     " WHERE st.directive = d.id AND st.parent IS NULL AND su.path LIKE {})")
        args.append(f"{actor.unit_path}%")
    if kind:
        if kind not in {k.value for k in DirectiveKind}:
            raise Invalid("directive_kind_invalid", "Loại văn bản không hợp lệ")
        where.append("d.kind = {}")
        args.append(kind)
    if start:
        where.append("d.issued_on >= {}")
        args.append(kpi.date_param(start))
    if end:
        where.append("d.issued_on <= {}")
        args.append(kpi.date_param(end))
    directives = await Task.raw(
        "SELECT d.id, d.number, d.issued_on, d.signer, d.kind, d.title FROM directives d JOIN units u ON u.id = d.unit"
        f" WHERE {' AND '.join(where)} ORDER BY d.issued_on DESC, d.id DESC LIMIT {int(limit)}",
        *args,
    )
    if not directives:
        return []
    per = await directives_domain.rollups([d["id"] for d in directives], within_path=actor.unit_path, today=today)
    result = []
    for d in directives:
        roll = per[d["id"]]
        result.append({
            "id": d["id"], "number": d["number"], "issued_on": clock.as_date(d["issued_on"]), "signer": d["signer"],
            "kind": d["kind"], "title": d["title"], "rollup": roll,
        })
    return result


__all__ = [
    "DRILL_PAGE",
    "MAX_PERIOD_DAYS",
    "OVERDUE_LIST_LIMIT",
    "PEOPLE_INLINE_MAX",
    "PEOPLE_PAGE",
    "PERIODS",
    "REPORT_PERIODS",
    "SORTS",
    "Dashboard",
    "Period",
    "Row",
    "Scope",
    "Week",
    "breadcrumbs",
    "dashboard",
    "directive_rollups",
    "drilldown",
    "figures_by_lead_unit",
    "figures_by_person",
    "grouped",
    "grouped_from_counts",
    "grouped_from_tasks",
    "holders",
    "name_key",
    "overdue_tasks",
    "people_count",
    "people_page",
    "people_rows",
    "period_containing",
    "person_dashboard",
    "person_weeks",
    "resolve_period",
    "scope_person",
    "scope_unit",
    "signers",
    "sort_rows",
    "task_rows",
    "unit_rows",
    "weekly",
]
