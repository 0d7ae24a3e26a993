"""The leaders' desk: kpi's figures per sub-unit, per person and per week, the overdue tasks, the drill-downs.

Every figure here is built from `server.kpi.services`' SQL pieces (`bucket_sql`, `period_sql`, `scope_sql`,
`date_param`), grouped instead of run once per row, so a row and `kpi.figures()` for the same scope always
agree (tests/unit/dashboard checks it). The lists behind a figure come from `kpi.task_ids()`.
Like `kpi`, this module only reads.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from server.dashboard import aggregate
from server.directives import services as directives_domain
from server.directives.tables import DirectiveKind
from server.kpi import services as kpi
from server.kpi.services import BUCKETS, Figures
from server.lib import clock
from server.lib.actor import Actor
from server.lib.db import is_sqlite
from server.lib.errors import Invalid, NotFound
from server.lib.vn_text import collation_key, person_sort_key
from server.tasks.tables import Task

PERIODS = ("week", "month", "quarter", "year", "custom")
REPORT_PERIODS = ("week", "month", "quarter")
MAX_PERIOD_DAYS = 3660
SORTS = ("name", "on_time", "-on_time", "completion", "-completion", "overdue", "-overdue", "total", "-total")
OVERDUE_LIST_LIMIT = 50
DRILL_PAGE = 100
PEOPLE_INLINE_MAX = 300
PEOPLE_PAGE = 100


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shifted(self, step: int) -> Period:
        """The previous (-1) or next (+1) period of the same kind."""
        if self.kind == "custom":
            delta = dt.timedelta(days=self.days * step)
            return Period("custom", self.start + delta, self.end + delta)
        ref = self.start - dt.timedelta(days=1) if step < 0 else self.end + dt.timedelta(days=1)
        return period_containing(self.kind, ref)


def period_containing(kind: str, day: dt.date) -> Period:
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return Period(kind, start, start + dt.timedelta(days=6))
    if kind == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return Period(kind, day.replace(day=1), day.replace(day=last))
    if kind == "quarter":
        first_month = 3 * ((day.month - 1) // 3) + 1
        last = calendar.monthrange(day.year, first_month + 2)[1]
        return Period(kind, dt.date(day.year, first_month, 1), dt.date(day.year, first_month + 2, last))
    if kind == "year":
        return Period(kind, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    raise Invalid("period_invalid", "Khoảng thời gian không hợp lệ")


def resolve_period(
    kind: str | None, start: dt.date | None = None, end: dt.date | None = None, today: dt.date | None = None
) -> Period:
    """week / month / quarter / year containing `start` (default today), or custom [start, end]. Default: this month."""
    today = today or clock.today_vn()
    kind = (kind or "").strip() or ("custom" if start and end else "month")
    if kind not in PERIODS:
        raise Invalid("period_invalid", "Khoảng thời gian không hợp lệ")
    # The API takes any ISO date; a period (and its previous / next) must stay computable.
    if any(day is not None and not clock.MIN_YEAR <= day.year <= clock.MAX_YEAR for day in (start, end)):
        raise Invalid("date_invalid", "Ngày không hợp lệ (ngày/tháng/năm)")
    if kind == "custom":
        if start is None or end is None or end < start or (end - start).days > MAX_PERIOD_DAYS:
            raise Invalid("period_invalid", "Khoảng thời gian không hợp lệ")
        return Period(kind, start, end)
    return period_containing(kind, start or today)


# ---------------------------------------------------------------- scope


@dataclass(frozen=True)
class Scope:
    id: int
    name: str
    path: str
    parent_id: int | None


async def _units_under(path: str) -> list[dict[str, Any]]:
    return await Task.raw(
        "SELECT u.id, u.name, u.path, u.parent, u.code FROM units u WHERE u.path LIKE {} ORDER BY u.path", f"{path}%"
    )


async def scope_unit(actor: Actor, unit_id: int | None) -> Scope:
    """The actor's own subtree, or a unit inside it; anything else is not found (not forbidden)."""
    target = unit_id if unit_id is not None else actor.unit_id
    rows = await Task.raw("SELECT u.id, u.name, u.path, u.parent FROM units u WHERE u.id = {}", target)
    if not rows or not rows[0]["path"].startswith(actor.unit_path):
        raise NotFound("unit_not_found", "Không tìm thấy đơn vị")
    row = rows[0]
    return Scope(id=row["id"], name=row["name"], path=row["path"], parent_id=row["parent"])


