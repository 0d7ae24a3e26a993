"""Waiting for a condition in a page whose Content-Security-Policy forbids eval (script-src 'self').

Playwright's `wait_for_function` re-runs its predicate with `eval` inside the page when the first try is
false, which such a page refuses ("EvalError: … 'unsafe-eval' is not an allowed source"). `page.evaluate`
goes through the DevTools protocol, which the policy does not govern: poll with it instead.
"""

from __future__ import annotations

import asyncio
from typing import Any

_NO_ARG = object()


async def wait_until(page: Any, expression: str, arg: Any = _NO_ARG, seconds: float = 15.0,
                     interval: float = 0.1) -> Any:
    """What `expression` (an expression, or a function of `arg`; a Promise is awaited) returns once truthy."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        value = await (page.evaluate(expression) if arg is _NO_ARG else page.evaluate(expression, arg))
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"still false after {seconds} s: {expression}")
        await asyncio.sleep(interval)
