"""The demo commune and the operator's commands, run as an operator would: `python -m server ...` in a subprocess.

The test database is shared with the rest of the run and already has units, so the demo gets its own
SQLite file in a temporary directory, seeded once for the module.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
VN = ZoneInfo("Asia/Ho_Chi_Minh")
STATES = {"draft", "assigned", "in_progress", "submitted", "returned", "done", "cancelled"}


@dataclass
class Demo:
    path: Path
    env: dict[str, str]
    seed: subprocess.CompletedProcess[str]


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PRODUCTION", "DEMO", "REDIS_URL", "DATABASE_URL"}}
    env.update(DATABASE_URL=f"sqlite:///{tmp / 'demo.sqlite'}", DATA_DIR=str(tmp), PYTHONIOENCODING="utf-8")
    env.update(extra)
    return env


def _server(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    tmp = tmp_path_factory.mktemp("demo")
    env = _env(tmp)
    seed = _server(env, "seed-demo", timeout=120)
    return Demo(tmp / "demo.sqlite", env, seed)


@pytest.fixture
def db(demo: Demo) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(demo.path)
    connection.row_factory = sqlite3.Row
    yield connection
    connection.close()


def _local_date(stamp: str) -> dt.date:
    return dt.datetime.fromisoformat(stamp).astimezone(VN).date()


def test_seed_demo_succeeds_and_the_audit_chain_verifies(demo: Demo) -> None:
    assert demo.seed.returncode == 0, demo.seed.stderr
    assert "Demo loaded" in demo.seed.stdout
    verify = _server(demo.env, "verify-audit")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert verify.stdout.startswith("OK: ")
    assert int(verify.stdout.split()[1]) > 300


def test_the_commune_has_units_people_directives_and_tasks_in_every_state(db: sqlite3.Connection) -> None:
    assert db.execute("SELECT count(*) FROM units").fetchone()[0] >= 8
    assert db.execute("SELECT count(*) FROM units WHERE parent IS NULL AND kind = 'commune'").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM people WHERE is_demo").fetchone()[0] >= 40
    usernames = {row[0] for row in db.execute("SELECT username FROM people")}
    assert {"admin", "lanhdao", "truongphong", "canbo", "tiepnhan"} <= usernames
    assert db.execute("SELECT count(*) FROM directives").fetchone()[0] == 15
    kinds = {row[0] for row in db.execute("SELECT DISTINCT kind FROM directives")}
    assert kinds == {"document", "meeting_conclusion"}
    tasks = db.execute("SELECT * FROM tasks").fetchall()
    assert 250 <= len(tasks) <= 350
    states = Counter(task["state"] for task in tasks)
    assert set(states) == STATES
    assert 0.4 <= states["done"] / len(tasks) <= 0.7
    sources = Counter(task["source"] for task in tasks)
    assert sources["directive"] > len(tasks) / 2 and sources["ad_hoc"] and sources["citizen_report"]
    assert all(t["source_ref"].startswith("PA-") for t in tasks if t["source"] == "citizen_report")
    assert sum(1 for t in tasks if t["parent"] is not None) >= 20
    assert all(t["cancelled_reason"] for t in tasks if t["state"] == "cancelled")
    assert db.execute("SELECT count(*) FROM calendar_days").fetchone()[0] > 0
    # The dashboard's kept counts were built from the demo's tasks (loaded around tasks.services).
    facts = db.execute("SELECT count(*) FROM kpi_task_facts").fetchone()[0]
    assert facts > 100
    assert db.execute("SELECT sum(n) FROM kpi_unit_days").fetchone()[0] == facts


def test_the_named_accounts_have_real_screens(db: sqlite3.Connection) -> None:
    canbo = db.execute(
        "SELECT t.state, t.deadline FROM tasks t JOIN task_assignees a ON a.task = t.id"
        " JOIN people p ON p.id = a.person WHERE p.username = 'canbo' AND a.removed_at IS NULL"
    ).fetchall()
    assert 10 <= len(canbo) <= 16
    assert {"done", "in_progress", "assigned", "submitted", "returned"} <= {row["state"] for row in canbo}
    awaiting_leader = db.execute(
        "SELECT count(*) FROM tasks WHERE state = 'submitted' AND parent IS NULL"
    ).fetchone()[0]
    assert awaiting_leader >= 3
    awaiting_head = db.execute(
        "SELECT count(*) FROM tasks t JOIN tasks p ON p.id = t.parent JOIN units u ON u.id = p.lead_unit"
        " WHERE t.state = 'submitted' AND u.path LIKE (SELECT path FROM units WHERE code = 'HH-KT') || '%'"
    ).fetchone()[0]
    assert awaiting_head >= 3
    to_split = db.execute(
        "SELECT count(*) FROM tasks t JOIN units u ON u.id = t.lead_unit"
        " WHERE u.code = 'HH-KT' AND t.state = 'assigned' AND t.parent IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM task_assignees a WHERE a.task = t.id)"
        " AND NOT EXISTS (SELECT 1 FROM tasks c WHERE c.parent = t.id)"
    ).fetchone()[0]
    assert to_split >= 1


def test_the_history_is_consistent_with_the_task_rules(db: sqlite3.Connection) -> None:
    now = dt.datetime.now(dt.UTC)
    events: dict[int, list[sqlite3.Row]] = {}
    for event in db.execute("SELECT * FROM task_events ORDER BY id"):
        events.setdefault(event["task"], []).append(event)
    deadlines: dict[int, list[sqlite3.Row]] = {}
    for row in db.execute("SELECT * FROM task_deadlines ORDER BY id"):
        deadlines.setdefault(row["task"], []).append(row)
    tasks = {task["id"]: task for task in db.execute("SELECT * FROM tasks")}
    on_time = late = 0
    for task in tasks.values():
        history = events[task["id"]]
        times = [dt.datetime.fromisoformat(e["received_at"]) for e in history]
        assert times == sorted(times) and times[-1] <= now, task["title"]
        state = "draft"
        for event in history:
            if event["kind"] == "transition":
                assert event["from_state"] == state, task["title"]
                state = event["to_state"]
        assert state == task["state"], task["title"]
        bumps = sum(1 for e in history if e["kind"] in ("transition", "assignees", "extension_approved"))
        assert task["version"] == bumps + 1, task["title"]
        stamps = [task[key] for key in ("created_at", "assigned_at", "submitted_at", "approved_at") if task[key]]
        parsed = [dt.datetime.fromisoformat(stamp) for stamp in stamps]
        assert parsed == sorted(parsed) and parsed[-1] <= now, task["title"]
        if task["deadline"]:
            assert deadlines[task["id"]][-1]["deadline"] == task["deadline"]
        if task["state"] == "done":
            assert task["completed_at"] == task["submitted_at"] and task["approved_by"]
            assert task["progress_percent"] == 100
            if _local_date(task["completed_at"]) <= dt.date.fromisoformat(task["deadline"]):
                on_time += 1
            else:
                late += 1
        else:
            assert task["completed_at"] is None
        if task["parent"] is not None:
            parent = tasks[task["parent"]]
            assert dt.datetime.fromisoformat(task["created_at"]) >= dt.datetime.fromisoformat(parent["created_at"])
            if parent["deadline"] and task["deadline"]:
                assert task["deadline"] <= parent["deadline"]
    assert 0.5 <= on_time / (on_time + late) <= 0.8
    approved = db.execute("SELECT task FROM extension_requests WHERE state = 'approved'").fetchall()
    assert approved and all(len(deadlines[row["task"]]) == 2 for row in approved)
    assert db.execute("SELECT count(*) FROM extension_requests WHERE state = 'pending'").fetchone()[0] >= 1
    reports = db.execute("SELECT * FROM progress_reports").fetchall()
    offline = [r for r in reports if r["captured_at"] < r["received_at"]]
    assert offline and all(r["client_id"] for r in offline)
    located = [r for r in reports if r["latitude"] is not None]
    assert located and all(14.3 < r["latitude"] < 14.7 and 108.8 < r["longitude"] < 109.2 for r in located)
    linked = db.execute(
        "SELECT count(*) FROM task_events e JOIN progress_reports r ON r.id = e.progress_report AND r.task = e.task"
    ).fetchone()[0]
    assert linked == len(reports)


SERVICES_SCRIPT = textwrap.dedent(
    """
    import asyncio, json
    from server.audit.services import verify_chain
    from server.demo import seed_demo
    from server.lib.db import prepare_database
    from server.people.services import get_actor
    from server.people.tables import Person
    from server.tasks import services as tasks

    async def main():
        await prepare_database()
        ids = {r["username"]: r["id"] for r in await Person.select(Person.id, Person.username)}
        canbo, leader, head = [await get_actor(ids[name]) for name in ("canbo", "lanhdao", "truongphong")]
        mine = (await tasks.list_tasks(canbo, view="mine", limit=200))["items"]
        for item in mine:
            assert (await tasks.get_task(canbo, item["id"]))["history"]
        leader_queue = await tasks.approval_queue(leader)
        head_queue = await tasks.approval_queue(head)
        allowed = [(await tasks.get_task(head, item["id"]))["allowed_actions"] for item in head_queue]
        approved = await tasks.transition(head, head_queue[0]["id"], "approve")
        print(json.dumps({
            "urgency": sorted({item["urgency"] for item in mine}),
            "leader_top": sum(1 for item in leader_queue if item["parent_id"] is None),
            "head_parts": sum(1 for item in head_queue if item["parent_id"] is not None),
            "head_may_approve": all("approve" in actions for actions in allowed),
            "approved": approved["state"],
            "again": await seed_demo(),
            "chain_ok": (await verify_chain()).ok,
        }))

    asyncio.run(main())
    """
)


def test_the_real_services_read_and_act_on_the_demo(demo: Demo) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SERVICES_SCRIPT], cwd=REPO_ROOT, env=demo.env, capture_output=True, text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["urgency"] == ["closed", "due_soon", "due_today", "later", "overdue"]
    assert seen["leader_top"] >= 3
    assert seen["head_parts"] >= 3 and seen["head_may_approve"]
    assert seen["approved"] == "done"
    assert seen["again"] == {"seeded": False}  # idempotent: units exist, nothing is added
    assert seen["chain_ok"]  # the live service appended to the seeded chain


def test_demo_logins_lists_the_accounts_and_the_password(demo: Demo) -> None:
    logins = _server(demo.env, "demo-logins")
    assert logins.returncode == 0, logins.stderr
    for name in ("admin", "lanhdao", "truongphong", "canbo", "tiepnhan", "dieuhanh-demo"):
        assert name in logins.stdout


def test_production_refuses_to_serve_while_demo_accounts_exist(demo: Demo) -> None:
    env = {**demo.env, "PRODUCTION": "1", "SECRET_KEY": "x"}
    refused = _server(env, "serve", "--port", "1")
    assert refused.returncode == 2
    assert "demo" in refused.stderr and "Refusing to start" in refused.stderr and "Từ chối" in refused.stderr
    assert _server(env, "seed-demo").returncode == 2


def test_verify_audit_names_the_first_tampered_entry(demo: Demo, tmp_path: Path) -> None:
    copy = tmp_path / "demo.sqlite"
    with sqlite3.connect(demo.path) as source, sqlite3.connect(copy) as target:
        source.backup(target)
        # Someone with the database file in hand: the append-only triggers go first.
        for (trigger,) in target.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                                         ("audit_events",)).fetchall():
            target.execute(f"DROP TRIGGER {trigger}")
        target.execute("UPDATE audit_events SET after = ? WHERE seq = 42", (json.dumps({"title": "sửa"}),))
    # The copy is checked with the demo's audit key: the key is kept beside the data, never in the database.
    broken = _server(_env(tmp_path, AUDIT_KEY_FILE=str(demo.path.parent / "audit_key")), "verify-audit")
    assert broken.returncode == 1
    assert broken.stdout.startswith("BROKEN at entry #42:")


def test_the_receptionist_finds_a_morning_of_reports_and_citizens_find_answers(db: sqlite3.Connection) -> None:
    """A fresh `make run` is a commune's day: reports wait for triage with photos and a point, the same broken
    pipe twice, spam already turned away, a voter petition; every citizen task has its report, and the
    answered ones show their answer and an "after" photo."""
    waiting = db.execute("SELECT * FROM reports WHERE status = 'new' AND kind = 'report'").fetchall()
    assert len(waiting) >= 8
    assert all(row["latitude"] is not None and row["category"] is not None for row in waiting)
    photographed = {row[0] for row in db.execute(
        "SELECT report FROM report_photos WHERE kind = 'before' AND public_sha256 <> '' AND thumb_sha256 <> ''")}
    assert {row["id"] for row in waiting} <= photographed
    pipes = [row for row in waiting if row["category"] == db.execute(
        "SELECT id FROM report_categories WHERE code = 'nuoc-sinh-hoat'").fetchone()[0]]
    assert any(abs(a["latitude"] - b["latitude"]) < 0.001 for a in pipes for b in pipes if a["id"] != b["id"])
    assert db.execute("SELECT count(*) FROM reports WHERE kind = 'petition' AND status = 'new'").fetchone()[0] >= 1
    [spam] = db.execute("SELECT * FROM reports WHERE status = 'rejected'").fetchall()
    assert spam["reject_kind"] == "spam" and spam["public_reason"]
    citizen_tasks = {row[0] for row in db.execute("SELECT source_ref FROM tasks WHERE source = 'citizen_report'")}
    assert citizen_tasks == {row[0] for row in db.execute("SELECT code FROM reports WHERE task_id IS NOT NULL")}
    resolved = db.execute("SELECT * FROM reports WHERE status = 'resolved'").fetchall()
    assert resolved and all(row["public_answer"] and row["resolved_at"] for row in resolved)
    with_after = {row[0] for row in db.execute(
        "SELECT report FROM report_photos WHERE kind = 'after' AND public_sha256 <> ''")}
    assert {row["id"] for row in resolved} <= with_after
    # Every category is routed, so "Tiếp nhận" by rule names a unit for each waiting report.
    assert db.execute("SELECT count(*) FROM report_categories WHERE default_unit IS NULL").fetchone()[0] == 0


def test_the_demo_reports_count_as_accepted(db: sqlite3.Connection) -> None:
    """A report that was not refused has no refusal reason: with "" (the column's old default) every reader
    asking `refused_reason IS NULL` dropped the demo's 600 reports, and the leader's approval cards said
    "Chưa có báo cáo"."""
    assert db.execute("SELECT count(*) FROM progress_reports WHERE refused_reason = ''").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM progress_reports WHERE refused_reason IS NULL").fetchone()[0] > 300
