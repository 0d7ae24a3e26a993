"""The commune's six months: directives, many tasks and their splits, and the showcase of the demo accounts."""

from __future__ import annotations

import datetime as dt

from server.demo.catalog import AD_HOC, DIRECTIVES, D
from server.demo.plan import (
    CLOSED_BY_PARENT,
    STATE_WEIGHTS,
    SUB_STATES_OPEN_PARENT,
    Plan,
)
from server.demo.simulation import TaskLife
from server.demo.vocabulary import (
    CITIZEN_REPORTS,
    JURISDICTION,
    PETITIONS,
    SUBTASK_TITLES,
    UNITS,
    VILLAGES,
    H,
)
from server.lib import clock


class CommuneScenario(TaskLife):
    """The whole commune planned: directives, tasks by age and state, splits, the accounts' showcase."""

    # ------------------------------------------------------------ many tasks

    def _state_for_age(self, created: dt.datetime) -> str:
        age = (self.now - created).total_seconds() / 86400
        for limit, weights in STATE_WEIGHTS:
            if age <= limit:
                return self.rng.choices(list(weights), weights=list(weights.values()))[0]
        raise AssertionError("unreachable")  # pragma: no cover

    def _deadline_for(self, plan: Plan, created: dt.datetime) -> dt.date:
        start = clock.local_date(created)
        if plan.deadline_wd:
            return self.calendar.add_working_days(start, plan.deadline_wd)
        low, high = (3, 10) if plan.priority == "urgent" else (7, 25) if plan.priority == "high" else (10, 60)
        return self._working_on_or_after(start + dt.timedelta(days=self.rng.randint(low, high)))

    def _pick_assignees(self, unit: str, exclude: set[str]) -> list[int]:
        pool = [p for p in self._officers_under(unit) if p.username not in exclude]
        if not pool:
            return []
        count = 2 if len(pool) > 1 and self.rng.random() < 0.25 else 1
        return [self._pid(p) for p in self.rng.sample(pool, count)]

    def _top_plan(
        self, *, title: str, description: str, unit: str, coord: tuple[str, ...], priority: str, in_field: bool,
        thon: str | None, source: str, source_ref: str | None, directive: int | None, creator: int, approver: int,
        topic: str, deadline_wd: int | None = None,
    ) -> Plan:
        coord_units = [c for c in coord if c != unit]
        if not coord_units and self.rng.random() < 0.15:
            coord_units = [self.rng.choice([k for k, *_ in UNITS if k not in ("HH", unit)])]
        return Plan(
            title=title, description=description, source=source, source_ref=source_ref, directive=directive,
            lead=unit, coord=coord_units, priority=priority, creator=creator, head=self._pid(self.heads[unit]),
            approver=approver, assignees=self._pick_assignees(unit, {"canbo", "tiepnhan"}), in_field=in_field,
            thon=thon, deadline_wd=deadline_wd, topic=topic,
        )

    def _run_top(self, plan: Plan, created: dt.datetime, *, may_split: bool = True) -> None:
        """Choose a state fitting the task's age and live it; split some into officers' parts."""
        rng = self.rng
        state = self._state_for_age(created)
        splittable = len(self._officers_under(plan.lead)) >= 2 and plan.source != "citizen_report"
        split = may_split and splittable and state in ("done", "submitted", "returned", "in_progress") and (
            rng.random() < (0.22 if plan.lead in ("KT", "VHXH") else 0.08))
        chosen = list(plan.assignees)
        for attempt in range(40):
            deadline = self._deadline_for(plan, created) if state != "draft" or rng.random() < 0.6 else None
            if state == "draft" and deadline is not None and deadline < self.today:
                deadline = self._working_on_or_after(self.today + dt.timedelta(days=rng.randint(7, 30)))
            mode = "split" if split else ("later" if rng.random() < 0.7 and attempt < 30 else "now")
            if state == "assigned" and not split and rng.random() < 0.4:
                mode = "none"
            extension = None
            roll = rng.random()
            if state in ("done", "submitted", "returned", "in_progress", "assigned") and roll < 0.1:
                extension = "approved" if state != "assigned" else "pending"
            elif roll < 0.14:
                extension = "rejected" if state != "draft" else None
            elif roll < 0.2 and state in ("in_progress", "assigned", "returned"):
                extension = "pending"
            # A task the head will split, or has not handed out yet, has no assignees of its own.
            plan.assignees = [] if mode in ("split", "none") else chosen
            ok = self.simulate(
                plan, state=state, created=created, deadline=deadline, cap=self.cap,
                on_time=rng.random() < 0.56 if attempt < 20 else attempt % 2 == 0,
                assign_mode=mode, extension=extension, return_cycle=rng.random() < 0.15,
            )
            if ok:
                if mode == "split":
                    self._split(plan)
                self.plans.append(plan)
                return
            if attempt == 29:  # nothing fits this late in the window: the task was only just handed out
                state, split = "assigned", False
        raise RuntimeError(f"could not plan the demo task {plan.title!r}")  # pragma: no cover

    def _split(self, parent: Plan) -> None:
        rng = self.rng
        assert parent.split_at is not None and parent.deadline is not None
        if parent.state in CLOSED_BY_PARENT:
            assert parent.first_submit is not None
            cap = parent.first_submit - 2 * H
        else:
            cap = self.cap
        units = [u for u in self._subtree(parent.lead) if self.officers.get(u)]
        villages = list(VILLAGES)
        titles = rng.sample(SUBTASK_TITLES, rng.choice([2, 2, 3]))
        created = parent.split_at
        for title in titles:
            created = created + dt.timedelta(minutes=rng.randint(3, 25))
            unit = rng.choice(units)
            pool = [p for p in self.officers[unit] if p.username not in ("canbo", "tiepnhan")]
            people = rng.sample(pool, 2 if len(pool) > 1 and rng.random() < 0.2 else 1)
            thon = parent.thon or rng.choice(villages)
            sub = Plan(
                title=title.format(topic=parent.topic, thon=thon),
                description=f"Phần việc của nhiệm vụ: {parent.title}",
                source=parent.source, source_ref=parent.source_ref, directive=parent.directive, lead=unit, coord=[],
                priority=parent.priority, creator=parent.head, head=self._pid(self.heads[unit]),
                approver=parent.head, assignees=[self._pid(p) for p in people], in_field="{thon}" in title,
                thon=thon, parent=parent, topic=parent.topic,
            )
            for attempt in range(30):
                if parent.state in CLOSED_BY_PARENT:
                    state = "cancelled" if rng.random() < 0.04 else "done"
                else:
                    state = rng.choices(list(SUB_STATES_OPEN_PARENT), weights=list(SUB_STATES_OPEN_PARENT.values()))[0]
                candidate = self._working_on_or_after(clock.local_date(created) + dt.timedelta(days=rng.randint(4, 20)))
                deadline = min(parent.deadline, candidate)
                if self.simulate(
                    sub, state=state, created=created, deadline=deadline, cap=cap,
                    on_time=rng.random() < 0.6 if attempt < 15 else attempt % 2 == 0,
                    extension="pending" if state == "in_progress" and rng.random() < 0.08 else None,
                    return_cycle=rng.random() < 0.1,
                ):
                    parent.children.append(sub)
                    self.plans.append(sub)
                    break

    def _village(self, template: str) -> str | None:
        return self.rng.choice(list(VILLAGES)) if "{thon}" in template else None

    def _tracking_code(self) -> str:
        alphabet = "ACDEFGHJKLMNPQRTUVWXY3479"
        while True:
            code = "PA-" + "".join(self.rng.choice(alphabet) for _ in range(6))
            if code not in self._refs:
                self._refs.add(code)
                return code

    def plan_directives(self) -> None:
        signers = {"chair": self.leaders[0], "econ": self.leaders[1], "social": self.leaders[2]}
        for spec in DIRECTIVES:
            issued = self._working_on_or_before(self.today - dt.timedelta(days=spec.days_ago))
            fill = {"year": issued.year, "month": issued.month}
            signer = signers[spec.signer]
            self.directives.append({
                "spec": spec,
                "number": spec.number,
                "issued_on": issued,
                "signer": signer.full_name,
                "signer_id": self._pid(signer),
                "issuing_body": JURISDICTION,
                "kind": spec.kind,
                "title": spec.title.format(**fill),
                "summary": spec.summary.format(**fill),
                "created_at": self._work_moment(issued),
                "fill": fill,
            })

    def plan_tasks(self) -> None:
        rng = self.rng
        chair = self._pid(self.leaders[0])
        # Tasks from the directives, created in the days after each was issued.
        for directive in self.directives:
            spec: D = directive["spec"]
            used: set[str] = set()
            with_village = [t for t in spec.tasks if "{thon}" in t.title]
            for index in range(spec.count):
                tpl = spec.tasks[index % len(spec.tasks)]
                if index >= len(spec.tasks) and "{thon}" not in tpl.title and with_village:
                    tpl = rng.choice(with_village)
                thon = self._village(tpl.title)
                title = tpl.title.format(thon=thon, **directive["fill"])
                while title in used and thon is not None:
                    thon = self._village(tpl.title)
                    title = tpl.title.format(thon=thon, **directive["fill"])
                if title in used:
                    continue
                used.add(title)
                issued_at = directive["created_at"]
                if rng.random() < 0.7:
                    created = issued_at + dt.timedelta(hours=rng.uniform(1, 24 * min(12, spec.days_ago * 0.6 + 1)))
                else:  # assigned later, as the directive's work went on
                    created = issued_at + dt.timedelta(days=rng.uniform(1, spec.days_ago))
                created = self._office(created)
                plan = self._top_plan(
                    title=title,
                    description=f"Thực hiện {directive['spec'].label} ngày {directive['issued_on']:%d/%m/%Y} của "
                    f"{JURISDICTION}: {directive['title'][0].lower()}{directive['title'][1:]}. {directive['summary']}",
                    unit=tpl.unit, coord=tpl.coord, priority=tpl.priority, in_field=tpl.in_field, thon=thon,
                    source="directive", source_ref=None, directive=directive["id"], creator=directive["signer_id"],
                    approver=directive["signer_id"] if rng.random() < 0.7 else chair, topic=tpl.topic,
                )
                self._run_top(plan, created)
        # Work the leaders give outside any directive.
        for index in range(40):
            tpl = AD_HOC[index % len(AD_HOC)]
            thon = self._village(tpl.title)
            created = self._days_ago(0.2 + 178 * rng.random() ** 1.5)
            leader = self._pid(rng.choice(self.leaders[:1] * 2 + self.leaders[1:]))
            plan = self._top_plan(
                title=tpl.title.format(thon=thon, year=clock.local_date(created).year),
                description="Nhiệm vụ do lãnh đạo UBND xã giao trực tiếp. Báo cáo kết quả bằng văn bản, kèm hình ảnh "
                "nếu làm việc tại hiện trường.",
                unit=tpl.unit, coord=tpl.coord, priority=tpl.priority, in_field=tpl.in_field, thon=thon,
                source="ad_hoc", source_ref=None, directive=None, creator=leader, approver=leader, topic=tpl.topic,
            )
            self._run_top(plan, created)
        # Citizens' field reports the reception desk routed to a unit, with the category's response time.
        receptionist = self._pid(self.by_username["tiepnhan"])
        for index in range(30):
            title, unit, wrote, days = CITIZEN_REPORTS[index % len(CITIZEN_REPORTS)]
            thon = self._village(title)
            code = self._tracking_code()
            created = self._days_ago(0.1 + 150 * rng.random() ** 1.5)
            plan = self._top_plan(
                title=title.format(thon=thon),
                description=f"Người dân phản ánh qua Cổng phản ánh hiện trường (mã tra cứu {code}): {wrote}. "
                f"Đề nghị kiểm tra, xử lý và trả lời công khai trong {days} ngày làm việc.",
                unit=unit, coord=(), priority="high", in_field=True, thon=thon or "Ngọc An Đông",
                source="citizen_report", source_ref=code, directive=None, creator=receptionist,
                approver=self._pid(rng.choice(self.leaders)), topic="phản ánh của người dân", deadline_wd=days,
            )
            self._run_top(plan, created, may_split=False)
        # Voters' petitions collected before the council's session.
        for index, (title, unit) in enumerate(PETITIONS):
            thon = self._village(title)
            created = self._days_ago(rng.uniform(15, 120))
            plan = self._top_plan(
                title=title.format(thon=thon),
                description="Kiến nghị của cử tri tại buổi tiếp xúc cử tri trước kỳ họp HĐND xã. Đề nghị xem xét, "
                "trả lời bằng văn bản và thông báo kết quả đến cử tri.",
                unit=unit, coord=("VP",), priority="normal", in_field=False, thon=thon, source="petition",
                source_ref=f"KNCT-{clock.local_date(created).year}-{index + 7:03d}", directive=None, creator=chair,
                approver=chair, topic="kiến nghị cử tri",
            )
            self._run_top(plan, created, may_split=False)
