"""Property: `figures()` and `task_ids()` agree with PRODUCT.md's definitions on random task sets.

Each example builds a fresh unit tree (outer ⊃ {root ⊃ child ⊃ grandchild, sibling}) and two fresh people,
inserts random tasks straight into the tables, and compares the service, for root's subtree and for one
person, with the plain-Python reading in `kpi_data.expected`. Fresh rows per example keep examples apart
although they share one database.

pytest-asyncio runs a `@given` async test by running each example in the session event loop, which is where
the database pool lives, so the examples talk to the same engine as every other test.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from server.kpi import services
from server.lib.db import write_transaction
from tests.unit.kpi.kpi_data import BUCKETS, STATES, Spec, Tree, expected, insert_tasks, local_day, make_tree, utc

ANCHOR = dt.date(2025, 12, 20)  # periods straddle a new year
UNITS = ("root", "child", "grandchild", "outer", "sibling")
ROWS = ((), ("active",), ("removed",), ("removed", "active"), ("active", "active"))
# UTC times around local midnight: 16:59:59 UTC is 23:59:59 in Hà Nội, 17:00 UTC is already the next day.
EDGE_TIMES = (dt.time(0, 0), dt.time(16, 59, 59), dt.time(17, 0), dt.time(17, 30), dt.time(23, 59, 59))
WEIGHTED_STATES = (*STATES, "done", "done")  # every state, with done tasks (the subtle ones) three times as likely
ONE_DAY = dt.timedelta(days=1)


@dataclass
class Scenario:
    start: dt.date
    end: dt.date
    today: dt.date
    specs: list[Spec]


def _day(offset: int) -> dt.date:
    return ANCHOR + dt.timedelta(days=offset)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    start = _day(draw(st.integers(-5, 10)))
    length = draw(st.integers(0, 14))
    end = start + dt.timedelta(days=length)
    # Mostly a today inside the period (a report on the current month), sometimes before or after it.
    today = draw(st.integers(0, length).map(lambda n: start + dt.timedelta(days=n)) | st.integers(-8, 30).map(_day))
    # Dates at the edges of the period and of today are where off-by-one bugs live: draw them two times in three.
    edges = st.sampled_from(sorted({start, end, start - ONE_DAY, end + ONE_DAY, today, today - ONE_DAY}))
    some_day = st.one_of(edges, edges, st.integers(-12, 32).map(_day))

    def one(parent: str | None, ref: str) -> Spec:
        state = draw(st.sampled_from(WEIGHTED_STATES))
        deadline = draw(st.none() | some_day)
        completed_at = None
        if state == "done":
            near_deadline = deadline is not None and draw(st.booleans())
            base = deadline + dt.timedelta(days=draw(st.integers(-1, 1))) if near_deadline else draw(some_day)
            moment = draw(st.sampled_from(EDGE_TIMES) | st.times())
            completed_at = dt.datetime.combine(base, moment, tzinfo=dt.UTC)
        return Spec(
            state=state,
            deadline=deadline,
            completed_at=completed_at,
            lead=draw(st.sampled_from(UNITS)),
            parent=parent,
            person_rows=draw(st.sampled_from(ROWS)),
            other_rows=draw(st.sampled_from(ROWS)),
            ref=ref,
        )

    top = [one(None, f"t{i}") for i in range(draw(st.integers(0, 20)))]
    subs = []
    if top:
        subs = [one(draw(st.sampled_from(top)).ref, f"s{i}") for i in range(draw(st.integers(0, 5)))]
    return Scenario(start, end, today, top + subs)


# The boundaries, always tried whatever the random draw: completions either side of local midnight on the
# deadline and on the period's last day, an open task due today, one due yesterday, a subtask, a removed assignee.
_D = _day(5)
_EDGES = Scenario(
    start=_day(0),
    end=_D,
    today=_D,
    specs=[
        Spec("done", _D, utc(_D, 16, 59, 59), "root", person_rows=("active",), ref="a"),  # 23:59:59 local: on time
        Spec("done", _D, utc(_D, 17, 0), "child", person_rows=("active",)),  # 00:00 next local day: late
        Spec("done", _D - ONE_DAY, utc(_D - ONE_DAY, 17, 30), "grandchild"),  # late, on the period's last day
        Spec("done", _D + ONE_DAY * 9, utc(_D, 17, 30), "root", person_rows=("active",)),  # completed after end
        Spec("done", None, utc(_day(-1), 17, 0), "root"),  # completed on the first local day, no deadline
        Spec("in_progress", _D, None, "root", person_rows=("removed",)),  # due today: within deadline
        Spec("submitted", _D - ONE_DAY, None, "child", person_rows=("removed", "active")),  # overdue
        Spec("returned", _D, None, "outer", person_rows=("active",)),  # outside the subtree
        Spec("cancelled", _D, None, "root", person_rows=("active",)),
        Spec("draft", _D, None, "root", person_rows=("active",)),
        Spec("done", _D, utc(_D, 1), "root", parent="a", person_rows=("active",)),  # a subtask
    ],
)


async def check(scenario: Scenario) -> None:
    specs = scenario.specs
    async with write_transaction():  # one commit per example, not one per row
        tree: Tree = await make_tree()
        await insert_tasks(tree, specs)
    start, end, today = scenario.start, scenario.end, scenario.today
    scopes = {
        "unit": (
            {"unit_path": tree.root_path},
            lambda s: s.parent is None and tree.in_subtree(s.lead),
        ),
        "person": ({"person_id": tree.person_id}, lambda s: "active" in s.person_rows),
    }
    for name, (kwargs, in_scope) in scopes.items():
        want = expected(specs, start, end, today, in_scope=in_scope)
        got = await services.figures(start, end, today=today, **kwargs)
        described = {b: sorted(want[b]) for b in BUCKETS}
        for bucket in BUCKETS:
            assert getattr(got, bucket) == len(want[bucket]), (name, bucket, described, got)
            ids = await services.task_ids(start, end, bucket=bucket, today=today, **kwargs)
            assert len(ids) == len(set(ids)), (name, bucket, ids)
            assert set(ids) == want[bucket], (name, bucket, described)
        every = await services.task_ids(start, end, today=today, **kwargs)
        assert sorted(every) == sorted(set().union(*want.values())), (name, described)
        total = sum(len(v) for v in want.values())
        done = len(want["done_on_time"]) + len(want["done_late"])
        assert got.total == total
        assert got.completion_rate == (done / total if total else None)
        assert got.on_time_rate == (len(want["done_on_time"]) / total if total else None)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,  # keep no example database in the working tree
)
@given(scenarios())
@example(_EDGES)
async def test_figures_match_the_definitions(scenario: Scenario) -> None:
    await check(scenario)


def _seeded_scenario(rng: random.Random) -> Scenario:
    """The same shape as `scenarios()`, from a plain seeded generator: reproducible whatever hypothesis does."""
    start = _day(rng.randint(-5, 10))
    end = start + dt.timedelta(days=rng.randint(0, 14))
    today = start + dt.timedelta(days=rng.randint(-3, (end - start).days + 3))
    edges = [start, end, start - ONE_DAY, end + ONE_DAY, today, today - ONE_DAY]
    specs: list[Spec] = []
    for i in range(rng.randint(5, 20)):
        state = rng.choice(WEIGHTED_STATES)
        roll = rng.random()
        deadline = None if roll < 0.15 else rng.choice(edges) if roll < 0.6 else _day(rng.randint(-12, 32))
        completed_at = None
        if state == "done":
            base = (deadline or rng.choice(edges)) + dt.timedelta(days=rng.randint(-1, 1))
            completed_at = dt.datetime.combine(base, rng.choice(EDGE_TIMES), tzinfo=dt.UTC)
        parents = [s.ref for s in specs if s.parent is None]
        specs.append(
            Spec(
                state=state,
                deadline=deadline,
                completed_at=completed_at,
                lead=rng.choice(UNITS),
                parent=rng.choice(parents) if parents and rng.random() < 0.2 else None,
                person_rows=rng.choice(ROWS),
                other_rows=rng.choice(ROWS),
                ref=f"r{i}",
            )
        )
    return Scenario(start, end, today, specs)


async def test_figures_match_the_definitions_seeded() -> None:
    rng = random.Random(20251220)
    for _ in range(10):
        await check(_seeded_scenario(rng))


async def test_edge_times_are_what_the_strategy_claims() -> None:
    """Guard the test's own premise: 17:00 UTC on a day is 00:00 of the next day in Asia/Ho_Chi_Minh."""
    day = dt.date(2025, 12, 31)
    assert local_day(utc(day, 16, 59, 59)) == day
    assert local_day(utc(day, 17, 0)) == dt.date(2026, 1, 1)
