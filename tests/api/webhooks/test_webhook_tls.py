"""An https receiver: the delivery connects to the checked address, yet TLS is spoken to the host's name (SNI and
the certificate's check), so a certificate for another name is refused. The receiver's certificate is made by
the test and trusted for it alone."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from server.webhooks import delivery, failures
from server.webhooks.tables import WebhookDelivery
from tests.api.webhooks.helpers import drain, subscribe, verified
from tests.api.webhooks.receiver import Received
from tests.factories import make_task


def _certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
async def tls_receiver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[int, list[Received]]]:
    cert_path, key_path = _certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_path, key_path)
    received: list[Received] = []

    async def handle(request: web.Request) -> web.Response:
        received.append(Received(request.path, dict(request.headers), await request.read()))
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    client_context = ssl.create_default_context(cafile=str(cert_path))
    monkeypatch.setattr(delivery, "_tls", lambda: client_context)  # this certificate is trusted, no other
    # "localhost" may resolve to ::1 as well: the server listens on 127.0.0.1, the delivery tries each address.
    monkeypatch.setenv("WEBHOOK_ALLOWED_HOSTS", "127.0.0.1/32, ::1/128")
    yield port, received
    await runner.cleanup()


async def test_https_is_spoken_to_the_name_while_connecting_to_the_checked_address(  # type: ignore[no-untyped-def]
        j, client_for, tls_receiver, cleanup_subscriptions):
    port, received = tls_receiver
    admin = await client_for(j.admin)
    by_name = await subscribe(admin, f"https://localhost:{port}/hooks/tls", ["task.assigned"], cleanup_subscriptions)
    by_address = await subscribe(admin, f"https://127.0.0.1:{port}/hooks/ip", ["task.assigned"],
                                 cleanup_subscriptions)
    await make_task(j, assignees=[j.head])
    await drain()
    [good] = await WebhookDelivery.select().where(WebhookDelivery.subscription == by_name["id"])
    assert (good["state"], good["response_code"]) == ("delivered", 204), good["error"]
    [arrived] = [r for r in received if r.path == "/hooks/tls"]
    assert verified(by_name["secret"], arrived) and arrived.header("Host") == f"localhost:{port}"
    # The certificate names localhost, not 127.0.0.1: refused as a network failure, to be retried.
    [bad] = await WebhookDelivery.select().where(WebhookDelivery.subscription == by_address["id"])
    code, facts = failures.decode(bad["error"])
    assert bad["state"] == "retrying" and bad["response_code"] is None
    assert (code, facts["exception"]) == ("network", "ConnectError") and "certificate" in facts["detail"].lower()
    assert not [r for r in received if r.path == "/hooks/ip"]
