"""API keys handed to other systems (Open311 integrators, the document system): made once, kept as a digest.

The database keeps only the SHA-256 of a key, so a copy of it gives no one the right to call the API; the key
itself is shown once, when it is made. A key is 32 random bytes: a plain SHA-256 is enough (no salt, no slow
hash: nothing to guess), and it is cheap on every request.
"""

from __future__ import annotations

import hashlib
import secrets


def new_key(prefix: str = "") -> str:
    """A fresh random key; `prefix` says what it is for when someone finds it in a file (e.g. "dh_")."""
    return prefix + secrets.token_urlsafe(32)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
