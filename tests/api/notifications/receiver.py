"""A Web Push service stand-in: an aiohttp server on 127.0.0.1 that records what it is sent.

The server is tests.helpers.RecordingServer (the webhooks' receiver is one too). The test owns the
subscription's keys, so it can check the cryptography for real: the VAPID JWT's signature and claims, and the
aes128gcm body, decrypted with the subscription's private key.
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

import http_ece
from aiohttp import web
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.helpers import RecordingServer


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Receiver(RecordingServer):
    """Takes POSTs only, as a push service does."""

    METHOD: ClassVar[str] = "POST"
    statuses: dict[str, int] = field(default_factory=dict)  # path → status to answer (default 201)

    def answer(self, path: str) -> web.Response:
        return web.Response(status=self.statuses.get(path, 201))


@dataclass
class BrowserKeys:
    """What a browser's PushManager.subscribe() creates: a P-256 key pair and a 16-byte auth secret."""

    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(body, version="aes128gcm", private_key=self.private_key, auth_secret=self.auth_secret)
        return json.loads(plain)


def verify_vapid(authorization: str, server_public_key: str, audience: str) -> dict[str, Any]:
    """Check `vapid t=<jwt>,k=<key>`: ES256 signature by the server's key, aud, and exp within 24 h."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid", authorization
    fields = dict(part.split("=", 1) for part in params.split(","))
    assert fields["k"] == server_public_key
    header_b64, payload_b64, signature_b64 = fields["t"].split(".")
    header = json.loads(unb64url(header_b64))
    assert header["alg"] == "ES256"
    signature = unb64url(signature_b64)
    assert len(signature) == 64
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(server_public_key))
    public.verify(der, f"{header_b64}.{payload_b64}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    claims = json.loads(unb64url(payload_b64))
    assert claims["aud"] == audience
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert claims["sub"].startswith(("mailto:", "https://"))
    return claims
