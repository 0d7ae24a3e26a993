"""Small helpers for starting the app on this machine, shared by the benchmarks and the tests that run it in
a process of its own."""

from __future__ import annotations

import socket
import urllib.request


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
