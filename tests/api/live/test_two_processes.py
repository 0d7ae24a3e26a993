"""Two app processes sharing Redis and one database: an event raised on one reaches a live client of the
other (issue 5). Each run uses channel and key names of its own (REDIS_PREFIX), and removes its keys after."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from server.notifications.services import notify
from server.settings import reset_settings
from tests.api.live.servers import AppProcess
from tests.api.live.sse import open_stream, signed_in_client
from tests.factories import PASSWORD, Jurisdiction, make_task

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def prefix() -> Iterator[str]:
    if not _redis_answers():
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"Redis does not answer at {REDIS_URL}, and REQUIRE_REDIS is set")
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    import redis

    name = f"dieuhanh-test-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{name}*", count=500):
        client.delete(key)


@pytest.fixture
def two_apps(prefix: str, tmp_path: Path) -> Iterator[tuple[AppProcess, AppProcess]]:
    env = {"REDIS_URL": REDIS_URL, "REDIS_PREFIX": prefix, "LIVE_HEARTBEAT_SECONDS": "1"}
    apps = (AppProcess(tmp_path / "a.log", env), AppProcess(tmp_path / "b.log", env))
    try:
        for app in apps:
            app.wait_healthy()
        yield apps
    finally:
        for app in apps:
            app.stop()


@pytest.fixture
def one_app(prefix: str, tmp_path: Path) -> Iterator[AppProcess]:
    app = AppProcess(tmp_path / "one.log", {"REDIS_URL": REDIS_URL, "REDIS_PREFIX": prefix,
                                            "LIVE_HEARTBEAT_SECONDS": "1"})
    try:
        app.wait_healthy()
        yield app
    finally:
        app.stop()


async def test_an_event_raised_on_one_process_reaches_a_client_of_the_other(
    two_apps: tuple[AppProcess, AppProcess], j: Jurisdiction, prefix: str
) -> None:
    a, b = two_apps
    task = await make_task(j, assignees=[j.officer], lead_unit=j.dept)
    leader_on_b = await signed_in_client(b.url, j.leader, PASSWORD)
    officer_on_a = await signed_in_client(a.url, j.officer, PASSWORD)
    try:
        board = await open_stream(leader_on_b, units=True)
        page = await open_stream(leader_on_b, task=task["id"])
        assert board.ready.data == {"unread": 0}  # type: ignore[attr-defined]

        response = await officer_on_a.post(f"/api/v1/tasks/{task['id']}/transitions",
                                           json={"action": "submit", "note": "Đã hoàn thành"})
        assert response.status_code == 200, response.text

        for stream in (board, page):
            event = await stream.next_of("task")
            assert event.data == {"id": task["id"], "action": "submit"}
        # The leader approves submitted tasks: their inbox count, raised on A, arrives on B.
        inbox = await board.next_of("inbox")
        assert inbox.data["unread"] == 1

        # A process without the app (the worker, sending a reminder) publishes through Redis as well.
        await _as_worker(prefix, lambda: notify(j.leader.id, "due_today", "Hôm nay là hạn xử lý", task_id=task["id"]))
        assert (await board.next_of("inbox")).data["unread"] == 2
        for stream in (board, page):
            await stream.close()
    finally:
        await leader_on_b.aclose()
        await officer_on_a.aclose()


async def test_a_process_told_to_stop_ends_its_streams_and_exits(one_app: AppProcess, j: Jurisdiction) -> None:
    b = one_app
    client = await signed_in_client(b.url, j.officer, PASSWORD)
    try:
        stream = await open_stream(client)
        await asyncio.wait_for(stream.heartbeat_seen.wait(), 5)
        b.terminate()  # SIGTERM, as a process manager stops it
        bye = await stream.next_of("bye", wait=10)
        assert bye.data == {"reason": "shutdown"}
        # Without the goodbye uvicorn would wait for the open stream for ever (wait() would time out here).
        await asyncio.get_running_loop().run_in_executor(None, b.process.wait, 10)
        # uvicorn raises the SIGTERM it caught again once it has shut down cleanly: -15 is its normal end.
        assert b.process.returncode in (0, -15), b.log()
        assert "Traceback" not in b.log() and "ERROR" not in b.log(), b.log()
        await stream.close()
    finally:
        await client.aclose()


async def _as_worker(prefix: str, work: Callable[[], Awaitable[object]]) -> None:
    """Run `work` in this process as the worker runs: no app, REDIS_URL (and this run's prefix) set."""
    from server.live.hub import close_publisher

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REDIS_URL", REDIS_URL)
        patch.setenv("REDIS_PREFIX", prefix)
        reset_settings()
        try:
            await work()
        finally:
            await close_publisher()
    reset_settings()
