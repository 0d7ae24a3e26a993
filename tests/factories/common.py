"""What every factory shares: the test password, unique names, a distinct client address per test client."""

from __future__ import annotations

import itertools
import uuid

PASSWORD = "mat-khau-thu-nghiem"
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}{uuid.uuid4().hex[:6]}"


_addresses = itertools.count(1)


def client_address() -> tuple[str, int]:
    """A distinct client address per test client, as distinct phones would have: the per-address login
    limit then applies to each client, not to the whole suite at once."""
    n = next(_addresses)
    return (f"127.{(n // 62500) % 250 + 10}.{(n // 250) % 250}.{n % 250 + 1}", 40000 + n % 20000)
