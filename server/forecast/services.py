"""The late-risk forecast's reads and its nightly refresh.

`refresh(jurisdiction_id)` (the worker, nightly) reads the jurisdiction's top-level tasks and their histories,
fits the model when there is enough history, and replaces the stored scores of its open tasks. The screens
only read what it stored: `panel` (the dashboard's list and per-unit figure) and `task_risk` (the badge).
Risk is a manager's instrument: leaders over their jurisdiction, unit heads over their own subtree.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from server.forecast import model
from server.forecast.tables import ForecastModel, TaskRisk
from server.holidays.services import load_calendar
from server.lib import clock
from server.lib.db import is_sqlite, write_transaction
from server.lib.errors import Forbidden, NotFound
from server.lib.i18n import gettext as _

if TYPE_CHECKING:
    from server.lib.actor import Actor

# A task is "at risk" (listed, counted, badged in red) from this probability on.
RISK_THRESHOLD = 0.5
HIGH_RISK = 0.7
PANEL_LIMIT = 20
INSERT_BATCH = 500
OPEN_STATES = ("assigned", "in_progress", "submitted", "returned")
READY = "ready"
NOT_ENOUGH = "not_enough_history"


def _date(day: dt.date) -> object:
    # SQLite compares dates as ISO text; PostgreSQL wants a real date.
    return day.isoformat() if is_sqlite() else day


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# ---------------------------------------------------------------- reading the history


# Two years of deadlines: one year of records as of moments up to a year back. Older tasks teach nothing newer
# ones do not, and a province's full history would not fit in the worker's memory.
HISTORY_DAYS = 730
# A report counts when it was not refused (NULL, or '' as older rows have it) and gave a percent.
_KEPT_REPORT = " AND (p.refused_reason IS NULL OR p.refused_reason = '') AND p.percent IS NOT NULL"
_SCOPE = (
    " JOIN units u ON u.id = t.lead_unit WHERE t.parent IS NULL AND t.deadline IS NOT NULL"
    f" AND t.state NOT IN ('draft', 'cancelled') AND (t.deadline >= {{}} OR t.state IN {_in(OPEN_STATES)})"
    " AND u.path LIKE {}"
)


def _day(value: Any) -> dt.date:
    moment = clock.as_datetime(value)
    assert moment is not None
    return clock.local_date(moment)


async def load_histories(path: str, today: dt.date) -> tuple[list[model.History], dict[int, str]]:
    """The top-level tasks under the unit path with a deadline in the last HISTORY_DAYS or still open (drafts and
    cancelled ones aside), and each one's lead unit path, as the model's histories."""
    scope = (_date(today - dt.timedelta(days=HISTORY_DAYS)), f"{path}%")
    rows = await ForecastModel.raw(
        "SELECT t.id, t.lead_unit, t.source, t.priority, t.state, t.deadline, t.assigned_at, t.created_at,"
        " t.completed_at, u.path FROM tasks t" + _SCOPE, *scope
    )
    people: dict[int, int] = {}
    for r in await ForecastModel.raw(
        "SELECT a.task, a.person, a.is_main, a.removed_at FROM task_assignees a JOIN tasks t ON t.id = a.task"
        + _SCOPE + " ORDER BY a.id", *scope
    ):
        if r["is_main"] and r["removed_at"] is None:
            people.setdefault(r["task"], r["person"])
    deadlines: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for r in await ForecastModel.raw(
        "SELECT d.task, d.deadline, d.set_at FROM task_deadlines d JOIN tasks t ON t.id = d.task"
        + _SCOPE + " ORDER BY d.set_at, d.id", *scope
    ):
        deadlines[r["task"]].append((_day(r["set_at"]), clock.as_date(r["deadline"])))
    reports: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for r in await ForecastModel.raw(
        "SELECT p.task, p.percent, p.captured_at, p.received_at FROM progress_reports p JOIN tasks t ON t.id = p.task"
        + _SCOPE + _KEPT_REPORT, *scope
    ):
        reports[r["task"]].append((_day(r["captured_at"] or r["received_at"]), int(r["percent"])))
    part_reports: dict[int, list[tuple[dt.date, int, int]]] = defaultdict(list)
    for r in await ForecastModel.raw(
        "SELECT t.id AS top, p.task, p.percent, p.captured_at, p.received_at FROM progress_reports p"
        " JOIN tasks part ON part.id = p.task JOIN tasks t ON t.id = part.parent" + _SCOPE + _KEPT_REPORT, *scope
    ):
        part_reports[r["top"]].append((_day(r["captured_at"] or r["received_at"]), r["task"], int(r["percent"])))
    returns: dict[int, list[dt.date]] = defaultdict(list)
    for r in await ForecastModel.raw(
        "SELECT e.task, e.received_at FROM task_events e JOIN tasks t ON t.id = e.task"
        + _SCOPE + " AND e.kind = 'transition' AND e.to_state = 'returned'", *scope
    ):
        returns[r["task"]].append(_day(r["received_at"]))
    histories = []
    paths = {}
    for r in rows:
        assigned_on = _day(r["assigned_at"] or r["created_at"])
        deadline = clock.as_date(r["deadline"])
        assert deadline is not None
        known = deadlines.get(r["id"]) or [(assigned_on, deadline)]
        if known[-1][1] != deadline:  # the deadline in force is the task's own, whatever the history says
            known.append((known[-1][0], deadline))
        completed = r["completed_at"] if r["state"] == "done" else None
        histories.append(model.History(
            id=r["id"], unit_id=r["lead_unit"], person_id=people.get(r["id"]), source=r["source"] or "",
            priority=r["priority"] or "normal", assigned_on=assigned_on, deadlines=known,
            reports=sorted(reports.get(r["id"], [])), returns=sorted(returns.get(r["id"], [])),
            part_reports=sorted(part_reports.get(r["id"], [])),
            state=r["state"],
            completed_on=_day(completed) if completed is not None else None,
        ))
        paths[r["id"]] = r["path"]
    return histories, paths


# ---------------------------------------------------------------- the nightly refresh


@dataclass
class RefreshResult:
    jurisdiction: int
    status: str
    closed: int
    late: int
    examples: int
    scored: int


async def _jurisdiction_path(jurisdiction_id: int) -> str:
    rows = await ForecastModel.raw("SELECT path FROM units WHERE id = {}", jurisdiction_id)
    return rows[0]["path"] if rows else f"/{jurisdiction_id}/"


async def refresh(jurisdiction_id: int, today: dt.date | None = None) -> RefreshResult:
    """Fit the jurisdiction's model on its decided tasks and score its open ones, or record that its history is
    too short; the stored scores are replaced as a whole."""
    today = today or clock.today_vn()
    path = await _jurisdiction_path(jurisdiction_id)
    histories, paths = await load_histories(path, today)
    calendar = await load_calendar()
    closed, late = model.closed_count(histories, today)
    enough = closed >= model.MIN_CLOSED and min(late, closed - late) >= model.MIN_EACH_OUTCOME
    fitted: model.Model | None = None
    examples = 0
    if enough:
        xs, ys = model.training_set(histories, today, calendar)
        examples = len(ys)
        if min(sum(ys), len(ys) - sum(ys)) >= model.MIN_EACH_OUTCOME:
            # The fit is CPU work of a second or so: off the event loop, so the worker's other jobs go on.
            fitted = await asyncio.to_thread(model.fit, xs, ys)
    scores: list[TaskRisk] = []
    now = clock.now()
    if fitted is not None:
        record, load = model.Record(histories, today), model.Load(histories)
        for h in histories:
            if h.completed_on is not None or h.deadline < today or h.state == "submitted":
                # Done; or late already (the overdue list speaks for those); or its result is in, awaiting the
                # leader: completion is that submission's time, so there is nothing left to forecast.
                continue
            row = model.features(h, today, calendar, record, load)
            scores.append(TaskRisk(
                task=h.id, jurisdiction=jurisdiction_id, unit_path=paths[h.id],
                probability=fitted.probability(row.x), reasons=json.dumps(model.reasons(fitted, row)), scored_at=now,
            ))
    status = READY if fitted is not None else NOT_ENOUGH
    async with write_transaction():
        await TaskRisk.delete().where(TaskRisk.jurisdiction == jurisdiction_id)
        # In slices: one INSERT of a province's open tasks would pass SQLite's limit of bound variables.
        for start in range(0, len(scores), INSERT_BATCH):
            await TaskRisk.insert(*scores[start:start + INSERT_BATCH])
        values: dict[str, Any] = {
            "status": status, "closed_tasks": closed, "late_tasks": late, "examples": examples,
            "params": json.dumps(fitted.as_json()) if fitted else "", "fitted_at": now,
        }
        existing = await ForecastModel.select(ForecastModel.id).where(
            ForecastModel.jurisdiction == jurisdiction_id
        ).first()
        if existing:
            await ForecastModel.update(values).where(ForecastModel.id == existing["id"])
        else:
            await ForecastModel.insert(ForecastModel(jurisdiction=jurisdiction_id, **values))
    return RefreshResult(jurisdiction_id, status, closed, late, examples, len(scores))


async def jurisdictions() -> list[int]:
    return [r["id"] for r in await ForecastModel.raw("SELECT id FROM units WHERE parent IS NULL ORDER BY id")]


async def due_jurisdictions(today: dt.date, hour: int, min_hour: int) -> list[int]:
    """Those never fitted, and (from `min_hour` local time) those last fitted before today: one fit a night."""
    fitted = {r["jurisdiction"]: r["fitted_at"] for r in await ForecastModel.select(
        ForecastModel.jurisdiction, ForecastModel.fitted_at
    )}
    due = []
    for jurisdiction in await jurisdictions():
        at = fitted.get(jurisdiction)
        if at is None or (hour >= min_hour and clock.local_date(clock.as_datetime(at)) < today):
            due.append(jurisdiction)
    return due


# ---------------------------------------------------------------- what the screens read


async def scope_path(actor: Actor, unit_id: int | None) -> str:
    """The path of the actor's own unit, or of a unit inside their subtree; anything else is not found."""
    rows = await TaskRisk.raw("SELECT path FROM units WHERE id = {}", unit_id if unit_id is not None else actor.unit_id)
    if not rows or not rows[0]["path"].startswith(actor.unit_path):
        raise NotFound("unit_not_found", "Không tìm thấy đơn vị")
    return rows[0]["path"]


