"""Known data sets with figures worked out by hand from PRODUCT.md's "What the numbers mean".

Each test writes its rows straight into the tables under a fresh unit tree (see `kpi_data.make_tree`) and
states, for every task, the bucket it belongs in (or that it counts nowhere).
"""

from __future__ import annotations

import datetime as dt

from server.kpi import services
from server.lib.db import write_transaction
from tests.unit.kpi.kpi_data import BUCKETS, Spec, Tree, insert_tasks, make_tree, utc

Q4_START, Q4_END = dt.date(2025, 10, 1), dt.date(2025, 12, 31)
TODAY = dt.date(2025, 12, 15)
ACTIVE, REMOVED = ("active",), ("removed",)


def day(month: int, d: int, year: int = 2025) -> dt.date:
    return dt.date(year, month, d)


async def build(groups: dict[str | None, list[Spec]]) -> Tree:
    """Insert every group's tasks; the key is the bucket the group must land in (None: counted nowhere)."""
    async with write_transaction():
        tree = await make_tree()
        await insert_tasks(tree, [spec for specs in groups.values() for spec in specs])
    return tree


async def assert_buckets(
    groups: dict[str | None, list[Spec]], start: dt.date, end: dt.date, today: dt.date, **scope: object
) -> services.Figures:
    got = await services.figures(start, end, today=today, **scope)  # type: ignore[arg-type]
    for bucket in BUCKETS:
        want = {spec.id for spec in groups.get(bucket, [])}
        ids = await services.task_ids(start, end, bucket=bucket, today=today, **scope)  # type: ignore[arg-type]
        assert sorted(ids) == sorted(want), bucket
        assert getattr(got, bucket) == len(want), bucket
    nowhere = {spec.id for spec in groups.get(None, [])}
    every = await services.task_ids(start, end, today=today, **scope)  # type: ignore[arg-type]
    assert not nowhere & set(every)
    # Paged with its count, as a drill-down reads it: the pages put together are the whole list, in order.
    pages: list[int] = []
    for offset in range(0, len(every) + 14, 7):
        count, page = await services.task_page(start, end, today=today, offset=offset, limit=7,
                                               **scope)  # type: ignore[arg-type]
        assert count == len(every)
        pages += page
    assert pages == every
    return got


