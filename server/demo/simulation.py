"""One task's life, simulated: reports from the field (some offline), submissions, returns, extensions."""

from __future__ import annotations

import datetime as dt
import uuid

from server.demo.plan import (
    CLOSED_BY_PARENT,
    UPDATE_KINDS,
    VERSION_KINDS,
    Dl,
    Ev,
    Ext,
    Plan,
    PlanBase,
    Rep,
)
from server.demo.vocabulary import (
    AFTER_RETURN_NOTES,
    APPROVE_NOTES,
    CANCEL_REASONS,
    COMMENTS,
    COMMUNE_CENTRE,
    DAY,
    EXTENSION_APPROVALS,
    EXTENSION_REASONS,
    EXTENSION_REJECTIONS,
    FIELD_NOTES_EARLY,
    FIELD_NOTES_LATE,
    FIELD_NOTES_MID,
    HEAD_NOTES_EARLY,
    HEAD_NOTES_LATE,
    HEAD_NOTES_MID,
    MINUTE,
    OFFICE_NOTES_EARLY,
    OFFICE_NOTES_LATE,
    OFFICE_NOTES_MID,
    RETURN_REASONS,
    SUBMIT_NOTES,
    VILLAGES,
    VN,
    H,
)
from server.lib import clock


class TaskLife(PlanBase):
    """One task's life: the events, reports and deadlines it gathers, in order."""

    # ------------------------------------------------------------ one task's life

    def _gps(self, plan: Plan, offline: bool) -> tuple[float | None, float | None, float | None]:
        if not plan.in_field:
            return None, None, None
        lat, lon = VILLAGES.get(plan.thon or "", COMMUNE_CENTRE)
        spread = 0.003 if plan.thon else 0.01
        accuracy = self.rng.uniform(40, 120) if offline and self.rng.random() < 0.3 else self.rng.uniform(4, 35)
        return (round(lat + self.rng.uniform(-spread, spread), 6), round(lon + self.rng.uniform(-spread, spread), 6),
                round(accuracy, 1))

    def _note(self, plan: Plan, author: int, stage: int, percent: int | None, after_return: bool = False) -> str:
        rng = self.rng
        if after_return:
            pool = AFTER_RETURN_NOTES
        elif author == plan.head and not plan.assignees:
            pool = (HEAD_NOTES_EARLY, HEAD_NOTES_MID, HEAD_NOTES_LATE)[stage]
        elif plan.in_field:
            pool = (FIELD_NOTES_EARLY, FIELD_NOTES_MID, FIELD_NOTES_LATE)[stage]
        else:
            pool = (OFFICE_NOTES_EARLY, OFFICE_NOTES_MID, OFFICE_NOTES_LATE)[stage]
        return rng.choice(pool).format(
            thon=plan.thon or rng.choice(list(VILLAGES)), n=rng.randint(2, 9), pct=percent or rng.randint(30, 70)
        )

    def _submit_time(
        self, after: dt.datetime, deadline: dt.date, cap: dt.datetime, on_time: bool
    ) -> dt.datetime | None:
        last = cap - H
        if on_time:
            low, high = clock.local_date(after + 20 * H), min(deadline, clock.local_date(last))
        else:
            low = max(deadline + dt.timedelta(days=1), clock.local_date(after + 20 * H))
            high = min(deadline + dt.timedelta(days=25), clock.local_date(last))
        if low > high:
            return None
        day = low + dt.timedelta(days=self.rng.randint(0, (high - low).days))
        moment = self._work_moment(day)
        if after + 4 * H < moment < last:
            return moment
        start = max(after + 4 * H, dt.datetime.combine(day, dt.time(0, 0), VN).astimezone(dt.UTC))
        end = min(last, dt.datetime.combine(day, dt.time(23, 59), VN).astimezone(dt.UTC))
        return self._between(start, end)

    def simulate(
        self,
        plan: Plan,
        *,
        state: str,
        created: dt.datetime,
        deadline: dt.date | None,
        cap: dt.datetime,
        on_time: bool = True,
        assign_mode: str = "now",  # now | later (the unit head names the officers) | split | none
        extension: str | None = None,  # approved | rejected | pending
        return_cycle: bool = False,
        offline_share: float = 0.25,
        return_reason: str | None = None,
    ) -> bool:
        """Plan one task's history ending in `state`, every moment before `cap`; False when it cannot fit."""
        rng = self.rng
        if created >= cap - 10 * MINUTE:
            return False
        events: list[Ev] = [Ev(created, "created", plan.creator, note=plan.title)]
        deadlines: list[Dl] = []
        extensions: list[Ext] = []
        rows: list[tuple[int, bool, dt.datetime]] = []
        reports_pct: list[int] = []
        initial = deadline
        if extension == "approved" and deadline is not None:
            initial = self._working_on_or_before(deadline - dt.timedelta(days=rng.randint(5, 15)))
            if initial < clock.local_date(created) + dt.timedelta(days=3):
                extension, initial = None, deadline
        if initial is not None:
            reason = "Hạn tính theo ngày làm việc khi giao" if plan.deadline_wd else "Hạn khi giao"
            deadlines.append(Dl(initial, None, reason, plan.creator, created))
        assigned = split = submitted = first_submit = approved = None
        cancelled_reason = None
        if state != "draft":
            assigned = created + dt.timedelta(seconds=rng.randint(1, 4))
            events.append(Ev(assigned, "transition", plan.creator, from_state="draft", to_state="assigned"))
            start = assigned
            if assign_mode == "now":
                rows = [(pid, i == 0, assigned) for i, pid in enumerate(plan.assignees)]
            elif assign_mode in ("later", "split"):
                start = self._between(assigned + H, min(assigned + 2 * DAY, cap - 5 * MINUTE))
                if start is None:
                    return False
                if assign_mode == "later":
                    rows = [(pid, i == 0, start) for i, pid in enumerate(plan.assignees)]
                    names = ", ".join(sorted(p.full_name for p in self.people if p.id in plan.assignees))
                    events.append(Ev(start, "assignees", plan.head, note=names))
            split = start
            # The moments that end each stretch of work, in order.
            steps: list[tuple[str, dt.datetime]] = []
            end: dt.datetime = cap
            if state == "in_progress":
                end = cap
            elif state == "submitted":
                moment = self._between(max(start + DAY, cap - 6 * DAY), cap - 10 * MINUTE)
                if moment is None:
                    return False
                steps = [("submit", moment)]
            elif state == "returned":
                moment = self._between(max(start + DAY, cap - 12 * DAY), cap - 3 * H)
                back = self._between(moment + 2 * H, min(moment + 2 * DAY, cap)) if moment else None
                if moment is None or back is None:
                    return False
                steps = [("submit", moment), ("return", back)]
            elif state == "done":
                if deadline is None:
                    return False
                moment = self._submit_time(start, deadline, cap, on_time)
                done = self._between(moment + H, min(moment + 3 * DAY, cap)) if moment else None
                if moment is None or done is None:
                    return False
                steps = [("submit", moment), ("approve", done)]
            elif state == "cancelled":
                moment = self._between(start + DAY, min(start + 40 * DAY, cap))
                if moment is None:
                    return False
                steps = [("cancel", moment)]
            if return_cycle and state in ("done", "submitted") and steps[0][1] - start > 4 * DAY:
                final_submit = steps[0][1]
                first = self._between(start + DAY, final_submit - 2 * DAY)
                back = self._between(first + 2 * H, min(first + 36 * H, final_submit - DAY)) if first else None
                if first is not None and back is not None:
                    steps = [("submit", first), ("return", back), *steps]
            if steps:
                end = steps[-1][1]
            if assign_mode == "split" and state in CLOSED_BY_PARENT:
                if steps[0][1] - start < 3 * DAY:
                    return False
            # Walk through the stretches: reports, then the step that closes the stretch.
            current = "assigned"
            cursor = start
            submitter = plan.head if (plan.parent is None and (not plan.assignees or rng.random() < 0.6)) else (
                plan.assignees[0] if plan.assignees else plan.head)
            stretch_ends = [moment for _, moment in steps] or [cap]
            for index, stretch_end in enumerate(stretch_ends):
                kind = steps[index][0] if steps else None
                if kind in ("return", "approve"):
                    count = 0
                elif state == "in_progress":
                    count = rng.randint(1, 4)
                elif state == "assigned" or (state == "cancelled" and current == "assigned" and rng.random() < 0.5):
                    count = 0
                elif kind == "submit" and current == "returned":
                    count = rng.randint(1, 2)
                elif kind == "submit":
                    count = 0 if rng.random() < 0.08 else rng.randint(1, 3)
                else:
                    count = rng.randint(0, 2)
                times = sorted(t for t in (self._between(cursor, stretch_end - 30 * MINUTE) for _ in range(count)) if t)
                closing = kind == "submit"
                percents = sorted(rng.sample(range(10, 100, 5), len(times)))
                if closing and times and rng.random() < 0.7:
                    percents[-1] = 100
                if current == "returned":
                    percents = sorted(rng.randint(85, 100) for _ in times)
                after_return = current == "returned"
                for moment, percent in zip(times, percents, strict=True):
                    author = plan.head if not plan.assignees else rng.choice(plan.assignees[:2])
                    officer = author in plan.assignees
                    offline = officer and plan.in_field and rng.random() < offline_share
                    captured = moment
                    if offline:
                        captured = moment - dt.timedelta(minutes=rng.randint(10, 360))
                        if captured <= max(cursor, events[-1].t):
                            captured, offline = moment, False
                    stage = 0 if percent < 40 else 1 if percent < 85 else 2
                    lat, lon, acc = self._gps(plan, offline)
                    report = Rep(
                        author=author, note=self._note(plan, author, stage, percent, after_return), percent=percent,
                        received=moment, captured=captured, latitude=lat, longitude=lon, accuracy=acc,
                        client_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)) if offline else None,
                    )
                    if current in ("assigned", "returned"):
                        events.append(Ev(moment, "transition", author, from_state=current, to_state="in_progress",
                                         captured=captured if offline else None))
                        current = "in_progress"
                    events.append(Ev(moment, "progress", author, note=report.note,
                                     captured=captured if offline else None, report=report))
                    after_return = False
                    reports_pct.append(percent)
                    cursor = moment
                if kind == "submit":
                    captured = stretch_end
                    received = stretch_end
                    offline = submitter in plan.assignees and plan.in_field and rng.random() < offline_share / 2
                    if offline:
                        limit = stretch_ends[index + 1] if index + 1 < len(stretch_ends) else cap
                        received = min(stretch_end + dt.timedelta(minutes=rng.randint(5, 120)), limit - MINUTE)
                        if received <= stretch_end:
                            received, offline = stretch_end, False
                    events.append(Ev(received, "transition", submitter, note=rng.choice(SUBMIT_NOTES),
                                     from_state=current, to_state="submitted", captured=captured if offline else None))
                    current = "submitted"
                    submitted = captured
                    first_submit = first_submit or captured
                elif kind == "return":
                    reason = return_reason or rng.choice(RETURN_REASONS)
                    events.append(Ev(stretch_end, "transition", plan.approver, note=reason, from_state="submitted",
                                     to_state="returned"))
                    current = "returned"
                elif kind == "approve":
                    events.append(Ev(stretch_end, "transition", plan.approver, note=rng.choice(APPROVE_NOTES),
                                     from_state="submitted", to_state="done"))
                    current = "done"
                    approved = stretch_end
                elif kind == "cancel":
                    cancelled_reason = rng.choice(CANCEL_REASONS)
                    events.append(Ev(stretch_end, "transition", plan.approver, note=cancelled_reason,
                                     from_state=current, to_state="cancelled"))
                    current = "cancelled"
                cursor = max(cursor, stretch_end)
            if current != state:  # e.g. no room for the report that starts the work
                return False
            # Extensions and comments happen beside the states, before the first submission (or now).
            work_end = first_submit or (steps[0][1] if steps else cap)
            requester = plan.assignees[0] if plan.assignees else plan.head
            if extension in ("approved", "rejected") and deadline is not None:
                latest = work_end - DAY
                if extension == "approved":
                    latest = min(latest, dt.datetime.combine(initial, dt.time(17, 0), VN).astimezone(dt.UTC))
                asked = self._between(start + 12 * H, latest)
                decided = self._between(asked + 2 * H, min(asked + 2 * DAY, work_end - H)) if asked else None
                if asked is not None and decided is not None:
                    approved_ext = extension == "approved"
                    wanted = deadline if approved_ext else deadline + dt.timedelta(days=rng.randint(7, 20))
                    reason = rng.choice(EXTENSION_REASONS)
                    note = rng.choice(EXTENSION_APPROVALS if approved_ext else EXTENSION_REJECTIONS)
                    extensions.append(Ext(requester, wanted, reason, extension, asked, plan.approver, decided, note))
                    events.append(Ev(asked, "extension_requested", requester, note=f"{wanted:%d/%m/%Y}: {reason}"))
                    events.append(Ev(decided, f"extension_{extension}", plan.approver,
                                     note=f"{wanted:%d/%m/%Y}: {note}"))
                    if approved_ext:
                        deadlines.append(Dl(deadline, initial, note, plan.approver, decided))
                elif extension == "approved":
                    deadlines[0].deadline = deadline
            elif extension == "pending" and deadline is not None and state in ("assigned", "in_progress", "returned"):
                asked = self._between(max(start, cap - 6 * DAY), cap - 10 * MINUTE)
                if asked is not None:
                    wanted = deadline + dt.timedelta(days=rng.randint(5, 15))
                    reason = rng.choice(EXTENSION_REASONS)
                    extensions.append(Ext(requester, wanted, reason, "pending", asked))
                    events.append(Ev(asked, "extension_requested", requester, note=f"{wanted:%d/%m/%Y}: {reason}"))
            if rng.random() < 0.12:
                said = self._between(start, min(end, cap))
                if said is not None:
                    events.append(Ev(said, "comment", plan.approver, note=rng.choice(COMMENTS)))
        # Commit the plan.
        order = {id(event): index for index, event in enumerate(events)}
        events.sort(key=lambda event: (event.t, order[id(event)]))
        plan.state = state
        plan.created_at = created
        plan.assigned_at = assigned
        plan.split_at = split
        plan.events = events
        plan.deadlines = deadlines
        plan.extensions = extensions
        plan.assignee_rows = rows
        plan.deadline = deadlines[-1].deadline if deadlines else None
        plan.submitted_at = submitted
        plan.first_submit = first_submit
        plan.completed_at = submitted if state == "done" else None
        plan.approved_at = approved
        plan.approved_by = plan.approver if state == "done" else None
        plan.cancelled_reason = cancelled_reason
        plan.progress = 100 if state == "done" else (reports_pct[-1] if reports_pct else 0)
        plan.version = 1 + sum(1 for event in events if event.kind in VERSION_KINDS)
        plan.updated_at = max(event.t for event in events if event.kind in UPDATE_KINDS)
        return True
