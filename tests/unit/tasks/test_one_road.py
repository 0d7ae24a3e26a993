"""A task's side effects leave by one road (issue 12): tasks publish events and import none of their listeners;
each listening domain registers itself, in every kind of process; in-transaction listeners share the change's
fate, after-commit ones hear only of what was committed."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from server.lib.db import write_transaction
from server.tasks import events

ROOT = Path(__file__).resolve().parents[3]
LISTENING_DOMAINS = ("server.notifications", "server.reports", "server.live", "server.dashboard", "server.kpi")


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def test_tasks_import_none_of_their_listeners() -> None:
    """Not at the top of a module, nor inside a function."""
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / "server" / "tasks").glob("*.py"))
        for line, module in _imports(path)
        if module.startswith(LISTENING_DOMAINS)
    ]
    assert offending == []


LISTENERS = """
import json
{setup}
from server.tasks import events
print(json.dumps([f"{{l.__module__}}.{{l.__qualname__}}" for l, _ in events._in_transaction]))
print(json.dumps([f"{{l.__module__}}.{{l.__qualname__}}" for l, _ in events._after_commit]))
"""
NOTIFY = "server.notifications.listeners.on_task_change_notify"
DASHBOARD = "server.dashboard.aggregate.refresh_task"
ANSWER = "server.reports.listeners.on_task_transition"
PARTS_DONE = "server.notifications.listeners.on_parts_done"
LIVE = "server.live.publisher.publish_task_changed"


@pytest.mark.parametrize(("setup", "in_transaction", "after_commit"), [
    # The CLI or a script: whatever touches the database loads every domain's package through APP_REGISTRY.
    ("import server.tasks.services\nfrom server.lib.db import engine\nengine()", {NOTIFY, DASHBOARD},
     {ANSWER, PARTS_DONE}),
    # The app also publishes live updates.
    ("from server.app import create_app\ncreate_app()", {NOTIFY, DASHBOARD}, {ANSWER, PARTS_DONE, LIVE}),
    # The worker too (through Redis).
    ("import server.worker\nserver.worker._builtin_handlers()", {NOTIFY, DASHBOARD}, {ANSWER, PARTS_DONE, LIVE}),
], ids=["database", "app", "worker"])
def test_each_kind_of_process_hears_the_tasks_events(setup: str, in_transaction: set[str],
                                                     after_commit: set[str]) -> None:
    result = subprocess.run([sys.executable, "-c", LISTENERS.format(setup=setup)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    heard_inside, heard_after = (set(json.loads(line)) for line in result.stdout.strip().splitlines()[-2:])
    assert in_transaction <= heard_inside
    assert after_commit <= heard_after
    assert not (heard_inside & heard_after)


@pytest.fixture
def heard() -> list[tuple[str, str, int, dict[str, object]]]:
    calls: list[tuple[str, str, int, dict[str, object]]] = []

    async def inside(change: events.TaskChange) -> None:
        calls.append(("inside", change.action, change.task_id, dict(change.info)))
        change.outcome["seen"] = True

    async def after(task_id: int, action: str) -> None:
        calls.append(("after", action, task_id, {}))

    events.on_task_change(inside, in_transaction=True)
    events.on_task_changed(after)
    events.on_task_changed(after)  # a second subscription is ignored
    yield calls
    events._in_transaction[:] = [entry for entry in events._in_transaction if entry[0] is not inside]
    events._after_commit[:] = [entry for entry in events._after_commit if entry[0] is not after]


async def test_after_commit_listeners_hear_only_what_was_committed(heard: list) -> None:  # type: ignore[type-arg]
    ours = -424242  # no such task: the other domains' listeners find nothing to do
    with pytest.raises(RuntimeError):
        async with write_transaction():
            await events.task_changed(ours, "comment", actor_id=1, note="rolled back")
            assert heard == [("inside", "comment", ours, {"note": "rolled back"})]
            raise RuntimeError("the write fails")
    assert [call[0] for call in heard] == ["inside"]  # the change rolled back: nobody hears of it after

    heard.clear()
    async with write_transaction():
        change = await events.task_changed(ours, "comment", actor_id=1, note="kept")
        assert change.outcome == {"seen": True}  # what an in-transaction listener answers, the writer reads
        assert [call[0] for call in heard] == ["inside"]
    assert heard == [("inside", "comment", ours, {"note": "kept"}), ("after", "comment", ours, {})]
