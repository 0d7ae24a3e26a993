"""The audit log's secret and its checkpoint: two small files kept outside the database.

Whoever can write to the database but not read these files can neither forge an entry (every entry is an HMAC
under the key) nor cut the log's tail unseen (the checkpoint, signed with the same key, remembers the head).

- The key: AUDIT_KEY from the environment, else DATA_DIR/audit_key (AUDIT_KEY_FILE to put it elsewhere),
  generated once with mode 0600. Losing it makes the entries signed with it unverifiable: back it up apart from
  the database (a backup holding both would let whoever steals it rewrite history).
- The checkpoint: DATA_DIR/audit_checkpoint.json (AUDIT_CHECKPOINT to put it elsewhere), rewritten atomically.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from server.settings import get_settings

KEY_FILE = "audit_key"
CHECKPOINT_FILE = "audit_checkpoint.json"
_keys: dict[str, bytes] = {}


def ensure_private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def key_path() -> Path:
    return Path(os.environ.get("AUDIT_KEY_FILE") or get_settings().data_dir / KEY_FILE)


def checkpoint_path() -> Path:
    return Path(os.environ.get("AUDIT_CHECKPOINT") or get_settings().data_dir / CHECKPOINT_FILE)


def audit_key() -> bytes:
    """The HMAC key; read once per process and place (the tests move DATA_DIR)."""
    from_env = os.environ.get("AUDIT_KEY", "")
    if from_env:
        return from_env.encode()
    path = key_path()
    cached = _keys.get(str(path))
    if cached is not None:
        return cached
    if not path.exists():
        ensure_private_dir(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others, not even once
        except FileExistsError:
            pass  # another process made it first: read theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    key = path.read_text().strip().encode()
    if not key:
        raise RuntimeError(f"the audit key file {path} is empty")
    _keys[str(path)] = key
    return key


def sign(payload: bytes) -> str:
    return hmac.new(audit_key(), payload, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    count: int  # the log held entries 1..count
    head_hash: str  # the hash of entry #count
    at: dt.datetime
    mac: str = ""

    def payload(self) -> bytes:
        return json.dumps({"count": self.count, "head_hash": self.head_hash, "at": self.at.isoformat()},
                          sort_keys=True, separators=(",", ":")).encode()


def write_checkpoint(count: int, head_hash: str, at: dt.datetime) -> Checkpoint:
    point = Checkpoint(count, head_hash, at)
    point = Checkpoint(count, head_hash, at, sign(b"audit-checkpoint:" + point.payload()))
    path = checkpoint_path()
    ensure_private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"count": count, "head_hash": head_hash, "at": at.isoformat(), "mac": point.mac}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)  # a reader sees the old checkpoint or the new one, never half of one
    return point


class CheckpointInvalid(Exception):
    pass


def read_checkpoint() -> Checkpoint | None:
    """The last checkpoint, or None when none was ever written; CheckpointInvalid when it was tampered with."""
    path = checkpoint_path()
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text())
        point = Checkpoint(int(raw["count"]), str(raw["head_hash"]), dt.datetime.fromisoformat(raw["at"]),
                           str(raw["mac"]))
    except (ValueError, KeyError, TypeError) as error:
        raise CheckpointInvalid(f"unreadable checkpoint {path}: {error}") from error
    if not hmac.compare_digest(point.mac, sign(b"audit-checkpoint:" + point.payload())):
        raise CheckpointInvalid(f"the checkpoint {path} is not signed with the audit key")
    return point
