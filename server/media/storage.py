"""Where file bytes live. Local disk by default; the interface is what an S3 storage would implement."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol


class Storage(Protocol):
    def put(self, sha256: str, data: bytes) -> None: ...
    def get(self, sha256: str) -> bytes: ...
    def exists(self, sha256: str) -> bool: ...
    def delete(self, sha256: str) -> None:
        """Remove the bytes (retention); a file that is not there is already deleted."""
        ...


class LocalStorage:
    """Files under root/ab/cd/<sha256>; written to a temporary name and renamed, so no half-written file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, sha256: str, data: bytes) -> None:
        path = self._path(sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, sha256: str) -> bytes:
        return self._path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()

    def delete(self, sha256: str) -> None:
        # Content-addressed: the caller checks that no row (attachment, photo, copy) still names this hash.
        self._path(sha256).unlink(missing_ok=True)


def default_storage() -> Storage:
    from server.settings import get_settings

    return LocalStorage(get_settings().media_dir)
