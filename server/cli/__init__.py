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

The commands live by subject: base.py (what they share), database.py, backup.py, serving.py; main.py parses.
"""

from server.cli.base import _run
from server.cli.main import build_parser, main
from server.cli.serving import worker_environment

__all__ = ["_run", "build_parser", "main", "worker_environment"]