async def scope_person(actor: Actor, person_id: int) -> dict[str, Any]:
    rows = await Task.raw(
        "SELECT p.id, p.full_name, p.unit, u.path, u.name AS unit_name FROM people p JOIN units u ON u.id = p.unit"
        " WHERE p.id = {}",
        person_id,
    )
    if not rows or not rows[0]["path"].startswith(actor.unit_path):
        raise NotFound("person_not_found", "Không tìm thấy cán bộ")
    return rows[0]


# ---------------------------------------------------------------- grouped figures


def _add(figures: Figures, bucket: str | None, n: int) -> None:
    if bucket in BUCKETS:
        setattr(figures, bucket, getattr(figures, bucket) + int(n))


def _dates(period: Period) -> list[object]:
    return [kpi.date_param(d) for d in (period.start, period.end, period.start, period.end)]


def _prefilter(period: Period) -> tuple[str, list[object]]:
    """A condition implied by kpi's period rule that PostgreSQL can answer from the deadline and completed_at
    indexes (kpi's own reads the completion's local date, which no plain index serves). It only narrows the rows
    the exact rule then checks, so the figures are kpi's. SQLite stores times as text: there it is left out.
    """
    if is_sqlite():
        return "", []
    begin = dt.datetime.combine(period.start, dt.time(), tzinfo=clock.VN_TZ)
    finish = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=clock.VN_TZ)
    return (
        " AND ((t.deadline >= {} AND t.deadline <= {}) OR (t.completed_at >= {} AND t.completed_at < {}))",
        [period.start, period.end, begin, finish],
    )


@dataclass
class Week:
    start: dt.date
    end: dt.date
    figures: Figures


def _week_index_sql(date_sql: str, anchor: dt.date) -> str:
    # The anchor is a date we made ourselves (a Monday), so it is safe to write into the SQL.
    if is_sqlite():
        return f"(CAST(julianday({date_sql}) - julianday('{anchor.isoformat()}') AS INTEGER) / 7)"
    return f"(({date_sql} - DATE '{anchor.isoformat()}') / 7)"


def _empty_weeks(period: Period) -> list[Week]:
    """Monday to Sunday, clipped to the period."""
    weeks: list[Week] = []
    monday = period.start - dt.timedelta(days=period.start.weekday())
    while monday <= period.end:
        weeks.append(Week(max(monday, period.start), min(monday + dt.timedelta(days=6), period.end), Figures()))
        monday += dt.timedelta(days=7)
    return weeks


def _fill(rows: list[dict[str, Any]], weeks: list[Week]) -> dict[int, Figures]:
    by_unit: dict[int, Figures] = {}
    for row in rows:
        if row["kind"] == "u":
            _add(by_unit.setdefault(row["k"], Figures()), row["bucket"], row["n"])
        elif 0 <= int(row["k"]) < len(weeks):
            _add(weeks[int(row["k"])].figures, row["bucket"], row["n"])
    return by_unit


async def grouped(
    path: str, period: Period, today: dt.date, *, direct: bool = False
) -> tuple[dict[int, Figures], list[Week]]:
    """kpi.figures(unit_path=path) split by lead unit, and kpi.figures for each week: one pass over the period.

    Weeks run Monday to Sunday, clipped to the period. A task counts in a week when its deadline or its completion
    falls in it, exactly as kpi counts it in a period (so a task completed in another week than its deadline's
    counts in both weeks, once in the period). Read from the kept counts (server.dashboard.aggregate) once they
    are built, else (or with `direct`) from the tasks themselves; tests/unit/dashboard compares the two.
    """
    if not direct and aggregate.usable_for(period.start, period.end) and await aggregate.is_ready():
        return await grouped_from_counts(path, period, today)
    return await grouped_from_tasks(path, period, today)


