"""The backup archive: a tar (gzip when its name ends in .gz or .tgz) whose last member is manifest.json.

The manifest comes last so that every file is hashed as it is written, in one pass; a reader hashes each member
as it streams by and checks the whole against the manifest at the end. Only names the manifest lists are ever
written to disk on restore, and only below the staging directory.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """The archive cannot be used; `reason` names what is wrong, for the operator."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class BackupError(ArchiveError):
    """A backup or restore refused or failed for a reason outside the archive's bytes."""


class _HashingReader(io.RawIOBase):
    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _mode(path: Path, write: bool) -> str:
    gzip = path.name.endswith((".gz", ".tgz"))
    if write:
        return "w:gz" if gzip else "w"
    return "r:*"


@dataclass
class ArchiveWriter:
    """Add files one by one (each hashed as it is copied), then `close(manifest)` writes the manifest last."""

    path: Path
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._partial = self.path.with_name(self.path.name + ".partial")
        # 0600 from the first byte: the archive holds the same personal data as the database.
        self._file = os.fdopen(os.open(self._partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
        mode = _mode(self.path, write=True)
        # gzip's fastest level: a database dump shrinks almost as much, four times sooner; photos don't shrink.
        extra = {"compresslevel": 1} if mode == "w:gz" else {}
        self._tar = tarfile.open(fileobj=self._file, mode=mode, **extra)  # type: ignore[call-overload]

    def add_file(self, name: str, source: Path) -> None:
        with source.open("rb") as handle:
            # The size is taken from the open file: a file renamed over meanwhile is read as it was when opened.
            stat = os.fstat(handle.fileno())
            size = stat.st_size
            info = tarfile.TarInfo(name)
            info.size = size
            info.mtime = int(stat.st_mtime)
            info.mode = 0o600
            reader = _HashingReader(handle)
            self._tar.addfile(info, reader)  # type: ignore[arg-type]
        self.files[name] = {"sha256": reader.digest.hexdigest(), "size": size}

    def add_tree(self, prefix: str, root: Path, skip: tuple[str, ...] = ()) -> int:
        if not root.is_dir():
            return 0
        added = 0
        for source in sorted(root.rglob("*")):
            if not source.is_file() or source.name.startswith(".upload-") or source.name in skip:
                continue  # a half-written upload is never a stored file
            self.add_file(f"{prefix}/{source.relative_to(root).as_posix()}", source)
            added += 1
        return added

    def close(self, manifest: dict[str, Any]) -> None:
        body = json.dumps({**manifest, "format": FORMAT, "files": self.files}, ensure_ascii=False, indent=2).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(body)
        info.mode = 0o600
        self._tar.addfile(info, io.BytesIO(body))
        self._tar.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._partial.replace(self.path)  # a backup cut short never looks like a finished one

    def abort(self) -> None:
        self._tar.close()
        self._file.close()
        self._partial.unlink(missing_ok=True)


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts


def read_archive(path: Path, into: Path | None = None) -> dict[str, Any]:
    """Stream the archive once: hash every member, write it below `into` when given, and check the manifest.

    Raises ArchiveError naming the first thing wrong: no such file, not a tar, no manifest, a file the manifest
    does not list, a SHA-256 or size that differs, a listed file that is missing.
    """
    if not path.is_file():
        raise ArchiveError("backup_missing", f"no archive at {path}")
    seen: dict[str, dict[str, Any]] = {}
    manifest: dict[str, Any] | None = None
    try:
        with tarfile.open(path, _mode(path, write=False)) as tar:
            for member in tar:
                if not member.isfile() or not _safe_name(member.name):
                    raise ArchiveError("backup_damaged", f"unexpected member {member.name!r} in the archive")
                handle = tar.extractfile(member)
                assert handle is not None
                if member.name == MANIFEST:
                    try:
                        manifest = json.loads(handle.read())
                    except ValueError as error:
                        raise ArchiveError("backup_damaged", f"the manifest is not valid JSON: {error}") from error
                    continue
                seen[member.name] = _copy_member(handle, into / member.name if into else None)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise ArchiveError("backup_damaged", f"the archive cannot be read: {error}") from error
    if manifest is None:
        raise ArchiveError("backup_damaged", "the archive has no manifest.json (cut short, or not a dieuhanh backup)")
    _check_files(manifest, seen)
    return manifest


def _copy_member(handle: IO[bytes], target: Path | None) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    out = None
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        out = target.open("wb")
    try:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            if out is not None:
                out.write(chunk)
    finally:
        if out is not None:
            out.close()
    return {"sha256": digest.hexdigest(), "size": size}


def _check_files(manifest: dict[str, Any], seen: dict[str, dict[str, Any]]) -> None:
    if manifest.get("format") != FORMAT:
        raise ArchiveError("backup_newer", f"archive format {manifest.get('format')!r}; this version reads {FORMAT}")
    listed: dict[str, dict[str, Any]] = manifest.get("files") or {}
    for name, got in seen.items():
        want = listed.get(name)
        if want is None:
            raise ArchiveError("backup_damaged", f"{name} is in the archive but not in its manifest")
        if want.get("sha256") != got["sha256"] or want.get("size") != got["size"]:
            raise ArchiveError("backup_damaged", f"SHA-256 mismatch for {name}: the manifest says "
                                                 f"{want.get('sha256')}, the archive holds {got['sha256']}")
    missing = sorted(set(listed) - set(seen))
    if missing:
        raise ArchiveError("backup_damaged", f"{len(missing)} file(s) listed in the manifest are missing, "
                                             f"first {missing[0]}")


def members(manifest: dict[str, Any], prefix: str) -> Iterator[str]:
    for name in manifest.get("files") or {}:
        if name.startswith(prefix + "/"):
            yield name
