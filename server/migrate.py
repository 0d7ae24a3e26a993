"""Run every Piccolo migration forwards (the Procfile's release step and `make run` call this)."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards


async def migrate(verbose: bool = False) -> None:
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if not verbose else contextlib.nullcontext():
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{output.getvalue()}")