async def grouped_from_counts(path: str, period: Period, today: dt.date) -> tuple[dict[int, Figures], list[Week]]:
    """The same figures from kpi_unit_days: the rows whose deadline is in the period, plus the done rows completed
    in it whose deadline is not (two index range scans), bucketed with today as kpi buckets a task."""
    anchor = period.start - dt.timedelta(days=period.start.weekday())
    start, end, day = (kpi.date_param(d) for d in (period.start, period.end, today))
    done = "done"  # written alike on both engines, so SQLite uses the partial index on done rows
    sql = (
        "WITH p AS ("
        " SELECT unit, done, deadline, done_on, n FROM kpi_unit_days WHERE deadline >= {} AND deadline <= {}"
        # `done` as a constant, not the column: then the partial index on done rows answers alone (index-only).
        f" UNION ALL SELECT unit, {'1' if is_sqlite() else 'TRUE'} AS done, deadline, done_on, n FROM kpi_unit_days"
        f" WHERE {done} AND done_on >= {{}} AND done_on <= {{}} AND (deadline < {{}} OR deadline > {{}})),"
        " q AS (SELECT unit,"
        f" CASE WHEN {done} AND done_on <= deadline THEN 'done_on_time' WHEN {done} THEN 'done_late'"
        " WHEN deadline < {} THEN 'in_progress_overdue' ELSE 'in_progress_on_time' END AS bucket,"
        f" CASE WHEN deadline >= {{}} AND deadline <= {{}} THEN {_week_index_sql('deadline', anchor)} END AS dwk,"
        f" CASE WHEN {done} AND done_on >= {{}} AND done_on <= {{}} THEN {_week_index_sql('done_on', anchor)} END"
        " AS cwk, n FROM p WHERE unit IN (SELECT u.id FROM units u WHERE u.path LIKE {}))"
        " SELECT 'u' AS kind, unit AS k, bucket, SUM(n) AS n FROM q GROUP BY unit, bucket"
        " UNION ALL SELECT 'w' AS kind, dwk AS k, bucket, SUM(n) AS n FROM q WHERE dwk IS NOT NULL GROUP BY dwk, bucket"
        " UNION ALL SELECT 'w' AS kind, cwk AS k, bucket, SUM(n) AS n FROM q"
        " WHERE cwk IS NOT NULL AND (dwk IS NULL OR dwk <> cwk) GROUP BY cwk, bucket"
    )
    args = [start, end, start, end, start, end, day, start, end, start, end, f"{path}%"]
    weeks = _empty_weeks(period)
    return _fill(await Task.raw(sql, *args), weeks), weeks


async def grouped_from_tasks(path: str, period: Period, today: dt.date) -> tuple[dict[int, Figures], list[Week]]:
    anchor = period.start - dt.timedelta(days=period.start.weekday())
    done_date = kpi.completed_local_date_sql()
    scope, scope_args = kpi.scope_sql(unit_path=path)
    extra, extra_args = _prefilter(period)
    start, end = kpi.date_param(period.start), kpi.date_param(period.end)
    sql = (
        "WITH p AS ("
        f" SELECT t.lead_unit AS unit, {kpi.bucket_sql()} AS bucket,"
        f" CASE WHEN t.deadline >= {{}} AND t.deadline <= {{}} THEN {_week_index_sql('t.deadline', anchor)} END AS dwk,"
        f" CASE WHEN t.state = 'done' AND {done_date} >= {{}} AND {done_date} <= {{}}"
        f" THEN {_week_index_sql(done_date, anchor)} END AS cwk"
        f" FROM tasks t WHERE {scope} AND {kpi.period_sql()} AND {kpi.COUNTED_STATES_SQL}{extra})"
        " SELECT 'u' AS kind, unit AS k, bucket, COUNT(*) AS n FROM p GROUP BY unit, bucket"
        " UNION ALL SELECT 'w' AS kind, dwk AS k, bucket, COUNT(*) AS n FROM p"
        " WHERE dwk IS NOT NULL GROUP BY dwk, bucket"
        " UNION ALL SELECT 'w' AS kind, cwk AS k, bucket, COUNT(*) AS n FROM p"
        " WHERE cwk IS NOT NULL AND (dwk IS NULL OR dwk <> cwk) GROUP BY cwk, bucket"
    )
    args = [kpi.date_param(today), start, end, start, end, *scope_args, *_dates(period), *extra_args]
    weeks = _empty_weeks(period)
    return _fill(await Task.raw(sql, *args), weeks), weeks