def render_reason(reason: dict[str, Any], _: Any = _) -> str:
    """A reason in words; `_` translates (the request's language by default, a person's for the digest)."""
    code = reason.get("code")
    if code == "progress":
        return _("{progress}% tiến độ, còn {days} ngày làm việc", progress=reason["progress"], days=reason["days_left"])
    if code == "silent":
        return _("{days} ngày chưa báo cáo", days=reason["silent"])
    if code == "extensions":
        return _("đã gia hạn {n} lần", n=reason["extensions"])
    if code == "returns":
        return _("đã bị trả lại {n} lần", n=reason["returns"])
    if code == "load":
        return _("người thực hiện đang giữ {n} nhiệm vụ khác", n=reason["load"])
    if code == "unit_record":
        return _("đơn vị này hoàn thành trễ {late}/{n} nhiệm vụ tương tự trong 12 tháng qua",
                 late=reason["unit_late"], n=reason["unit_n"])
    if code == "person_record":
        return _("người thực hiện hoàn thành trễ {late}/{n} nhiệm vụ tương tự trong 12 tháng qua",
                 late=reason["person_late"], n=reason["person_n"])
    return ""


def level(probability: float) -> str:
    return "high" if probability >= HIGH_RISK else "risk" if probability >= RISK_THRESHOLD else "low"


