"""Serving the app and the bare endpoint under uvicorn for bench.run, and signing in to them."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from bench.local import free_port
from bench.run_common import API_HEADER, COOKIE_NAME, PASSWORD, ROOT

# ---------------------------------------------------------------------------------------------------------
# Servers.


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def uvicorn_command(app: str, port: int, workers: int = 1) -> list[str]:
    # As `python -m server serve` runs it: uvicorn's own X-Forwarded-For handling off (the app reads it from
    # TRUSTED_PROXIES only); the access log off, as a reverse proxy keeps it.
    return [
        sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--no-access-log", "--no-proxy-headers", "--log-level", "warning",
    ]  # fmt: skip


def start_server(name: str, app: str, env: dict[str, str], workdir: Path, health: str, workers: int = 1) -> Server:
    port = free_port()
    log_path = workdir / f"{name}.log"
    handle = log_path.open("wb")
    process = subprocess.Popen(
        uvicorn_command(app, port, workers), cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
    )
    handle.close()
    server = Server(name, port, process, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited at start:\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            status, _, _ = http_request(port, "GET", health)
            if status == 200 and workers_up(process.pid, workers):
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise SystemExit(f"{name} did not answer {health} within 60 s; see {log_path}")


def workers_up(pid: int, workers: int) -> bool:
    """With several workers, uvicorn answers as soon as one is up: wait for all of them, and their start-up."""
    if workers <= 1:
        return True
    from bench.run_load import process_tree

    if len(process_tree(pid)) - 1 < workers:
        return False
    time.sleep(3.0)
    return True


def http_request(
    port: int, method: str, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Accept": "application/json", **(headers or {})}
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        conn.request(method, path, body=payload, headers=all_headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def login(port: int, username: str) -> str:
    """The Cookie header value of a fresh session for `username`."""
    status, headers, body = http_request(
        port, "POST", "/api/v1/auth/login", {"username": username, "password": PASSWORD}, dict([API_HEADER])
    )
    if status != 200:
        raise SystemExit(f"login as {username} failed: HTTP {status} {body[:300]!r}")
    for value in headers.get_all("Set-Cookie") or []:
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(value)
        if COOKIE_NAME in cookie:
            return f"{COOKIE_NAME}={cookie[COOKIE_NAME].value}"
    raise SystemExit(f"login as {username}: no {COOKIE_NAME} cookie in the answer")