async def figures_by_lead_unit(path: str, period: Period, today: dt.date) -> dict[int, Figures]:
    return (await grouped(path, period, today))[0]


async def weekly(path: str, period: Period, today: dt.date) -> list[Week]:
    return (await grouped(path, period, today))[1]


async def figures_by_person(path: str, period: Period, today: dt.date, within_path: str) -> dict[int, Figures]:
    """kpi.figures(person_id=p, within_path=within_path) for every person whose unit is in `path`: one query."""
    extra, extra_args = _prefilter(period)
    led, led_args = kpi.led_within_sql(within_path)
    sql = (
        f"SELECT ta.person AS person, {kpi.bucket_sql()} AS bucket, COUNT(DISTINCT t.id) AS n FROM tasks t"
        " JOIN task_assignees ta ON ta.task = t.id AND ta.removed_at IS NULL"
        " WHERE ta.person IN (SELECT p.id FROM people p JOIN units pu ON pu.id = p.unit WHERE pu.path LIKE {})"
        f" AND {led} AND {kpi.period_sql()} AND {kpi.COUNTED_STATES_SQL}{extra} GROUP BY 1, 2"
    )
    result: dict[int, Figures] = {}
    args = [kpi.date_param(today), f"{path}%", *led_args, *_dates(period), *extra_args]
    for row in await Task.raw(sql, *args):
        _add(result.setdefault(row["person"], Figures()), row["bucket"], row["n"])
    return result


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
    scope: Scope, period: Period, today: dt.date, by_unit: dict[int, Figures] | None = None
) -> tuple[Figures, Row | None, list[Row]]:
    if by_unit is None:
        by_unit = await figures_by_lead_unit(scope.path, period, today)
    units = await _units_under(scope.path)
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


async def overdue_tasks(scope: Scope, period: Period, today: dt.date, limit: int = OVERDUE_LIST_LIMIT) -> list[dict]:
    """The tasks of the 'in progress, overdue' figure, most late first, with days late and who holds them.

    For an open task kpi's period rule is "its deadline is in the period", and overdue means "before today", so
    this reads the first rows of the index of open top-level tasks by deadline (tasks_open_top_deadline).
    """
    # SQLite without ANALYZE statistics prefers the index on `parent` (every top-level task): name the right one.
    indexed = " INDEXED BY tasks_open_top_deadline" if is_sqlite() else ""
    sql = (
        f"SELECT t.id, t.title, t.state, t.deadline, u.name AS unit_name FROM tasks t{indexed}"
        " JOIN units u ON u.id = t.lead_unit"
        f" WHERE t.parent IS NULL AND t.state IN {kpi.OPEN_STATES_SQL} AND t.deadline >= {{}} AND t.deadline <= {{}}"
        " AND t.deadline < {} AND u.path LIKE {}"
        f" ORDER BY t.deadline, t.id LIMIT {int(limit)}"
    )
    rows = await Task.raw(sql, *(kpi.date_param(d) for d in (period.start, period.end, today)), f"{scope.path}%")
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
    totals, own, units = await unit_rows(scope, chosen, today, by_unit)
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
        overdue=await overdue_tasks(scope, chosen, today, overdue_limit),
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
    totals = await kpi.figures(chosen.start, chosen.end, **mine)
    weeks = _empty_weeks(chosen)
    for week in weeks:  # a person's few tasks: one small indexed read a week (at most 53)
        week.figures = await kpi.figures(week.start, week.end, **mine) if totals.total else Figures()
    _count, late_ids = await kpi.task_page(chosen.start, chosen.end, bucket="in_progress_overdue", limit=overdue_limit,
                                           **mine)
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
    count, page = await kpi.task_page(chosen.start, chosen.end, bucket=bucket, today=today, offset=offset,
                                      limit=limit, **listing)
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