def level_label(probability: float) -> str:
    return {"high": _("Nguy cơ trễ hạn cao"), "risk": _("Có nguy cơ trễ hạn"), "low": _("Nguy cơ trễ hạn thấp")}[
        level(probability)
    ]


def _risk(row: dict[str, Any]) -> dict[str, Any]:
    probability = float(row["probability"])
    reasons = [render_reason(r) for r in json.loads(row["reasons"] or "[]")]
    return {
        "probability": probability, "percent": round(probability * 100), "level": level(probability),
        "label": level_label(probability), "reasons": [r for r in reasons if r],
    }


async def model_status(jurisdiction_path: str) -> dict[str, Any]:
    """{"status": ready | not_enough_history | not_fitted, "message", "closed", "fitted_at"} for a jurisdiction."""
    jurisdiction = int(jurisdiction_path.strip("/").split("/")[0])
    row = await ForecastModel.select().where(ForecastModel.jurisdiction == jurisdiction).first()
    if row is None:
        return {"status": "not_fitted", "message": _("Dự báo chưa được tính"), "closed": 0, "fitted_at": None}
    message = _("Chưa đủ lịch sử") if row["status"] == NOT_ENOUGH else ""
    return {"status": row["status"], "message": message, "closed": row["closed_tasks"], "fitted_at": row["fitted_at"]}