def _seed_groups() -> dict[str | None, list[Spec]]:
    """The seed's commune after three months: 100 tasks count, 77 done (50 on time), 23 in progress."""
    leads = ("root", "child", "grandchild")
    on_time = [
        # 44 ordinary: deadlines in the quarter, completed a few days early.
        *(
            Spec(
                "done", day(10, 5) + dt.timedelta(days=2 * i), utc(day(10, 2) + dt.timedelta(days=2 * i)), leads[i % 3]
            )
            for i in range(44)
        ),
        # 3 completed in the quarter with a deadline after it: they count, on time.
        *(Spec("done", day(1, 15, 2026), utc(day(12, 20 + i)), "child") for i in range(3)),
        # completed on the deadline day at 23:59:59 and at 00:30 local time.
        Spec("done", day(11, 10), utc(day(11, 10), 16, 59, 59), "root"),
        Spec("done", day(11, 11), utc(day(11, 10), 17, 30), "grandchild"),
        # no deadline, completed in the quarter: nothing to be late for.
        Spec("done", None, utc(day(10, 20)), "root"),
    ]
    late = [
        # 21 ordinary: deadlines in the quarter, completed after them (some after the quarter too).
        *(
            Spec(
                "done",
                day(10, 10) + dt.timedelta(days=3 * i),
                utc(day(10, 14) + dt.timedelta(days=3 * i)),
                leads[i % 3],
            )
            for i in range(21)
        ),
        # 3 due before the quarter, completed in it: they count, late.
        *(Spec("done", day(9, 20), utc(day(10, 3 + i)), "root") for i in range(3)),
        # due 25/9, submitted 30/9 at 17:30 UTC, which is already 1/10 in Hà Nội: in the quarter, late.
        Spec("done", day(9, 25), utc(day(9, 30), 17, 30), "child"),
        # submitted at local midnight (17:00 UTC) and at 00:30 local of the day after the deadline.
        Spec("done", day(11, 20), utc(day(11, 20), 17, 0), "root"),
        Spec("done", day(11, 21), utc(day(11, 21), 17, 30), "grandchild"),
    ]
    open_states = ("assigned", "in_progress", "submitted", "returned")
    within = [
        *(Spec(open_states[i % 4], day(12, 16 + i), None, leads[i % 3]) for i in range(14)),
        Spec("in_progress", TODAY, None, "child"),  # due today: still within the deadline
    ]
    overdue = [Spec(open_states[i % 4], day(11, 1) + dt.timedelta(days=5 * i), None, leads[i % 3]) for i in range(8)]
    nowhere = [
        *(Spec("cancelled", day(11, 1 + i), None, "root") for i in range(6)),
        *(Spec("draft", day(11, 5 + i), None, "child") for i in range(4)),
        # other units: the subtree's parent and a neighbour.
        Spec("done", day(11, 5), utc(day(11, 1)), "outer"),
        Spec("in_progress", day(11, 5), None, "sibling"),
        Spec("done", day(11, 5), utc(day(11, 9)), "sibling"),
        # open, but due outside the quarter (one already overdue): not in this period.
        Spec("in_progress", day(9, 15), None, "root"),
        Spec("assigned", day(1, 20, 2026), None, "child"),
        # done, neither due nor completed in the quarter.
        Spec("done", day(9, 10), utc(day(9, 8)), "root"),
        Spec("done", day(1, 10, 2026), utc(day(12, 31), 17, 30), "child"),  # 1/1/2026 in Hà Nội
        Spec("done", day(9, 25), utc(day(9, 30), 16, 59, 59), "root"),  # still 30/9 in Hà Nội
    ]
    # Subtasks: a unit's figures count its top-level tasks only.
    on_time[0].ref = "parent"
    nowhere += [
        Spec("done", day(10, 5), utc(day(10, 1)), "grandchild", parent="parent"),
        Spec("in_progress", day(11, 1), None, "child", parent="parent"),
        Spec("assigned", day(12, 20), None, "grandchild", parent="parent"),
    ]
    groups: dict[str | None, list[Spec]] = {
        "done_on_time": on_time,
        "done_late": late,
        "in_progress_on_time": within,
        "in_progress_overdue": overdue,
        None: nowhere,
    }
    assert [len(groups[b]) for b in BUCKETS] == [50, 27, 15, 8]
    return groups


async def test_the_seed_commune_reads_77_and_50() -> None:
    groups = _seed_groups()
    for bucket in BUCKETS:  # the person under test has the same 100 tasks, and was taken off all the others
        for spec in groups[bucket]:
            spec.person_rows = ACTIVE
    for spec in groups[None]:
        spec.person_rows = REMOVED
    tree = await build(groups)

    for scope in ({"unit_path": tree.root_path}, {"person_id": tree.person_id}):
        got = await assert_buckets(groups, Q4_START, Q4_END, TODAY, **scope)
        assert (got.done, got.in_progress, got.total) == (77, 23, 100)
        assert got.completion_rate == 0.77
        assert got.on_time_rate == 0.5
        assert got.as_dict()["completion_rate"] == 0.77 and got.as_dict()["on_time_rate"] == 0.5

    # The neighbour's subtree sees none of it; a sub-unit sees only its own part.
    sibling = await services.figures(Q4_START, Q4_END, unit_path=tree.units["sibling"]["path"], today=TODAY)
    assert (sibling.done, sibling.in_progress) == (1, 1)
    grandchild = await services.task_ids(Q4_START, Q4_END, unit_path=tree.units["grandchild"]["path"], today=TODAY)
    leads = {spec.id: spec.lead for specs in groups.values() for spec in specs}
    assert grandchild and all(leads[i] == "grandchild" for i in grandchild)


