"""Serving: demo-logins, serve, run-dev (with the reminders worker beside the web process)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import Any

from server.cli.base import (
    APP_FACTORY,
    EXIT_OK,
    EXIT_REFUSED,
    ROLE_LABELS,
    _run,
    check_production_safety,
)
from server.cli.database import (
    _migrate_and_seed,
    _print_seed_result,
)
from server.settings import get_settings


async def _demo_accounts() -> list[dict[str, Any]]:
    from server.people.tables import Person

    return await Person.select(
        Person.username, Person.full_name, Person.role, Person.title, Person.unit.name
    ).where(Person.is_demo.eq(True) & Person.active.eq(True)).order_by(Person.id)


def _print_logins(rows: list[dict[str, Any]], show_all: bool = False) -> None:
    from server.demo import DEMO_PASSWORD, MAIN_ACCOUNTS

    if not rows:
        print("Không có tài khoản demo. / No demo accounts.")
        return
    rank = {name: index for index, name in enumerate(MAIN_ACCOUNTS)}
    main = sorted((r for r in rows if r["username"] in rank), key=lambda r: rank[r["username"]])
    others = [r for r in rows if r["username"] not in rank]
    listed = main + others if show_all or not main else main
    width = max(len(r["username"]) for r in listed) + 2
    role_width = max(len(ROLE_LABELS.get(r["role"], r["role"])) for r in listed) + 2
    print(f"Tài khoản demo / Demo accounts — mật khẩu / password: {DEMO_PASSWORD}")
    print(f"  {'username'.ljust(width)}{'vai trò / role'.ljust(role_width + 16)}đơn vị / unit")
    for row in listed:
        role = ROLE_LABELS.get(row["role"], row["role"])
        print(f"  {row['username'].ljust(width)}{role.ljust(role_width)}{('(' + row['role'] + ')').ljust(16)}"
              f"{row['unit.name']} — {row['full_name']}, {row['title']}")
    if len(listed) < len(rows):
        print(f"  … và {len(rows) - len(listed)} tài khoản demo khác, cùng mật khẩu (demo-logins --all). / "
              f"… and {len(rows) - len(listed)} more demo accounts with the same password (demo-logins --all).")


def cmd_demo_logins(args: argparse.Namespace) -> int:
    _print_logins(_run(_demo_accounts), show_all=args.all)
    return EXIT_OK


def _serve(host: str, port: int, reload: bool, workers: int = 1) -> int:
    import uvicorn

    sys.stdout.flush()  # what was printed comes before the server's log, even through a pipe
    # X-Forwarded-For is read by the app itself, from TRUSTED_PROXIES only (server.lib.middleware.proxy_middleware);
    # uvicorn's own handling would believe it from any local address.
    uvicorn.run(
        APP_FACTORY, factory=True, host=host, port=port, reload=reload, proxy_headers=False, workers=max(1, workers)
    )
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    if settings.production:
        _run(lambda: check_production_safety(settings))
    if args.workers > 1 and not settings.redis_url:
        # Sessions and their sign-outs are shared through DATA_DIR; live updates and rate limits need Redis.
        print(f"NOTE: {args.workers} web processes without REDIS_URL: a live update reaches only the clients of the "
              "process that made it, and each process counts its own rate limit.", file=sys.stderr)
    return _serve(args.host, args.port, args.reload, args.workers)


def worker_environment() -> dict[str, str]:
    from server.lib import supervise

    return {
        **os.environ,
        supervise.PARENT_ENV: str(os.getpid()),
        supervise.SINGLE_ENV: "1",
        # The worker of a run that was just killed may be finishing its batch: wait for it rather than give up.
        supervise.WAIT_ENV: os.environ.get(supervise.WAIT_ENV, "30"),
    }


def cmd_run_dev(args: argparse.Namespace) -> int:
    settings = get_settings()
    if settings.production:
        print("run-dev chỉ dùng cho máy phát triển; dùng `serve` khi chạy thật. / "
              "run-dev is for development; use `serve` in production.", file=sys.stderr)
        return EXIT_REFUSED

    async def work() -> tuple[dict[str, Any], list[dict[str, Any]], str | None]:
        from server.reports.admin import ensure_demo_open311_key

        result = await _migrate_and_seed()
        logins = await _demo_accounts()
        # A database of real data gets no demo key, however it is started.
        return result, logins, await ensure_demo_open311_key() if logins else None

    result, logins, open311_key = _run(work)
    if result.get("seeded"):
        _print_seed_result(result)
    _print_logins(logins)
    if open311_key:
        print(f"Khoá Open311 demo / demo Open311 api_key: {open311_key}")
    print(f"Cổng người dân / Citizen portal: http://{args.host}:{args.port}/portal")
    print(f"Mở / Open http://{args.host}:{args.port}/")
    # One laptop, one command: the reminders worker runs beside the web process and stops with it, even when
    # this process is killed outright (server.lib.supervise); a second `make run` never starts a second worker.
    worker = subprocess.Popen([sys.executable, "-m", "server.worker"], env=worker_environment())
    try:
        return _serve(args.host, args.port, args.reload)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
