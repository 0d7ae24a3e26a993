"""What the parts of bench.run share: where things are, who logs in, which paths are loaded."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
DOC = ROOT / "docs" / "benchmarks.md"
LUA = BENCH_DIR / "latency.lua"
PASSWORD = "bench-password"
COOKIE_NAME = "dieuhanh_session"
API_HEADER = ("X-Requested-With", "dieuhanh")
TASK_LIST = "/api/v1/tasks?view=mine&limit=50"
SCOPE_LIST = "/api/v1/tasks?view=scope&limit=50"
BARE = "/bare"
LEVELS = (1, 10, 50)
SCOPE_CONNECTIONS = 10


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