async def panel(actor: Actor, scope_path: str, *, today: dt.date | None = None, limit: int = PANEL_LIMIT
                ) -> dict[str, Any]:
    """The dashboard's "Có nguy cơ trễ hạn": the scope's open tasks at risk, riskiest first, and how many per unit.

    Tasks that were done or cancelled since the night's scoring, or whose deadline has passed, drop out at once.
    """
    if not scope_path.startswith(actor.unit_path):
        raise Forbidden("forecast_out_of_scope", "Bạn không quản lý đơn vị này")
    today = today or clock.today_vn()
    status = await model_status(actor.jurisdiction_path)
    rows = await TaskRisk.raw(
        "SELECT r.task, r.probability, r.reasons, t.title, t.deadline, t.progress_percent, u.id AS unit_id,"
        " u.name AS unit_name FROM forecast_task_risks r JOIN tasks t ON t.id = r.task"
        " JOIN units u ON u.id = t.lead_unit"
        f" WHERE r.unit_path LIKE {{}} AND r.probability >= {{}} AND t.state IN {_in(OPEN_STATES)}"
        " AND t.deadline >= {} ORDER BY r.probability DESC, t.deadline, t.id",
        f"{scope_path}%", RISK_THRESHOLD, _date(today),
    )
    per_unit = Counter((r["unit_id"], r["unit_name"]) for r in rows)
    tasks = [{
        "id": r["task"], "title": r["title"], "deadline": clock.as_date(r["deadline"]),
        "progress": r["progress_percent"], "unit_name": r["unit_name"], **_risk(r),
    } for r in rows[:limit]]
    top = max(per_unit.values(), default=0)
    return {
        **status, "tasks": tasks, "total": len(rows),
        "by_unit": [{"unit_id": uid, "unit_name": name, "count": n, "share": n / top if top else 0}
                    for (uid, name), n in sorted(per_unit.items(), key=lambda kv: (-kv[1], kv[0][1]))],
    }


async def task_risk(actor: Actor, task_id: int) -> dict[str, Any] | None:
    """The badge of a task the actor may already see: None for those who do not manage its lead unit, and when the
    task has no score (done, late already, or no model yet)."""
    if not actor.manages_units:
        return None
    rows = await TaskRisk.raw(
        "SELECT r.probability, r.reasons, r.scored_at, u.path FROM forecast_task_risks r"
        " JOIN tasks t ON t.id = r.task JOIN units u ON u.id = t.lead_unit"
        f" WHERE r.task = {{}} AND t.state IN {_in(OPEN_STATES)}",
        task_id,
    )
    if not rows or not rows[0]["path"].startswith(actor.unit_path):
        return None
    return {**_risk(rows[0]), "scored_at": clock.as_datetime(rows[0]["scored_at"])}
