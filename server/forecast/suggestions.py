"""The learned routing's nightly fit, its suggestions for the triage queue, and the admin's switch per category.

`refresh_routing(jurisdiction_id)` (the worker, nightly with the late-risk fit: server.forecast.jobs) reads the
jurisdiction's past reports that a person accepted for one of its units, fits server.forecast.learned_routing on
them when there are enough, and stores the model. The queue only reads what it stored (`for_reports`).

The reports are read with raw SQL, as the late-risk fit reads the tasks: the forecast imports no domain that
imports it back (server.reports.triage asks it for suggestions).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from server.audit import services as audit
from server.forecast import learned_routing as lr
from server.forecast.tables import RoutingModel, RoutingSetting
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Invalid
from server.lib.i18n import gettext as _

if TYPE_CHECKING:
    from server.lib.actor import Actor

READY = "ready"
NOT_ENOUGH = "not_enough_history"
# Examples older than this teach habits the commune has left; a few years of a commune's reports fit.
HISTORY_DAYS = 1095
_cache: dict[int, tuple[Any, lr.Model]] = {}
# The queue is read again and again while its reports wait: each one's suggestion is kept per process until the
# next fit (the key holds the fit's time) or until the report's words, category or place change.
_suggested: dict[tuple[Any, ...], lr.Suggestion | None] = {}
MAX_KEPT = 5000


def _title(description: str, category: str) -> str:
    words = " ".join((description or "").split())
    short = words if len(words) <= 70 else words[:69].rsplit(" ", 1)[0] + "…"
    return short or category


async def load_examples(path: str, today: dt.date) -> list[lr.Example]:
    """Reports a person accepted for a unit of the tree under `path` (accepted or resolved since): the label is
    the unit that holds the report's task now, else the report's own unit. A re-routed report is one of these
    like any other: the unit the person chose is what is learnt."""
    # The history starts at midnight in Vietnam, as the commune's days do (clock.local_date), not at UTC's. The
    # datetime itself is passed on both engines: on SQLite Piccolo writes it as the column is stored (UTC, a space
    # before the time), which its ISO text ('T', +07:00) does not compare with.
    since = dt.datetime.combine(today - dt.timedelta(days=HISTORY_DAYS), dt.time(), tzinfo=clock.VN_TZ)
    rows = await RoutingModel.raw(
        "SELECT r.id, r.code, r.description, r.category, r.latitude, r.longitude, r.received_at,"
        " COALESCE(t.lead_unit, r.unit) AS final_unit, c.name AS category_name FROM reports r"
        " LEFT JOIN tasks t ON t.id = r.task_id LEFT JOIN report_categories c ON c.id = r.category"
        " JOIN units u ON u.id = COALESCE(t.lead_unit, r.unit)"
        " WHERE r.status IN ('accepted', 'resolved') AND r.received_at >= {} AND u.path LIKE {}"
        " ORDER BY r.received_at, r.id",
        since, f"{path}%",
    )
    examples = []
    for r in rows:
        received = clock.as_datetime(r["received_at"])
        assert received is not None
        examples.append(lr.Example(
            report_id=r["id"], code=r["code"], title=_title(r["description"], r["category_name"] or ""),
            text=r["description"] or "", category=r["category"], lat=r["latitude"], lon=r["longitude"],
            day=clock.local_date(received), unit=r["final_unit"],
        ))
    return examples


@dataclass
class RoutingRefresh:
    jurisdiction: int
    status: str
    examples: int
    units: int


async def refresh_routing(jurisdiction_id: int, today: dt.date | None = None) -> RoutingRefresh:
    today = today or clock.today_vn()
    rows = await RoutingModel.raw("SELECT path FROM units WHERE id = {}", jurisdiction_id)
    path = rows[0]["path"] if rows else f"/{jurisdiction_id}/"
    examples = await load_examples(path, today)
    units = len({e.unit for e in examples})
    fitted = None
    if lr.enough(examples):
        import asyncio

        fitted = await asyncio.to_thread(lr.fit, examples)
    values: dict[str, Any] = {
        "status": READY if fitted else NOT_ENOUGH, "examples": len(examples), "units": units,
        "params": json.dumps(fitted.as_json(), separators=(",", ":")) if fitted else "", "fitted_at": clock.now(),
    }
    async with write_transaction():
        existing = await RoutingModel.select(RoutingModel.id).where(
            RoutingModel.jurisdiction == jurisdiction_id).first()
        if existing:
            await RoutingModel.update(values).where(RoutingModel.id == existing["id"])
        else:
            await RoutingModel.insert(RoutingModel(jurisdiction=jurisdiction_id, **values))
    _cache.pop(jurisdiction_id, None)
    return RoutingRefresh(jurisdiction_id, values["status"], len(examples), units)


async def _model(jurisdiction_id: int) -> tuple[str, lr.Model | None]:
    """(status, model) of a jurisdiction, the parsed model kept per process until the next fit."""
    row = await RoutingModel.select(RoutingModel.status, RoutingModel.fitted_at).where(
        RoutingModel.jurisdiction == jurisdiction_id).first()
    if row is None:
        return "not_fitted", None
    if row["status"] != READY:
        return row["status"], None
    cached = _cache.get(jurisdiction_id)
    if cached and cached[0] == row["fitted_at"]:
        return READY, cached[1]
    params = await RoutingModel.select(RoutingModel.params).where(
        RoutingModel.jurisdiction == jurisdiction_id).first()
    model = lr.Model.from_json(json.loads(params["params"]))
    _cache[jurisdiction_id] = (row["fitted_at"], model)
    return READY, model


async def learned_categories() -> set[int]:
    return {r["category"] for r in await RoutingSetting.select(RoutingSetting.category).where(
        RoutingSetting.learned.eq(True))}


async def set_learned(actor: Actor, category_id: int, on: bool) -> None:
    """The admin's switch: the learned suggestion pre-selected for this category's reports (when confident)."""
    rows = await RoutingModel.raw("SELECT id FROM report_categories WHERE id = {}", category_id)
    if not rows:
        raise Invalid("category_not_found", "Không tìm thấy lĩnh vực")
    now = clock.now()
    async with write_transaction():
        existing = await RoutingSetting.select(RoutingSetting.id, RoutingSetting.learned).where(
            RoutingSetting.category == category_id).first()
        before = bool(existing and existing["learned"])
        if existing:
            await RoutingSetting.update({RoutingSetting.learned: on, RoutingSetting.updated_at: now}).where(
                RoutingSetting.id == existing["id"])
        else:
            await RoutingSetting.insert(RoutingSetting(category=category_id, learned=on, updated_at=now))
        await audit.record(actor_id=actor.id, actor_name=actor.full_name, action="report_category.learned_routing",
                           entity="report_category", entity_id=category_id, before={"learned": before},
                           after={"learned": on})


async def for_reports(jurisdiction_path: str, items: list[dict[str, Any]], today: dt.date | None = None,
                      ) -> dict[int, dict[str, Any]]:
    """For each report (by id): the learned suggestion shown beside the rule's choice. The unit's name is the
    caller's to add (the triage page reads every unit name it shows in one query).

    {"status": ready | not_enough_history | not_fitted, "message", "unit_id", "unit_name", "confidence",
    "percent", "evidence": [{"code", "title"}], "preselect": whether the admin turned it on for the report's
    category and the confidence reaches learned_routing.PRESELECT_CONFIDENCE}.
    """
    if not items:
        return {}
    today = today or clock.today_vn()
    try:
        jurisdiction = int(jurisdiction_path.strip("/").split("/")[0])
    except ValueError:  # someone outside any unit tree: nothing learnt for them
        return {}
    status, model = await _model(jurisdiction)
    on = await learned_categories()
    result: dict[int, dict[str, Any]] = {}
    messages = {NOT_ENOUGH: _("Chưa đủ lịch sử để gợi ý"), "not_fitted": _("Gợi ý chưa được tính")}
    for item in items:
        if model is None:
            result[item["id"]] = {"status": status, "message": messages.get(status, ""), "unit_id": None}
            continue
        key = (jurisdiction, _cache[jurisdiction][0], today, item["id"], item.get("description") or "",
               item.get("category"), item.get("latitude"), item.get("longitude"))
        if key not in _suggested:
            if len(_suggested) >= MAX_KEPT:
                _suggested.clear()
            _suggested[key] = lr.suggest(model, key[4], key[5], key[6], key[7], today)
        found = _suggested[key]
        if found is None:
            result[item["id"]] = {"status": status, "message": _("Không có phản ánh tương tự"), "unit_id": None}
            continue
        if found.confidence <= lr.SHOW_CONFIDENCE:
            result[item["id"]] = {"status": "unclear", "unit_id": None, "message": _(
                "Các phản ánh tương tự trước đây do nhiều đơn vị xử lý: chưa đủ rõ để gợi ý")}
            continue
        result[item["id"]] = {
            "status": READY, "message": "", "unit_id": found.unit, "confidence": found.confidence,
            "percent": round(found.confidence * 100), "evidence": found.evidence,
            "ranking": found.ranking[:3],
            "preselect": item.get("category") in on and found.confidence >= lr.PRESELECT_CONFIDENCE,
        }
    return result