async def test_completion_is_the_local_date_of_the_approved_submission() -> None:
    """Vietnam is UTC+7: 17:00 UTC on the deadline is 00:00 of the next day in Hà Nội, so it is late."""
    deadline = day(12, 10)
    start, end = day(12, 1), day(12, 31)
    groups: dict[str | None, list[Spec]] = {
        "done_on_time": [
            Spec("done", deadline, utc(deadline, 0, 0), "root"),  # 07:00 local
            Spec("done", deadline, utc(deadline, 16, 59, 59), "root"),  # 23:59:59 local
            Spec("done", deadline, utc(deadline - dt.timedelta(days=1), 17, 0), "root"),  # 00:00 local on the day
        ],
        "done_late": [
            Spec("done", deadline, utc(deadline, 17, 0), "root"),  # 00:00 local the next day
            Spec("done", deadline, utc(deadline, 17, 30), "child"),
            Spec("done", deadline, utc(deadline, 23, 59, 59), "grandchild"),
        ],
    }
    tree = await build(groups)
    await assert_buckets(groups, start, end, TODAY, unit_path=tree.root_path)


async def test_the_period_edges_are_local_dates_too() -> None:
    """Completed on the period's first or last local day counts; a minute either side of it does not."""
    start, end = day(11, 1), day(11, 30)
    far = day(3, 1, 2026)  # a deadline outside the period: only the completion can bring a task in
    groups: dict[str | None, list[Spec]] = {
        "done_on_time": [
            Spec("done", far, utc(day(10, 31), 17, 0), "root"),  # 00:00 on 1/11 local
            Spec("done", far, utc(end, 16, 59, 59), "root"),  # 23:59:59 on 30/11 local
            Spec("done", far, utc(day(11, 15)), "child"),
        ],
        None: [
            Spec("done", far, utc(day(10, 31), 16, 59, 59), "root"),  # 23:59:59 on 31/10 local
            Spec("done", far, utc(end, 17, 0), "root"),  # 00:00 on 1/12 local
        ],
    }
    tree = await build(groups)
    await assert_buckets(groups, start, end, TODAY, unit_path=tree.root_path)


async def test_completed_in_the_period_counts_whatever_the_deadline() -> None:
    start, end = day(11, 1), day(11, 30)
    groups: dict[str | None, list[Spec]] = {
        # done early, deadline after the period: on time, in the period it was completed in
        "done_on_time": [Spec("done", day(12, 20), utc(day(11, 10)), "root")],
        "done_late": [
            # due before the period, completed in it
            Spec("done", day(10, 20), utc(day(11, 3)), "child"),
            # due in the period, completed after it: counts through its deadline
            Spec("done", day(11, 25), utc(day(12, 2)), "root"),
        ],
        # open and due in the period, today after it
        "in_progress_overdue": [Spec("in_progress", day(11, 20), None, "grandchild")],
        None: [
            Spec("in_progress", day(10, 20), None, "root"),  # open, due before the period
            Spec("submitted", day(12, 5), None, "root"),  # open, due after it
            Spec("done", day(10, 20), utc(day(10, 25)), "root"),  # done before the period
            Spec("cancelled", day(11, 10), None, "root"),
        ],
    }
    tree = await build(groups)
    await assert_buckets(groups, start, end, TODAY, unit_path=tree.root_path)
    # The same tasks in December: the one completed on 2/12 is counted there too (through its completion).
    december = await services.task_ids(day(12, 1), day(12, 31), unit_path=tree.root_path, today=TODAY)
    assert sorted(december) == sorted([groups["done_on_time"][0].id, groups["done_late"][1].id, groups[None][1].id])


async def test_an_extended_deadline_is_the_one_that_counts() -> None:
    """The `deadline` column holds the last approved deadline; the earlier ones are history only."""
    start, end = day(11, 1), day(11, 30)
    today = day(11, 25)
    groups: dict[str | None, list[Spec]] = {
        # due 10/11, extended to 20/11, completed 15/11: on time against the new deadline
        "done_on_time": [Spec("done", day(11, 20), utc(day(11, 15)), "root", old_deadlines=(day(11, 10),))],
        # extended from 5/11 to 12/11, completed 14/11: late against the new one too
        "done_late": [Spec("done", day(11, 12), utc(day(11, 14)), "child", old_deadlines=(day(11, 5),))],
        # was due 20/11 (before today), extended twice to 28/11: within the deadline
        "in_progress_on_time": [
            Spec("in_progress", day(11, 28), None, "root", old_deadlines=(day(11, 20), day(11, 24)))
        ],
        # was due 28/11, brought forward to 22/11: overdue today
        "in_progress_overdue": [Spec("returned", day(11, 22), None, "child", old_deadlines=(day(11, 28),))],
        None: [
            # was due 10/11, extended to 15/12: no longer in November's figures
            Spec("in_progress", day(12, 15), None, "root", old_deadlines=(day(11, 10),)),
        ],
    }
    tree = await build(groups)
    await assert_buckets(groups, start, end, today, unit_path=tree.root_path)
    december = await services.task_ids(
        day(12, 1), day(12, 31), bucket="in_progress_on_time", unit_path=tree.root_path, today=today
    )
    assert december == [groups[None][0].id]


