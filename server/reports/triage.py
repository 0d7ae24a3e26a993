"""Triage: the receptionist's queue, and the three ways a new report leaves it (accept, reject, merge).

Split from services.py (which re-exports it); the helpers it shares come from intake, public, notices, categories.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import Any

from server.audit import services as audit
from server.forecast import duplicates as meaning
from server.forecast import suggestions
from server.holidays.services import load_calendar
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.errors import Conflict, Invalid, NotFound
from server.lib.i18n import gettext_in
from server.lib.vn_text import fold, like_pattern
from server.people.services import Actor
from server.people.tables import Role
from server.reports.access import require_triage
from server.reports.categories import get_category
from server.reports.events import report_changed
from server.reports.intake import DUPLICATE_RADIUS_M, DUPLICATE_WINDOW_DAYS, REJECT_KINDS, normalise_code
from server.reports.notices import _event, _mail
from server.reports.public import PUBLIC_COLUMNS, _decorate
from server.reports.routing import area_matches, load_areas, route, route_many
from server.reports.tables import Report, ReportKind, ReportPhoto, ReportStatus
from server.settings import get_settings
from server.units.tables import Unit

PER_PAGE = 25
BULK_LIMIT = 200  # the most a bulk rejection takes at once: a few pages of the queue
ORDERS = ("oldest", "newest")
STATES = ("new", "all")
# Age filter: how long a report has waited, in calendar days ("today": received today, Vietnam's day).
AGES = ("today", "1", "3", "7")
THUMB_ZOOM = 16


@dataclass(frozen=True)
class QueueFilter:
    """What the receptionist chose on the queue; anything unknown falls back to the default, never an error."""

    state: str = "new"
    order: str = "oldest"
    category_id: int | None = None
    area_id: int | None = None
    age: str = ""
    page: int = 1
    # A tracking code or words of the report: a citizen who calls gives the code, diacritics and case ignored.
    q: str = ""

    @classmethod
    def of(cls, *, state: str = "", order: str = "", category_id: int | None = None, area_id: int | None = None,
           age: str = "", page: int | None = None, q: str = "") -> QueueFilter:
        return cls(state=state if state in STATES else "new", order=order if order in ORDERS else "oldest",
                   category_id=category_id, area_id=area_id, age=age if age in AGES else "",
                   page=max(1, min(page or 1, 100_000)), q=" ".join((q or "").split())[:200])

    def query(self, **change: Any) -> dict[str, Any]:
        """The filter as the queue's query string (defaults left out), with `change` applied."""
        values = {"state": self.state, "order": self.order, "category": self.category_id, "area": self.area_id,
                  "age": self.age, "q": self.q, "page": self.page} | change
        defaults = {"state": "new", "order": "oldest", "page": 1}
        return {k: v for k, v in values.items() if v not in (None, "") and defaults.get(k) != v}


def _where(flt: QueueFilter) -> Any:
    where = Report.status == ReportStatus.new.value if flt.state == "new" else Report.id > 0
    if flt.category_id:
        where &= Report.category == flt.category_id
    if flt.age == "today":
        # In UTC, as stored: SQLite compares the timestamps as text.
        where &= Report.received_at >= dt.datetime.combine(clock.today_vn(), dt.time(), tzinfo=clock.VN_TZ).astimezone(
            dt.UTC)
    elif flt.age:
        where &= Report.received_at <= clock.now() - dt.timedelta(days=int(flt.age))
    for word in fold(flt.q).split()[:8]:  # every word, in any order, as the portal's search
        where &= Report.search_text.like(like_pattern(word))
    return where


async def _ids_in_area(where: Any, area_id: int, newest: bool) -> list[int]:
    """The ids under `where` inside one area, in queue order: a boundary cannot be asked of SQL portably, so
    the page's candidates (id and place only) are read once and matched here, as routing does."""
    area = (await load_areas()).get(area_id)
    if area is None:
        return []
    rows = await Report.select(Report.id, Report.latitude, Report.longitude, Report.address).where(where).order_by(
        Report.received_at, ascending=not newest).order_by(Report.id, ascending=not newest)
    return [r["id"] for r in rows if area_matches(area, r["latitude"], r["longitude"], r["address"] or "")]


