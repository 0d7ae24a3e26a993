"""Media storage chosen by settings: the local disk (the default) or an S3-compatible bucket.

The S3 half runs against a real S3-compatible HTTP server: moto's `moto_server` (PyPI `moto[server]`), started
as a separate process on 127.0.0.1 and spoken to by boto3 over HTTP, as a MinIO or a provider's store would be.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.media import services
from server.media.storage import LocalStorage, S3Storage, Storage, default_storage
from server.settings import S3Settings, get_settings, reset_settings

moto_server = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
needs_s3 = pytest.mark.skipif(not Path(moto_server).exists(), reason="moto[server] is not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    process = subprocess.Popen([moto_server, "-H", "127.0.0.1", "-p", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _s3_settings(endpoint: str, bucket: str, prefix: str = "") -> S3Settings:
    return S3Settings(bucket=bucket, endpoint_url=endpoint, region="ap-southeast-1", access_key="test",
                      secret_key="test", prefix=prefix)


@pytest.fixture
def bucket(s3_endpoint: str) -> str:
    name = f"dieuhanh-{uuid.uuid4().hex[:12]}"
    S3Storage(_s3_settings(s3_endpoint, name)).client.create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
    return name


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _contract(storage: Storage) -> None:
    """What every storage must do for the media services and the retention job."""
    data = "Ảnh hiện trường: ống nước vỡ".encode() + os.urandom(64)
    sha = _digest(data)
    assert not storage.exists(sha)
    with pytest.raises(FileNotFoundError):
        storage.get(sha)
    storage.put(sha, data)
    storage.put(sha, data)  # the same bytes twice: content-addressed, one file
    assert storage.exists(sha) and storage.get(sha) == data
    storage.delete(sha)
    storage.delete(sha)  # deleting what is not there is fine
    assert not storage.exists(sha)


def test_the_local_disk_keeps_the_contract(tmp_path: Path) -> None:
    _contract(LocalStorage(tmp_path))


@needs_s3
def test_an_s3_bucket_keeps_the_same_contract(s3_endpoint: str, bucket: str) -> None:
    storage = S3Storage(_s3_settings(s3_endpoint, bucket, prefix="media"))
    _contract(storage)
    data = b"%PDF-1.4 van ban chi dao"
    storage.put(_digest(data), data)
    keys = [item["Key"] for item in storage.client.list_objects_v2(Bucket=bucket)["Contents"]]
    sha = _digest(data)
    assert keys == [f"media/{sha[:2]}/{sha[2:4]}/{sha}"]


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    yield monkeypatch
    monkeypatch.undo()
    reset_settings()


def test_the_local_disk_is_the_default(settings_env: pytest.MonkeyPatch) -> None:
    settings_env.delenv("MEDIA_STORAGE", raising=False)
    reset_settings()
    storage = default_storage()
    assert isinstance(storage, LocalStorage) and storage.root == get_settings().media_dir


def test_s3_without_a_bucket_is_refused_at_start(settings_env: pytest.MonkeyPatch) -> None:
    settings_env.setenv("MEDIA_STORAGE", "s3")
    settings_env.delenv("S3_BUCKET", raising=False)
    reset_settings()
    with pytest.raises(RuntimeError, match="S3_BUCKET"):
        get_settings()


@needs_s3
async def test_the_services_store_and_read_through_the_bucket_the_settings_name(
    settings_env: pytest.MonkeyPatch, s3_endpoint: str, bucket: str
) -> None:
    for name, value in {"MEDIA_STORAGE": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT_URL": s3_endpoint,
                        "S3_REGION": "ap-southeast-1", "S3_ACCESS_KEY_ID": "test",
                        "S3_SECRET_ACCESS_KEY": "test"}.items():
        settings_env.setenv(name, value)
    reset_settings()
    assert isinstance(default_storage(), S3Storage)
    data = b"%PDF-1.4\n" + os.urandom(256) + b"\n%%EOF\n"
    stored = await services.store_file(data)
    assert await services.read_bytes(stored["sha256"]) == data
    # In the bucket, not on the local disk.
    sha = stored["sha256"]
    assert not LocalStorage(get_settings().media_dir).exists(sha)
    client = S3Storage(_s3_settings(s3_endpoint, bucket)).client
    assert client.get_object(Bucket=bucket, Key=f"{sha[:2]}/{sha[2:4]}/{sha}")["Body"].read() == data