async def test_no_tasks_means_no_rates() -> None:
    tree = await build({})
    got = await services.figures(Q4_START, Q4_END, unit_path=tree.root_path, today=TODAY)
    assert got.total == 0 and got.completion_rate is None and got.on_time_rate is None


async def test_through_the_real_workflow_completion_is_the_approved_submission() -> None:
    """Create, submit, return, extend and approve through the task services; the figures follow PRODUCT.md."""
    from server.lib import clock
    from server.tasks import services as tasks
    from tests.factories import make_person, make_unit

    deadline = dt.date(2026, 3, 16)

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return utc(day, hour, minute)

    root = await make_unit("UBND xã Hoài Hương", "commune")
    dept = await make_unit("Phòng Kinh tế", "department", root)
    leader, head = await make_person(root, "leader"), await make_person(dept, "unit_head")
    try:
        clock.freeze(at(deadline - dt.timedelta(days=10), 3))
        made = {
            name: (
                await tasks.create_task(
                    leader,
                    title=f"Nhiệm vụ {name}",
                    lead_unit_id=dept.id,
                    assignee_ids=[head.id],
                    deadline=deadline,
                )
            )["id"]
            for name in ("approved_later", "resubmitted_late", "extended", "offline")
        }
        # Submitted at 23:30 in Hà Nội on the deadline, approved two days later: on time.
        clock.freeze(at(deadline, 16, 30))
        await tasks.transition(head, made["approved_later"], "submit")
        # Submitted in time, returned, submitted again at 00:30 the next local day and approved: late.
        clock.freeze(at(deadline, 1))
        await tasks.transition(head, made["resubmitted_late"], "submit")
        await tasks.transition(leader, made["resubmitted_late"], "return", reason="Thiếu biên bản")
        clock.freeze(at(deadline, 17, 30))
        await tasks.transition(head, made["resubmitted_late"], "submit")
        # Extended by ten days before the deadline, submitted three days after the old one: on time.
        clock.freeze(at(deadline - dt.timedelta(days=2), 3))
        extension = await tasks.request_extension(
            head, made["extended"], deadline + dt.timedelta(days=10), "Chờ kết quả xét nghiệm"
        )
        await tasks.decide_extension(leader, extension["id"], approve=True)
        clock.freeze(at(deadline + dt.timedelta(days=3), 3))
        await tasks.transition(head, made["extended"], "submit")
        # Captured offline at 22:00 local on the deadline, reached the server the next morning: on time.
        clock.freeze(at(deadline + dt.timedelta(days=1), 2))
        await tasks.transition(head, made["offline"], "submit", captured_at=at(deadline, 15))

        clock.freeze(at(deadline + dt.timedelta(days=5), 3))
        for task_id in made.values():
            await tasks.transition(leader, task_id, "approve")
    finally:
        clock.freeze(None)

    start, end = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    scope = {"unit_path": root.path, "today": dt.date(2026, 3, 25)}
    on_time = await services.task_ids(start, end, bucket="done_on_time", **scope)  # type: ignore[arg-type]
    late = await services.task_ids(start, end, bucket="done_late", **scope)  # type: ignore[arg-type]
    assert sorted(on_time) == sorted([made["approved_later"], made["extended"], made["offline"]])
    assert late == [made["resubmitted_late"]]
    got = await services.figures(start, end, **scope)  # type: ignore[arg-type]
    assert (got.done_on_time, got.done_late, got.in_progress, got.on_time_rate) == (3, 1, 0, 0.75)
    person = await services.figures(start, end, person_id=head.id, today=dt.date(2026, 3, 25))
    assert (person.done_on_time, person.done_late) == (3, 1)
