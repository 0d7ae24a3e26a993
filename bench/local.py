"""Small helpers for starting the app on this machine, shared by the benchmarks and the tests that run it in
a process of its own."""

from __future__ import annotations

import asyncio
import re
import socket
import urllib.request
from pathlib import Path
from typing import Any

_NO_ARG = object()


async def wait_until(page: Any, expression: str, arg: Any = _NO_ARG, seconds: float = 15.0,
                     interval: float = 0.1) -> Any:
    """What `expression` (an expression, or a function of `arg`; a Promise is awaited) returns once truthy.

    Playwright's `wait_for_function` re-runs its predicate with `eval` inside the page when the first try is
    false, which the app's Content-Security-Policy (script-src 'self') refuses. `page.evaluate` goes through
    the DevTools protocol, which the policy does not govern: poll with it instead."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        value = await (page.evaluate(expression) if arg is _NO_ARG else page.evaluate(expression, arg))
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"still false after {seconds} s: {expression}")
        await asyncio.sleep(interval)


def free_port() -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_healthy(url: str) -> bool:
    """Whether the app at `url` answers its health check."""
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def cpu_model() -> str:
    """The CPU's model name as Linux reports it, or "unknown"."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def memory_gib() -> str:
    """Total memory, e.g. "7.8 GiB", or "unknown"."""
    try:
        found = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    except OSError:
        return "unknown"
    return f"{int(found.group(1)) / 1024 / 1024:.1f} GiB" if found else "unknown"
