"""The archive's commands: backup, verify-backup, restore."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from server.cli.base import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_REFUSED,
    _run,
)
from server.cli.database import (
    cmd_verify_audit,
)


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
