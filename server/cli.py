"""`python -m server <command>`: the operator's commands.

    migrate          run every migration forwards
    seed-demo        migrate, then load the demo commune into an empty database
    create-admin     create an administrator (password from DIEUHANH_ADMIN_PASSWORD or a prompt)
    verify-audit     check the audit log's signed chain and its last checkpoint; write a new checkpoint
    backup PATH      one archive of the database, the stored files, the mail sink (--with-secrets: the keys too)
    restore PATH     restore an archive into an empty install (--force: replace), then migrate forwards
    verify-backup PATH  check an archive's manifest and every file's SHA-256 without restoring it
    demo-logins      list the demo accounts and their password
    serve            run the web server (refused in production while demo accounts exist)
    run-dev          migrate, seed the demo when the database is empty, print the logins, serve

Every command that touches the database opens it the way the app does (prepare_database, then the
connection pool on PostgreSQL) inside one asyncio.run, and closes the pool after.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from server.settings import Settings, get_settings

R = TypeVar("R")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REFUSED = 2

PASSWORD_ENV = "DIEUHANH_ADMIN_PASSWORD"
APP_FACTORY = "server.app:create_app"

PRODUCTION_REFUSAL = (
    "Từ chối khởi động: đang chạy ở chế độ production (PRODUCTION=1) nhưng cơ sở dữ liệu còn tài khoản demo "
    "với mật khẩu công khai. Hãy khóa hoặc xóa các tài khoản demo (python -m server demo-logins liệt kê chúng) "
    "trước khi chạy thật.\n"
    "Refusing to start: PRODUCTION is set but the database still has demo accounts, whose password is public. "
    "Deactivate or delete the demo accounts (python -m server demo-logins lists them) first."
)
DEMO_IN_PRODUCTION = (
    "Không nạp dữ liệu mẫu khi PRODUCTION đang bật.\n"
    "Refusing to load demo data while PRODUCTION is set."
)

ROLE_LABELS = {
    "admin": "Quản trị",
    "leader": "Lãnh đạo",
    "unit_head": "Trưởng đơn vị",
    "officer": "Cán bộ",
    "receptionist": "Tiếp nhận",
}


class UnsafeToServe(SystemExit):
    """Exit status 2, with the message the operator must read."""

    def __init__(self, message: str) -> None:
        super().__init__(EXIT_REFUSED)
        self.message = message

    def __str__(self) -> str:
        return self.message


async def check_production_safety(settings: Settings) -> None:
    """A production server must not start while accounts with the published demo password can sign in."""
    if not settings.production:
        return
    from server.people.services import demo_accounts_exist

    if await demo_accounts_exist():
        raise UnsafeToServe(PRODUCTION_REFUSAL)


async def _with_database(work: Callable[[], Awaitable[R]]) -> R:
    from server.lib.db import close_pool, prepare_database, start_pool

    await prepare_database()
    await start_pool()
    try:
        return await work()
    finally:
        await close_pool()


def _run(work: Callable[[], Awaitable[R]]) -> R:
    return asyncio.run(_with_database(work))


# ---------------------------------------------------------------- commands


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


def _archive_summary(manifest: dict[str, Any]) -> str:
    counts = manifest.get("counts") or {}
    return (f"dieuhanh {manifest.get('app_version')}, {manifest.get('engine')}, made {manifest.get('created_at')}: "
            f"{sum(counts.values())} rows in {len(counts)} tables, {counts.get('tasks', 0)} nhiệm vụ (tasks), "
            f"{manifest.get('media_files', 0)} stored files, {manifest.get('mail_files', 0)} mail files"
            f"{', secrets: ' + ', '.join(manifest['secrets']) if manifest.get('secrets') else ''}")


def cmd_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from server.backup.archive import ArchiveError
    from server.backup.services import create_backup, verify_backup

    if args.verify:
        return cmd_verify_backup(args)
    try:
        manifest = create_backup(Path(args.path), with_secrets=args.with_secrets)
        if args.check:
            verify_backup(Path(args.path))
    except ArchiveError as error:
        print(f"Sao lưu thất bại / Backup failed ({error.code}): {error.reason}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Đã sao lưu / Backed up to {args.path} in {manifest['seconds']} s: {_archive_summary(manifest)}")
    if not manifest.get("secrets"):
        print("Khóa bí mật không có trong bản sao lưu: hãy giữ riêng DATA_DIR/audit_key. / The archive holds no "
              "secrets: keep DATA_DIR/audit_key (and SECRET_KEY) safe apart from it.")
    if args.check:
        print("Kiểm tra bản sao lưu: OK / Archive read back and verified: OK")
    return EXIT_OK


def cmd_verify_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from server.backup.archive import ArchiveError
    from server.backup.services import verify_backup

    try:
        manifest = verify_backup(Path(args.path))
    except ArchiveError as error:
        print(f"Bản sao lưu hỏng hoặc không dùng được / Archive refused ({error.code}): {error.reason}",
              file=sys.stderr)
        return EXIT_REFUSED
    print(f"OK: {len(manifest['files'])} files match their SHA-256; {_archive_summary(manifest)}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from server.backup.archive import ArchiveError
    from server.backup.services import restore_backup

    try:
        manifest = restore_backup(Path(args.path), force=args.force, progress=print)
    except ArchiveError as error:
        print(f"Từ chối khôi phục / Restore refused ({error.code}): {error.reason}", file=sys.stderr)
        return EXIT_REFUSED
    from server.migrate import migrate

    _run(migrate)  # an archive from an older version is brought up to this one
    print(f"Đã khôi phục / Restored: {_archive_summary(manifest)}")
    if manifest["restored_secrets"]:
        print(f"Restored secrets: {', '.join(manifest['restored_secrets'])}")
    from server.audit.keys import key_path

    if not os.environ.get("AUDIT_KEY") and not key_path().is_file():
        # verify-audit would make a new key, which signs nothing of this log: the operator brings the old one.
        print(f"Chưa có khóa nhật ký: chép audit_key của máy cũ vào {key_path()} rồi chạy verify-audit. / "
              f"No audit key here: copy the original install's audit_key to {key_path()}, then run verify-audit.")
        return EXIT_OK
    return cmd_verify_audit(args)


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


def _serve(host: str, port: int, reload: bool) -> int:
    import uvicorn

    sys.stdout.flush()  # what was printed comes before the server's log, even through a pipe
    # X-Forwarded-For is read by the app itself, from TRUSTED_PROXIES only (server.lib.middleware.proxy_middleware);
    # uvicorn's own handling would believe it from any local address.
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, reload=reload, proxy_headers=False)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    if settings.production:
        _run(lambda: check_production_safety(settings))
    return _serve(args.host, args.port, args.reload)


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


# ---------------------------------------------------------------- parsing


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m server", description="dieuhanh: điều hành công việc UBND")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")

    commands.add_parser("migrate", help="run the database migrations").set_defaults(func=cmd_migrate)
    commands.add_parser("seed-demo", help="migrate, then load the demo commune into an empty database").set_defaults(
        func=cmd_seed_demo)

    admin = commands.add_parser("create-admin", help=f"create an administrator (password: ${PASSWORD_ENV} or prompt)")
    admin.add_argument("--username", required=True)
    admin.add_argument("--full-name", required=True)
    where = admin.add_mutually_exclusive_group(required=True)
    where.add_argument("--unit-id", type=int, help="an existing unit")
    where.add_argument("--root-unit", metavar="NAME", help="create this jurisdiction root unit first (a new install)")
    admin.add_argument("--root-code", default="ROOT", help="code of the new root unit (with --root-unit)")
    admin.add_argument("--root-kind", default="commune", choices=["province", "district", "commune"])
    admin.add_argument("--title", default="Quản trị hệ thống")
    admin.add_argument("--email", default="")
    admin.set_defaults(func=cmd_create_admin)

    commands.add_parser("verify-audit", help="check the signed audit chain and its checkpoint").set_defaults(
        func=cmd_verify_audit)

    backup = commands.add_parser("backup", help="write one archive: database, stored files, mail sink, manifest")
    backup.add_argument("path", help="the archive to write (.tar, or .tar.gz to compress)")
    backup.add_argument("--with-secrets", action="store_true",
                        help="also the secret key and the audit key (whoever holds both can forge the audit log)")
    backup.add_argument("--verify", action="store_true", help="only check an existing archive (as verify-backup)")
    backup.add_argument("--check", action="store_true", help="read the archive back and verify it after writing")
    backup.set_defaults(func=cmd_backup)
    restore = commands.add_parser("restore", help="restore an archive into an empty install, then migrate")
    restore.add_argument("path")
    restore.add_argument("--force", action="store_true", help="replace a database that already has data")
    restore.set_defaults(func=cmd_restore)
    verify = commands.add_parser("verify-backup", help="check an archive without restoring it")
    verify.add_argument("path")
    verify.set_defaults(func=cmd_verify_backup)

    logins = commands.add_parser("demo-logins", help="list the demo accounts and their password")
    logins.add_argument("--all", action="store_true", help="every demo account, not only the main five")
    logins.set_defaults(func=cmd_demo_logins)

    for name, func, help_text in (
        ("serve", cmd_serve, "run the web server"),
        ("run-dev", cmd_run_dev, "migrate, seed the demo when empty, print the logins, serve"),
    ):
        server = commands.add_parser(name, help=help_text)
        server.add_argument("--host", default="127.0.0.1")
        server.add_argument("--port", type=int, default=8000)
        server.add_argument("--reload", action="store_true", help="restart when the code changes")
        server.set_defaults(func=func)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except UnsafeToServe as refusal:
        print(refusal.message, file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `demo-logins --all | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
