from __future__ import annotations

import functools

import pytest

from server.auth.passwords import hash_password

# argon2 takes ~0.6 s a hash and a jurisdiction has eight people with the same password: hash it once.
_hash_once = functools.cache(hash_password)


@pytest.fixture(autouse=True)
def _fast_password_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("server.people.services.hash_password", _hash_once)