def mini_map(lat: float | None, lon: float | None) -> dict[str, Any] | None:
    """A map without JavaScript: the one OpenStreetMap tile around the point, with the pin's place on it in
    per cent, and the link that opens the full map there."""
    if lat is None or lon is None:
        return None
    n = 2**THUMB_ZOOM
    x = (lon + 180) / 360 * n
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return {"tile": f"https://tile.openstreetmap.org/{THUMB_ZOOM}/{int(x)}/{int(y)}.png",
            "left": round((x % 1) * 100, 1), "top": round((y % 1) * 100, 1),
            "link": f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"}


async def waiting_count() -> int:
    """How many reports and petitions wait for triage: the menu's badge and the queue's heading."""
    return await Report.count().where(Report.status == ReportStatus.new.value)


async def triage_page(actor: Actor, flt: QueueFilter | None = None, per_page: int = PER_PAGE) -> dict[str, Any]:
    """One page of the queue, in a fixed number of queries whatever its length: count, page, categories,
    unit names, photos, duplicates' candidates, the routing data (rules, areas, defaults)."""
    require_triage(actor)
    flt = flt or QueueFilter()
    where = _where(flt)
    newest = flt.order == "newest"
    if flt.area_id:
        ids = await _ids_in_area(where, flt.area_id, newest)
        total = len(ids)
        page_ids = ids[(flt.page - 1) * per_page: flt.page * per_page]
        rows = await Report.select(*PUBLIC_COLUMNS).where(Report.id.is_in(page_ids)) if page_ids else []
        rows = sorted(rows, key=lambda r: page_ids.index(r["id"]))
    else:
        total = await Report.count().where(where)
        rows = await Report.select(*PUBLIC_COLUMNS).where(where).order_by(
            Report.received_at, ascending=not newest).order_by(Report.id, ascending=not newest).limit(
            per_page).offset((flt.page - 1) * per_page)
    items = await _decorate(list(rows))
    units = await _add_triage_facts(items, actor.jurisdiction_path)
    waiting = total if flt.state == "new" and not (flt.category_id or flt.area_id or flt.age) else await waiting_count()
    return {"items": items, "total": total, "waiting": waiting, "page": flt.page, "per_page": per_page,
            "pages": max(1, math.ceil(total / per_page)), "filter": flt, "units": units}


async def unit_choices(jurisdiction_path: str, named: set[int] | None = None
                       ) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """One read of the units for a triage screen: the active units of the jurisdiction, which routing chooses
    among (by path), and the names of `named` (the units the rule and the history pick, which may lie outside
    it or be closed since)."""
    where = Unit.active.eq(True) & Unit.path.like(f"{jurisdiction_path}%")
    if named:
        where = where | Unit.id.is_in(sorted(named))
    rows = await Unit.select(Unit.id, Unit.name, Unit.path, Unit.active).where(where).order_by(Unit.path)
    choices = [{"id": r["id"], "name": r["name"], "path": r["path"]} for r in rows
               if r["active"] and r["path"].startswith(jurisdiction_path)]
    return choices, {r["id"]: r["name"] for r in rows}


async def _add_triage_facts(items: list[dict[str, Any]], jurisdiction_path: str) -> list[dict[str, Any]]:
    """What the receptionist needs to decide without opening the report: its photos' thumbnails, the map,
    the unit the rules will pick, the unit history suggests (server.forecast.suggestions) beside it, and the
    likely duplicates with their evidence (server.forecast.duplicates). Returns the units to choose among
    (`unit_choices`), read in the same query as the names of the rule's and the history's units.

    The rule stays the default; the learned unit is pre-selected (`chosen_unit_id`) only for a category whose
    learned routing the admin turned on, and only when its confidence is high enough."""
    ids = [item["id"] for item in items]
    photos: dict[int, list[int]] = {}
    if ids:
        for row in await ReportPhoto.select(ReportPhoto.id, ReportPhoto.report).where(
                ReportPhoto.report.is_in(ids) & (ReportPhoto.kind == "before")).order_by(ReportPhoto.position):
            photos.setdefault(row["report"], []).append(row["id"])
    routed = await route_many(items) if items else {}
    learned = await suggestions.for_reports(jurisdiction_path, items)
    choices, names = await unit_choices(jurisdiction_path, {u for u in routed.values() if u}
                                        | {s["unit_id"] for s in learned.values() if s.get("unit_id")})
    for suggestion in learned.values():
        if suggestion.get("unit_id"):
            suggestion["unit_name"] = names.get(suggestion["unit_id"], "")
    for item, similar in zip(items, await similar_to_each(items), strict=True):
        item["similar"] = similar
        item["photo_ids"] = photos.get(item["id"], [])
        item["map"] = mini_map(item["latitude"], item["longitude"])
        item["rule_unit_id"] = routed.get(item["id"])
        item["rule_unit_name"] = names.get(item["rule_unit_id"] or 0, "")
        item["learned"] = learned.get(item["id"]) or {}
        preselect = item["learned"].get("preselect") and item["learned"]["unit_id"] != item["rule_unit_id"]
        item["chosen_unit_id"] = item["learned"]["unit_id"] if preselect else None
    return choices


async def similar_reports(report: dict[str, Any], limit: int = 5) -> list[dict[str, Any]]:
    """The likely duplicates of one report, best first, each with its evidence."""
    return (await similar_to_each([report], limit))[0]


async def similar_to_each(reports: list[dict[str, Any]], limit: int = 5) -> list[list[dict[str, Any]]]:
    """`similar_reports` for a whole queue in one query: the reports within DUPLICATE_RADIUS_M and
    DUPLICATE_WINDOW_DAYS whose words say the same (diacritics or not, other words for the same problem),
    scored by server.forecast.duplicates with pg_trgm on PostgreSQL and the same figure in Python on SQLite."""
    return await meaning.candidates_for(reports, DUPLICATE_RADIUS_M, DUPLICATE_WINDOW_DAYS, limit)


async def staff_report(actor: Actor, report_id: int) -> dict[str, Any]:
    """Staff view of one report, including the reporter's contact (the receptionist needs it to call back)."""
    require_triage(actor)
    row = await Report.select().where(Report.id == report_id).first()
    if row is None:
        raise NotFound("report_not_found", "Không tìm thấy phản ánh")
    item = (await _decorate([row]))[0]
    item["photo_rows"] = [{"id": p["id"], "kind": p["kind"], "has_original": bool(p["original_sha256"])}
                          for p in await ReportPhoto.select(ReportPhoto.id, ReportPhoto.kind,
                                                            ReportPhoto.original_sha256).where(
                              ReportPhoto.report == report_id).order_by(ReportPhoto.position)]
    item["unit_choices"] = await _add_triage_facts([item], actor.jurisdiction_path)
    item["suggested_unit"] = item["chosen_unit_id"] or item["rule_unit_id"]
    return item


async def _load_new(report_id: int) -> dict[str, Any]:
    row = await Report.select().where(Report.id == report_id).first()
    if row is None:
        raise NotFound("report_not_found", "Không tìm thấy phản ánh")
    if row["status"] != ReportStatus.new.value:
        raise Conflict("report_already_triaged", "Phản ánh đã được phân loại", status=row["status"])
    return row


def routing_actor(actor: Actor) -> Actor:
    """Whoever triages, acting for the People's Committee when accepting: routing may send a report to any unit
    of their jurisdiction (the unit tree's root above them), whichever unit they sit in themselves.

    Only this function's result creates and assigns the task; the person keeps their own role everywhere else,
    so routing gives them no right to read or change the task afterwards (tasks.access sees a receptionist as
    an officer: only what is assigned to them). The audit log names the real person; a leader approves the
    task as any other.
    """
    return replace(actor, role=Role.unit_head.value, unit_path=actor.jurisdiction_path)


delegated_actor = routing_actor  # the older name


async def accept(actor: Actor, report_id: int, *, unit_id: int | None = None, public_note: str = "") -> dict[str, Any]:
    """Accept a new report: it becomes a task for the routed unit, due `target_days` working days after receipt."""
    require_triage(actor)
    from server.tasks.services import create_task

    row = await _load_new(report_id)
    rule_unit = await route(row["category"], row["latitude"], row["longitude"], row["address"])
    # A person choosing another unit than the rule's is a re-route: the audit keeps both, and the report's final
    # unit is the learned routing's next example (server.forecast.suggestions.load_examples).
    unit_id = unit_id or rule_unit
    if unit_id is None:
        raise Invalid("unit_required", "Chưa có quy tắc chuyển cho lĩnh vực này; hãy chọn đơn vị xử lý")
    calendar = await load_calendar()
    due = calendar.add_working_days(clock.local_date(row["received_at"]), row["target_days"])
    due = max(due, clock.today_vn())
    category = await get_category(row["category"]) if row["category"] else None
    kind_label = "Kiến nghị cử tri" if row["kind"] == ReportKind.petition.value else "Phản ánh"
    title = f"{kind_label} {row['code']}: {(category or {}).get('name', '')}".strip(": ")
    # The citizen's words only: the place, the point and the photos come from the report itself, in the task's
    # "Phản ánh của người dân" box (and its parts'), in the reader's language, not copied here as Vietnamese text.
    description = row["description"]
    now = clock.now()
    unit = await Unit.select(Unit.name).where(Unit.id == unit_id).first()
    async with write_transaction():
        task = await create_task(
            routing_actor(actor), title=title[:500], lead_unit_id=unit_id, description=description,
            source="petition" if row["kind"] == ReportKind.petition.value else "citizen_report",
            source_ref=row["code"], deadline=due,
        )
        changed = await Report.update({
            Report.status: ReportStatus.accepted.value, Report.unit: unit_id, Report.task_id: task["id"],
            Report.triaged_at: now, Report.first_answer_at: now, Report.updated_at: now,
        }).where((Report.id == report_id) & (Report.status == ReportStatus.new.value)).returning(Report.id)
        if not changed:
            raise Conflict("report_already_triaged", "Phản ánh đã được phân loại")
        await _event(report_id, "accepted", note=public_note.strip(), actor_id=actor.id, at=now)
        await _event(report_id, "assigned", note=unit["name"] if unit else "", actor_id=actor.id, at=now)
        await report_changed(report_id, "accepted", actor_id=actor.id)
        await audit.record(actor_id=actor.id, actor_name=actor.full_name, action="report.accept", entity="report",
                           entity_id=report_id, after={"task": task["id"], "unit": unit_id, "rule_unit": rule_unit,
                                                       "rerouted": rule_unit is not None and unit_id != rule_unit})
    await _mail(report_id, "Phản ánh đã được tiếp nhận", "Phản ánh đã được chuyển đến {unit}; hạn trả lời {deadline}.",
                unit=unit["name"] if unit else "", deadline=f"{due:%d/%m/%Y}")
    return {"report_id": report_id, "task_id": task["id"], "unit_id": unit_id, "deadline": due}


async def reject(actor: Actor, report_id: int, *, kind: str, reason: str) -> None:
    require_triage(actor)
    reason = (reason or "").strip()
    if kind not in REJECT_KINDS:
        raise Invalid("reject_kind_invalid", "Lý do từ chối không hợp lệ")
    if not reason:
        raise Invalid("reason_required", "Cần nêu lý do")
    await _load_new(report_id)
    now = clock.now()
    async with write_transaction():
        await Report.update({Report.status: ReportStatus.rejected.value, Report.reject_kind: kind,
                             Report.public_reason: reason, Report.triaged_at: now, Report.first_answer_at: now,
                             Report.resolved_at: now, Report.updated_at: now}).where(
            (Report.id == report_id) & (Report.status == ReportStatus.new.value))
        await _event(report_id, "rejected", note=reason, actor_id=actor.id, at=now)
        await audit.record(actor_id=actor.id, actor_name=actor.full_name, action=f"report.reject.{kind}",
                           entity="report", entity_id=report_id, after={"reason": reason})
    await _mail(report_id, "Phản ánh không được tiếp nhận", "Lý do: {reason}", reason=reason)


async def reject_many(actor: Actor, report_ids: list[int], *, kind: str, reason: str) -> dict[str, Any]:
    """Spam in bulk: one reason for every checked report. Each is rejected on its own, so one already handled
    by a colleague meanwhile is named as refused and the others still go."""
    require_triage(actor)
    if not report_ids:
        raise Invalid("nothing_selected", "Hãy chọn ít nhất một phản ánh")
    if kind not in REJECT_KINDS:
        raise Invalid("reject_kind_invalid", "Lý do từ chối không hợp lệ")
    if not (reason or "").strip():
        raise Invalid("reason_required", "Cần nêu lý do")
    done: list[int] = []
    refused: list[int] = []
    for report_id in sorted(set(report_ids))[:BULK_LIMIT]:
        try:
            await reject(actor, report_id, kind=kind, reason=reason)
        except (Conflict, NotFound):
            refused.append(report_id)
        else:
            done.append(report_id)
    return {"done": done, "refused": refused}


async def merge_duplicate(actor: Actor, report_id: int, *, original_code: str, reason: str = "") -> None:
    require_triage(actor)
    await _load_new(report_id)
    original = await Report.select(Report.id, Report.code, Report.status).where(
        Report.code == normalise_code(original_code)).first()
    if original is None or original["id"] == report_id or original["status"] in (
            ReportStatus.rejected.value, ReportStatus.duplicate.value):
        raise Invalid("duplicate_target_invalid", "Mã phản ánh gốc không hợp lệ")
    reason = (reason or "").strip() or f"Trùng với phản ánh {original['code']}"
    now = clock.now()
    async with write_transaction():
        await Report.update({Report.status: ReportStatus.duplicate.value, Report.duplicate_of: original["id"],
                             Report.reject_kind: "duplicate", Report.public_reason: reason, Report.triaged_at: now,
                             Report.first_answer_at: now, Report.resolved_at: now, Report.updated_at: now}).where(
            (Report.id == report_id) & (Report.status == ReportStatus.new.value))
        await _event(report_id, "duplicate", note=reason, actor_id=actor.id, at=now)
        await audit.record(actor_id=actor.id, actor_name=actor.full_name, action="report.merge", entity="report",
                           entity_id=report_id, after={"original": original["code"]})
    link = f"{get_settings().base_url}/r/{original['code']}"
    await _mail(report_id, "Phản ánh trùng lặp", "{reason}. Theo dõi tại {link}", reason=reason, link=link)




# ---------------------------------------------------------------- telling the receptionists


WAITING_KIND = "reports_waiting"


async def notify_waiting(now: dt.datetime | None = None) -> int:
    """Tell each receptionist, once per schedule tick at most, how many reports came in since they were last
    told: a flood of a hundred reports is one inbox item and one push ("100 phản ánh mới chờ tiếp nhận"),
    not a hundred. Run by the worker every tick (jobs.py); the dedupe key per person and tick makes two
    workers, or a replayed tick, tell nobody twice. Returns how many people were told."""
    from server.notifications.services import notify, schedule_slot
    from server.notifications.tables import Notification
    from server.people.tables import Person

    now = now or clock.now()
    people = await Person.select(Person.id, Person.locale).where(
        (Person.role == Role.receptionist.value) & Person.active.eq(True))
    if not people:
        return 0
    last_told: dict[int, dt.datetime] = {}
    for row in await Notification.select(Notification.person, Notification.created_at).where(
            Notification.person.is_in([p["id"] for p in people]) & (Notification.kind == WAITING_KIND)
            & (Notification.created_at >= now - dt.timedelta(days=30))):
        if row["created_at"] > last_told.get(row["person"], row["created_at"] - dt.timedelta(seconds=1)):
            last_told[row["person"]] = row["created_at"]
    waiting = await Report.select(Report.received_at).where(Report.status == ReportStatus.new.value)
    slot = schedule_slot(now)
    told = 0
    for person in people:
        since = last_told.get(person["id"])
        fresh = sum(1 for r in waiting if since is None or r["received_at"] > since)
        if not fresh:
            continue
        locale = person["locale"] or "vi"
        made = await notify(
            person["id"], WAITING_KIND, gettext_in(locale, "{n} phản ánh mới chờ tiếp nhận", n=fresh),
            gettext_in(locale, "Tổng số đang chờ: {n}", n=len(waiting)), link="/reports/triage",
            dedupe_key=f"{WAITING_KIND}:{person['id']}:{slot.isoformat()}", push_as="report_routed")
        told += made is not None
    return told
