"""The database's commands: migrate, seed-demo, create-admin, verify-audit."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from server.cli.base import (
    DEMO_IN_PRODUCTION,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_REFUSED,
    PASSWORD_ENV,
    _run,
)
from server.settings import get_settings


def cmd_migrate(args: argparse.Namespace) -> int:
    from server.migrate import migrate

    async def work() -> None:
        await migrate(verbose=True)

    _run(work)
    print("Đã cập nhật cơ sở dữ liệu. / Migrations are up to date.")
    return EXIT_OK


async def _migrate_and_seed() -> dict[str, Any]:
    from server.demo import seed_demo
    from server.migrate import migrate

    await migrate()
    return await seed_demo()


def _print_seed_result(result: dict[str, Any]) -> None:
    if not result.get("seeded"):
        print("Cơ sở dữ liệu đã có đơn vị: không nạp dữ liệu mẫu. / The database already has units: demo not loaded.")
        return
    states = ", ".join(f"{state} {count}" for state, count in result["tasks_by_state"].items())
    print(
        f"Đã nạp dữ liệu mẫu / Demo loaded: {result['units']} đơn vị (units), {result['people']} người (people), "
        f"{result['directives']} văn bản chỉ đạo (directives), {result['tasks']} nhiệm vụ (tasks: {states}), "
        f"{result['progress_reports']} báo cáo tiến độ (progress reports) in {result['seconds']} s."
    )


def cmd_seed_demo(args: argparse.Namespace) -> int:
    if get_settings().production:
        print(DEMO_IN_PRODUCTION, file=sys.stderr)
        return EXIT_REFUSED
    _print_seed_result(_run(_migrate_and_seed))
    return EXIT_OK


def _read_password() -> str | None:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not sys.stdin.isatty():
        print(f"Cần mật khẩu: đặt biến {PASSWORD_ENV} hoặc chạy trong terminal. / "
              f"A password is needed: set {PASSWORD_ENV} or run in a terminal.", file=sys.stderr)
        return None
    first = getpass.getpass("Mật khẩu / Password: ")
    second = getpass.getpass("Nhập lại / Repeat: ")
    if first != second:
        print("Hai mật khẩu không khớp. / The passwords differ.", file=sys.stderr)
        return None
    return first


def cmd_create_admin(args: argparse.Namespace) -> int:
    from server.lib.errors import DomainError
    from server.people.services import create_person

    password = _read_password()
    if password is None:
        return EXIT_FAILED

    async def work() -> dict[str, Any]:
        from server.lib.db import write_transaction

        async with write_transaction():  # a new root unit and its admin exist together or not at all
            unit_id = args.unit_id
            if unit_id is None:
                from server.units.services import create_unit

                unit = await create_unit(name=args.root_unit, code=args.root_code, kind=args.root_kind, parent_id=None)
                unit_id = unit.id
            return await create_person(
                actor_id=None, username=args.username, full_name=args.full_name, role="admin", unit_id=unit_id,
                password=password, title=args.title, email=args.email,
            )

    try:
        person = _run(work)
    except DomainError as error:
        print(f"{error.message} ({error.code})", file=sys.stderr)
        return EXIT_FAILED
    print(f"Đã tạo quản trị viên / Admin created: {person['username']} (id {person['id']}, unit {person['unit_id']})")
    return EXIT_OK


def cmd_verify_audit(args: argparse.Namespace) -> int:
    from server.audit.keys import checkpoint_path
    from server.audit.services import verify_chain

    result = _run(verify_chain)
    point = result.checkpoint
    since = (f"; the last checkpoint ({point.at.isoformat(timespec='seconds')}) counted {point.count}"
             if point else "; no checkpoint yet")
    if result.ok:
        print(f"OK: {result.checked} entries{since}; checkpoint written to {checkpoint_path()}")
        return EXIT_OK
    where = f"entry #{result.first_broken_seq}" if result.first_broken_seq else "the checkpoint"
    print(f"BROKEN at {where}: {result.reason} ({result.checked} entries verified before it{since})")
    return EXIT_FAILED
