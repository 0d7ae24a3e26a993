"""Writing the planned commune: people, directives and tasks in one transaction, and `seed_demo()`."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from server.audit import services as audit
from server.demo.plan import (
    Plan,
    Rep,
)
from server.demo.portal import seed_portal_demo
from server.demo.showcase import Showcase
from server.demo.vocabulary import (
    COMMUNE_CENTRE,
    DEMO_PASSWORD,
    SEED_ACTION,
    SEED_ACTOR_NAME,
    UNITS,
    VILLAGES,
)
from server.directives.tables import Directive
from server.holidays.services import ensure_holidays_seeded, load_calendar
from server.lib import clock
from server.lib.db import write_transaction
from server.lib.vn_text import fold
from server.people.tables import Person
from server.tasks.tables import (
    ExtensionRequest,
    ProgressReport,
    Task,
    TaskAssignee,
    TaskCoordinatingUnit,
    TaskDeadline,
    TaskEvent,
)
from server.units.services import create_unit
from server.units.tables import Unit


class DemoBuilder(Showcase):
    """Plans the commune in memory (pure apart from the ids it is given), then writes it in one transaction."""

    # ------------------------------------------------------------ writing

    async def write(self) -> dict[str, Any]:
        started = time.monotonic()
        async with write_transaction():
            if await Unit.exists():
                return {"seeded": False}
            for key, code, name, kind, parent in UNITS:
                unit = await create_unit(name=name, code=code, kind=kind,
                                         parent_id=self.unit_ids[parent] if parent else None)
                self.unit_ids[key] = unit.id
            await self._write_people()
            await self._write_directives()
            self.plan_tasks()
            self.plan_showcase()
            await self._write_tasks()
            # The tasks went in around tasks.services: rebuild the dashboard's kept unit counts from them.
            from server.dashboard import aggregate

            await aggregate.rebuild()
        counts: dict[str, int] = {}
        for plan in self.plans:
            counts[plan.state] = counts.get(plan.state, 0) + 1
        return {
            "seeded": True,
            "units": len(UNITS),
            "people": len(self.people),
            "directives": len(self.directives),
            "tasks": len(self.plans),
            "tasks_by_state": dict(sorted(counts.items())),
            "progress_reports": sum(1 for p in self.plans for e in p.events if e.report is not None),
            "events": sum(len(p.events) for p in self.plans),
            "seconds": round(time.monotonic() - started, 2),
        }

    def _task_row(self, plan: Plan) -> Task:
        assert plan.created_at is not None and plan.updated_at is not None
        return Task(
            title=plan.title, description=plan.description, source=plan.source, source_ref=plan.source_ref,
            directive=plan.directive, parent=plan.parent.id if plan.parent else None,
            lead_unit=self.unit_ids[plan.lead], state=plan.state, priority=plan.priority, deadline=plan.deadline,
            deadline_working_days=plan.deadline_wd, assigned_at=plan.assigned_at, created_by=plan.creator,
            created_at=plan.created_at, updated_at=plan.updated_at, submitted_at=plan.submitted_at,
            completed_at=plan.completed_at, approved_at=plan.approved_at, approved_by=plan.approved_by,
            cancelled_reason=plan.cancelled_reason, progress_percent=plan.progress, version=plan.version,
            search_text=fold(f"{plan.title} {plan.description}"),
        )

    async def _write_people(self) -> None:
        from server.auth.passwords import hash_password  # argon2 work at import: only when seeding

        self.plan_people()
        password_hash = hash_password(DEMO_PASSWORD)
        created_at = self.now - dt.timedelta(days=200)
        rows = []
        for person in self.people:
            email = f"{person.username}@hoaihuong.gov.vn"
            phone = "0" + self.rng.choice("3579") + "".join(str(self.rng.randint(0, 9)) for _ in range(8))
            rows.append(Person(
                username=person.username, full_name=person.full_name, title=person.title, email=email, phone=phone,
                role=person.role, unit=self.unit_ids[person.unit], password_hash=password_hash, active=True,
                is_demo=True, locale="vi", search_text=fold(f"{person.full_name} {person.username} {person.title}"),
                created_at=created_at,
            ))
        inserted = await Person.insert(*rows).returning(Person.id, Person.username)
        ids = {row["username"]: row["id"] for row in inserted}
        for person in self.people:
            person.id = ids[person.username]
            await audit.record(
                actor_id=None, actor_name=SEED_ACTOR_NAME, action=SEED_ACTION, entity="person", entity_id=person.id,
                after={"id": person.id, "username": person.username, "full_name": person.full_name,
                       "title": person.title, "role": person.role, "unit_id": self.unit_ids[person.unit],
                       "active": True, "is_demo": True},
            )

    async def _write_directives(self) -> None:
        self.plan_directives()
        for directive in self.directives:
            rows = await Directive.insert(Directive(
                number=directive["number"], issued_on=directive["issued_on"], signer=directive["signer"],
                issuing_body=directive["issuing_body"], kind=directive["kind"], title=directive["title"],
                summary=directive["summary"], unit=self.unit_ids["HH"], created_by=directive["signer_id"],
                created_at=directive["created_at"],
                search_text=fold(f"{directive['number']} {directive['title']} {directive['summary']} "
                                 f"{directive['signer']}"),
            )).returning(Directive.id)
            directive["id"] = rows[0]["id"]
            await audit.record(
                actor_id=None, actor_name=SEED_ACTOR_NAME, action=SEED_ACTION, entity="directive",
                entity_id=directive["id"],
                after={"number": directive["number"], "title": directive["title"], "kind": directive["kind"],
                       "issued_on": directive["issued_on"], "signer": directive["signer"]},
            )

    async def _write_tasks(self) -> None:
        order = {id(plan): index for index, plan in enumerate(self.plans)}
        self.plans.sort(key=lambda plan: (plan.created_at, order[id(plan)]))
        # Top-level tasks first, then the parts that point at them; ids follow created_at within each.
        for generation in ([p for p in self.plans if p.parent is None], [p for p in self.plans if p.parent]):
            ids = await _insert_returning_ids(Task, [self._task_row(plan) for plan in generation])
            for plan, task_id in zip(generation, ids, strict=True):
                plan.id = task_id
        coordinating, assignees, deadlines, extensions = [], [], [], []
        reports: list[tuple[Plan, Rep]] = []
        for plan in self.plans:
            coordinating += [TaskCoordinatingUnit(task=plan.id, unit=self.unit_ids[u]) for u in plan.coord]
            assignees += [TaskAssignee(task=plan.id, person=person, is_main=main, assigned_at=at)
                          for person, main, at in plan.assignee_rows]
            deadlines += [TaskDeadline(task=plan.id, deadline=d.deadline, previous=d.previous, reason=d.reason,
                                       set_by=d.set_by, set_at=d.set_at) for d in plan.deadlines]
            extensions += [ExtensionRequest(
                task=plan.id, requested_by=x.requested_by, requested_deadline=x.requested_deadline, reason=x.reason,
                state=x.state, decided_by=x.decided_by, decided_at=x.decided_at, decision_note=x.decision_note,
                created_at=x.created_at) for x in plan.extensions]
            reports += [(plan, event.report) for event in plan.events if event.report is not None]
        for table, rows_ in ((TaskCoordinatingUnit, coordinating), (TaskAssignee, assignees),
                             (TaskDeadline, deadlines), (ExtensionRequest, extensions)):
            await _insert_many(table, rows_)
        # Reports and events go in the order they were received, so ids follow time as they do live.
        reports.sort(key=lambda pair: pair[1].received)
        ids = await _insert_returning_ids(ProgressReport, [ProgressReport(
            task=plan.id, author=report.author, note=report.note, percent=report.percent,
            latitude=report.latitude, longitude=report.longitude, accuracy_m=report.accuracy,
            captured_at=report.captured, received_at=report.received, client_id=report.client_id,
        ) for plan, report in reports])
        for (_, report), report_id in zip(reports, ids, strict=True):
            report.id = report_id
        timeline = [(event.t, order_index, plan, event) for plan in self.plans
                    for order_index, event in enumerate(plan.events)]
        timeline.sort(key=lambda item: (item[0], item[2].id, item[1]))
        await _insert_many(TaskEvent, [
            TaskEvent(task=plan.id, kind=event.kind, from_state=event.from_state, to_state=event.to_state,
                      actor=event.actor, note=event.note, refused=False,
                      progress_report=event.report.id if event.report else None, captured_at=event.captured,
                      received_at=event.t)
            for _, _, plan, event in timeline
        ])
        for plan in self.plans:
            await audit.record(
                actor_id=None, actor_name=SEED_ACTOR_NAME, action=SEED_ACTION, entity="task", entity_id=plan.id,
                after={"title": plan.title, "state": plan.state, "lead_unit": self.unit_ids[plan.lead],
                       "parent": plan.parent.id if plan.parent else None, "directive": plan.directive,
                       "deadline": plan.deadline, "version": plan.version},
            )


async def _insert_many(table: type, rows: list, chunk: int = 200) -> None:
    for start in range(0, len(rows), chunk):
        await table.insert(*rows[start : start + chunk])


async def _insert_returning_ids(table: Any, rows: list, chunk: int = 200) -> list[int]:
    """Insert in chunks; the ids, in the order of `rows`.

    One multi-row INSERT draws its ids from the sequence row by row, in the order of its VALUES, so sorting
    the returned ids gives that order whatever order RETURNING lists them in.
    """
    ids: list[int] = []
    for start in range(0, len(rows), chunk):
        returned = await table.insert(*rows[start : start + chunk]).returning(table.id)
        ids += sorted(row["id"] for row in returned)
    return ids


async def seed_demo() -> dict[str, Any]:
    """Load the demo commune when the database has no units; return what was written ({"seeded": False} if not)."""
    if await Unit.exists():
        return {"seeded": False}
    await ensure_holidays_seeded()
    builder = DemoBuilder(clock.now(), await load_calendar())
    result = await builder.write()
    result["report_categories"] = await seed_portal_demo(VILLAGES, COMMUNE_CENTRE)
    return result
