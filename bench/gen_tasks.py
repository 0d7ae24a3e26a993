"""The generated tasks: their states and timelines, built in chunks of rows (bench.generate)."""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bench import vocab
from bench.gen_province import (
    DEADLINE_WORKING_DAYS,
    LONG_TASK_SHARE,
    ON_TIME_AMONG_DONE,
    OPEN_STATES,
    OPEN_WITHIN_CUTS,
    OPEN_WITHIN_STATES,
    OVERDUE_CUTS,
    OVERDUE_STATES,
    PROGRESS_STEPS,
    SHARE_CANCELLED,
    SHARE_DONE,
    SHARE_OPEN_WITHIN,
    SHARE_OVERDUE,
    WORK_SPAN_S,
    WORK_START_S,
    Calendar,
    DirectivePlan,
    Province,
    growing,
)
from bench.gen_titles import TaskTitles

# ---------------------------------------------------------------------------------------------------------
# Tasks: generated in chunks, in a worker thread while the previous chunk is being written.


@dataclass
class Values:
    """How a backend wants timestamps, dates and booleans."""

    moment: Callable[[int], Any]  # epoch seconds -> value
    day: Callable[[date], Any]
    true: Any
    false: Any


class TaskFactory(TaskTitles):
    def __init__(
        self,
        province: Province,
        cal: Calendar,
        rng: random.Random,
        values: Values,
        fold: Callable[[str], str],
        total: int,
    ) -> None:
        self.p = province
        self.cal = cal
        self.rng = rng
        self.values = values
        self.fold = fold
        self.total = total
        self.next_id = 1
        self.next_assignee_id = 1
        self.next_coordinating_id = 1
        self.fold_cache: dict[str, str] = {}
        self.plans: list[tuple] | None = None
        self.day_values = [values.day(d) for d in cal.dates]
        self.officer_cum = list(_accumulate(province.officer_weights))
        self.officer_tasks = [0] * len(province.officers)
        self.officer_open = [0] * len(province.officers)
        self.state_counts: dict[str, int] = {}
        self.done_on_time = 0
        self.departments = [u.id for u in province.units if u.kind == "department"]
        self.siblings = {u.id: [s.id for s in province.units if s.parent == u.id] for u in province.units}
        # The officers of each unit's subtree (a department or commune has its sub-units' too).
        self.subtree_officers: dict[int, list[int]] = {}
        for unit in province.units:
            self.subtree_officers.setdefault(unit.id, []).extend(unit.officers)
            if unit.top != unit.id:
                self.subtree_officers.setdefault(unit.top, []).extend(unit.officers)
        self.communes = [u for u in province.units if u.kind == "commune"]
        # Directives by issuing unit, in order of issue, for "the directive a task follows".
        self.directives_by_unit: dict[int, tuple[list[int], list[DirectivePlan]]] = {}
        for d in province.directives:
            ords, items = self.directives_by_unit.setdefault(d.unit, ([], []))
            ords.append(d.issued_ord)
            items.append(d)

    # -- rows ----------------------------------------------------------------------------------------------

    def plan(self) -> None:
        """Every task's state and timeline, sorted by creation so that ids grow with time as in real life."""
        rng = self.rng
        rnd = rng.random
        randint = rng.randint
        cal = self.cal
        now_s = cal.now_s
        midnight = cal.midnight
        i_start, i_today = cal.i_start, cal.i_today
        t_done = SHARE_DONE
        t_within = t_done + SHARE_OPEN_WITHIN
        t_overdue = t_within + SHARE_OVERDUE
        t_cancelled = t_overdue + SHARE_CANCELLED
        n_steps = len(DEADLINE_WORKING_DAYS)
        plans = []

        def work_moment(index: int) -> int:
            return midnight[index] + WORK_START_S + int(rnd() * WORK_SPAN_S)

        for _ in range(self.total):
            k = DEADLINE_WORKING_DAYS[int(rnd() * n_steps)]
            r = rnd()
            submitted_s = completed_s = approved_s = None
            on_time = False
            deadline_index: int | None
            if r < t_done:
                state = "done"
                ci = growing(rng, i_start, i_today - 5)
                deadline_index = ci + k
                on_time = rnd() < ON_TIME_AMONG_DONE
                comp_i = 0
                if not on_time:
                    comp_i = deadline_index + min(1 + int(rng.expovariate(0.1)), 250)
                    if comp_i > i_today - 1:
                        if deadline_index + 1 <= i_today - 1:
                            comp_i = randint(deadline_index + 1, i_today - 1)
                        else:
                            on_time = True
                if on_time:
                    comp_i = min(ci + 1 + int((deadline_index - ci - 1) * math.sqrt(rnd())), i_today - 1)
            elif r < t_within:
                # Open and within the deadline: created within the last `k` working days; a share of them
                # are long tasks (annual plans, standing orders) with deadlines months ahead.
                if rnd() < LONG_TASK_SHARE:
                    k = randint(60, 260)
                ci = i_today - 1 - int(rnd() * k)
                deadline_index = ci + k
                state = OPEN_WITHIN_STATES[bisect.bisect(OPEN_WITHIN_CUTS, rnd())]
            elif r < t_overdue:
                # Overdue: half of them recently (a few weeks late), half forgotten long ago.
                if rnd() < 0.5:
                    late = int(rng.expovariate(1 / 20))
                else:
                    late = int(rnd() * (i_today - i_start))
                deadline_index = max(i_today - 1 - late, i_start + k)
                ci = deadline_index - k
                state = OVERDUE_STATES[bisect.bisect(OVERDUE_CUTS, rnd())]
            elif r < t_cancelled:
                state = "cancelled"
                ci = growing(rng, i_start, i_today - 1)
                deadline_index = ci + k
            else:
                state = "draft"
                ci = i_today - 1 - int(rnd() * 15)
                deadline_index = max(ci + k, i_today + 2) if rnd() < 0.6 else None

            created_s = work_moment(ci)
            assigned_s = None if state == "draft" else created_s + (0 if rnd() < 0.7 else randint(600, 2 * 86400))
            if assigned_s is not None and assigned_s > now_s - 60:
                assigned_s = now_s - 60
            progress = 0
            if state == "done":
                completed_s = max(work_moment(comp_i), assigned_s + 3600)
                submitted_s = completed_s
                approve_i = min(comp_i + (0 if rnd() < 0.4 else randint(1, 3)), i_today - 1)
                approved_s = work_moment(approve_i)
                if approved_s <= completed_s:
                    approved_s = completed_s + randint(600, 4 * 3600)
                approved_s = min(approved_s, now_s - 60)
                updated_s = approved_s
                progress = 100
            elif state == "assigned":
                updated_s = assigned_s
            elif state == "in_progress":
                updated_s = assigned_s + int(rnd() * (now_s - assigned_s))
                progress = PROGRESS_STEPS[int(rnd() * len(PROGRESS_STEPS))]
            elif state == "submitted":
                submitted_s = assigned_s + int(rnd() * (now_s - assigned_s))
                updated_s = submitted_s
                progress = 100
            elif state == "returned":
                submitted_s = assigned_s + int(rnd() * 0.8 * (now_s - assigned_s))
                updated_s = submitted_s + int(rnd() * (now_s - submitted_s))
                progress = PROGRESS_STEPS[6 + int(rnd() * 5)]
            elif state == "cancelled":
                cancel_i = min(ci + randint(1, k), i_today - 1)
                updated_s = min(max(work_moment(cancel_i), assigned_s + 600), now_s - 60)
                progress = PROGRESS_STEPS[int(rnd() * 5)] if rnd() < 0.4 else 0
            else:  # draft
                updated_s = created_s
            plans.append(
                (
                    created_s,
                    ci,
                    k,
                    state,
                    deadline_index,
                    assigned_s,
                    updated_s,
                    submitted_s,
                    completed_s,
                    approved_s,
                    progress,
                    on_time,
                )
            )
        plans.sort(key=lambda p: p[0])
        self.plans = plans

    def chunk(self, size: int) -> tuple[list[tuple], list[tuple], list[tuple]] | None:
        """The next `size` tasks with their assignees and coordinating units, or None when all are made."""
        if self.plans is None:
            self.plan()
        start = self.next_id - 1
        plans = self.plans[start : start + size]
        if not plans:
            self.plans = []
            return None
        rng = self.rng
        rnd = rng.random
        ords = self.cal.ords
        dates = self.cal.dates
        values = self.values
        moment = values.moment
        day_values = self.day_values
        p = self.p
        units = p.units
        officers = p.officers
        leaders = p.leaders
        leader_weights = [2, 4, 4]
        fold_cache = self.fold_cache
        fold = self.fold
        state_counts = self.state_counts
        picks = rng.choices(range(len(officers)), cum_weights=self.officer_cum, k=len(plans))
        tasks: list[tuple] = []
        assignees: list[tuple] = []
        coordinating: list[tuple] = []

        for officer_index, plan in zip(picks, plans, strict=True):
            (created_s, ci, k, state, deadline_index, assigned_s, updated_s, submitted_s, completed_s, approved_s,
             progress, on_time) = plan  # fmt: skip
            task_id = self.next_id
            self.next_id += 1
            state_counts[state] = state_counts.get(state, 0) + 1
            if on_time:
                self.done_on_time += 1
            officer = officers[officer_index]
            unit = units[officer.unit - 1]
            top = units[unit.top - 1]
            lead = unit if (unit.kind != "subunit" or rnd() < 0.4) else top

            # -- who gives and approves it
            if lead.kind == "subunit":
                boss = top.head
            elif lead.kind == "commune" and rnd() < 0.7:
                boss = top.head
            else:
                boss = rng.choices(leaders, weights=leader_weights)[0].id

            # -- where it comes from, and its words
            created_day = dates[ci]
            s = rnd()
            directive = None
            source_ref = None
            working_days = None
            if s < 0.55:
                issuer = top.id if (top.kind == "commune" and rnd() < 0.35) else 1
                d = self.directive_for(issuer, ords[ci]) or self.directive_for(1, ords[ci])
                if d is not None:
                    directive = d.id
                    boss_created = d.created_by
                    source = "directive"
                else:
                    source, boss_created = "ad_hoc", boss
                title = self.field_title(top) if rnd() < (0.6 if top.kind == "commune" else 0.25) else None
                if title is None:
                    title = self.admin_title(top, created_day)
            elif s < 0.75:
                source, boss_created = "citizen_report", boss
                source_ref = f"PA{created_day.year % 100:02d}{task_id:07d}"
                title = self.field_title(top)
                working_days = k
            elif s < 0.8:
                source, boss_created = "petition", boss
                source_ref = f"KN-{created_day.year}-{task_id % 10000:04d}"
                title = self.petition_title(top)
            else:
                source, boss_created = "ad_hoc", boss
                title = self.field_title(top) if rnd() < 0.5 else self.admin_title(top, created_day)
            if working_days is None and rnd() < 0.3:
                working_days = k
            search_text = fold_cache.get(title)
            if search_text is None:
                search_text = fold_cache[title] = fold(title)
            approved_by = boss if state == "done" else None
            cancelled_reason = None
            if state == "cancelled":
                cancelled_reason = vocab.CANCEL_REASONS[int(rnd() * len(vocab.CANCEL_REASONS))]
            pr = rnd()
            priority = "normal" if pr < 0.75 else "high" if pr < 0.9 else "urgent" if pr < 0.96 else "low"

            tasks.append(
                (
                    task_id,
                    title,
                    vocab.TASK_DESCRIPTIONS[int(rnd() * len(vocab.TASK_DESCRIPTIONS))],
                    source,
                    source_ref,
                    directive,
                    None,
                    lead.id,
                    state,
                    priority,
                    None if deadline_index is None else day_values[deadline_index],
                    working_days,
                    None if assigned_s is None else moment(assigned_s),
                    boss_created,
                    moment(created_s),
                    moment(updated_s),
                    None if submitted_s is None else moment(submitted_s),
                    None if completed_s is None else moment(completed_s),
                    None if approved_s is None else moment(approved_s),
                    approved_by,
                    cancelled_reason,
                    progress,
                    1,
                    search_text,
                )
            )
            if assigned_s is None:
                continue

            # -- assignees (the officer, sometimes a colleague from the lead unit's subtree)
            at = moment(assigned_s)
            assignees.append((self.next_assignee_id, task_id, officer.id, values.true, at))
            self.next_assignee_id += 1
            self.officer_tasks[officer_index] += 1
            is_open = state in OPEN_STATES
            if is_open:
                self.officer_open[officer_index] += 1
            if rnd() < 0.12:
                pool = self.subtree_officers[lead.id]
                other = pool[int(rnd() * len(pool))]
                if other != officer_index:
                    assignees.append((self.next_assignee_id, task_id, officers[other].id, values.false, at))
                    self.next_assignee_id += 1
                    self.officer_tasks[other] += 1
                    if is_open:
                        self.officer_open[other] += 1

            # -- coordinating units
            if rnd() < 0.35:
                n = 1 if rnd() < 0.6 else 2 if rnd() < 0.75 else 3
                chosen = set()
                siblings = self.siblings[top.id]
                for _ in range(n):
                    if siblings and rnd() < 0.3:
                        u = siblings[int(rnd() * len(siblings))]
                    else:
                        u = self.departments[int(rnd() * len(self.departments))]
                    if u != lead.id and u != top.id and u not in chosen:
                        chosen.add(u)
                        coordinating.append((self.next_coordinating_id, task_id, u))
                        self.next_coordinating_id += 1
        return tasks, assignees, coordinating


def _accumulate(weights: Sequence[float]) -> Iterable[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total
