"""Where file bytes live, chosen by settings (MEDIA_STORAGE): the local disk by default, or an S3-compatible
bucket through boto3 (AWS's own client, kept up by AWS). Both are content-addressed by SHA-256, so writing the
same bytes twice is harmless, and both are synchronous: the services call them in a worker thread."""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from server.settings import S3Settings


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


class S3Storage:
    """Objects named <prefix>/ab/cd/<sha256> in one bucket of any S3-compatible store (AWS S3, MinIO, Ceph...)."""

    def __init__(self, settings: S3Settings, client: Any = None) -> None:
        self.bucket = settings.bucket
        self.prefix = f"{settings.prefix}/" if settings.prefix else ""
        self.client = client or _s3_client(settings)

    def _key(self, sha256: str) -> str:
        return f"{self.prefix}{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def put(self, sha256: str, data: bytes) -> None:
        # One PUT is atomic in S3: a reader sees the whole object or none, never half of it.
        self.client.put_object(Bucket=self.bucket, Key=self._key(sha256), Body=data)

    def get(self, sha256: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(sha256))
        except self.client.exceptions.NoSuchKey:
            # The same failure as the local disk's, so the callers need not know which storage they have.
            raise FileNotFoundError(self._key(sha256)) from None
        return answer["Body"].read()

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, sha256: str) -> None:
        # S3 answers a DELETE of a missing key with success: already deleted, as on the local disk.
        self.client.delete_object(Bucket=self.bucket, Key=self._key(sha256))


@lru_cache(maxsize=4)
def _s3_client(settings: S3Settings) -> Any:
    """One client per bucket's settings and process (boto3's clients are thread-safe; making one costs ~50 ms)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=settings.endpoint_url,
        region_name=settings.region,
        aws_access_key_id=settings.access_key,
        aws_secret_access_key=settings.secret_key,
        # Path-style names (endpoint/bucket/key) for the self-hosted stores, which have no per-bucket host names.
        config=Config(retries={"max_attempts": 3, "mode": "standard"},
                      s3={"addressing_style": "path"} if settings.endpoint_url else {}),
    )


def default_storage() -> Storage:
    from server.settings import get_settings

    settings = get_settings()
    if settings.media_storage == "s3" and settings.s3 is not None:
        return S3Storage(settings.s3)
    return LocalStorage(settings.media_dir)
