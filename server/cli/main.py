"""The command line: the parser of `python -m server` and its entry point."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from server.cli.backup import cmd_backup, cmd_restore, cmd_verify_backup
from server.cli.base import (
    EXIT_FAILED,
    EXIT_REFUSED,
    PASSWORD_ENV,
    UnsafeToServe,
)
from server.cli.database import (
    cmd_create_admin,
    cmd_migrate,
    cmd_seed_demo,
    cmd_verify_audit,
)
from server.cli.serving import cmd_demo_logins, cmd_run_dev, cmd_serve


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
        if name == "serve":  # run-dev stays one process
            server.add_argument(
                "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY") or 1),
                help="web processes on the same port (default: WEB_CONCURRENCY, else 1)",
            )
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
