"""Where a webhook may go: http or https only, to hosts and addresses that `WEBHOOK_ALLOWED_HOSTS` allows.

`WEBHOOK_ALLOWED_HOSTS` is a comma-separated list of
- IP addresses or networks (`127.0.0.1`, `10.20.0.0/16`, `fd00::/8`): any host that resolves there, private or not;
- host names (`eoffice.tinh.gov.vn`) or suffixes (`*.tinh.gov.vn`): those hosts, at public addresses only;
- `*`: any host at a public address.
Unset (or empty), it means `*`: any public address, and never a private, loopback, link-local or reserved one
(the server's own ports, the cloud's metadata service, the office's LAN) unless a network above lists it.

The check is made on the addresses the name resolves to, at subscription and again at each delivery (DNS may
change in between), and the delivery connects to the address that was checked, not to a second lookup.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from server.lib.errors import Invalid

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_URL = 2048


@dataclass(frozen=True)
class Policy:
    networks: tuple[IPNetwork, ...] = ()
    names: tuple[str, ...] = ()  # exact names, or ".suffix" for "*.suffix"
    any_name: bool = True

    def name_allowed(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return self.any_name or any(host == n or (n.startswith(".") and host.endswith(n)) for n in self.names)

    def address_allowed(self, host: str, address: IPAddress) -> bool:
        if any(address in network for network in self.networks):
            return True
        return address.is_global and self.name_allowed(host)


def policy(value: str | None = None) -> Policy:
    """The policy of `WEBHOOK_ALLOWED_HOSTS` (read each time: an admin's change applies to the next delivery)."""
    raw = os.environ.get("WEBHOOK_ALLOWED_HOSTS", "") if value is None else value
    entries = [e.strip().lower() for e in raw.split(",") if e.strip()]
    if not entries:
        return Policy()
    networks: list[IPNetwork] = []
    names: list[str] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
            continue
        except ValueError:
            pass
        names.append(entry[1:] if entry.startswith("*.") else entry)
    return Policy(networks=tuple(networks), names=tuple(n for n in names if n != "*"), any_name="*" in names)


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    addresses: tuple[IPAddress, ...]  # the checked addresses the delivery connects to, in the resolver's order


def parse_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, or Invalid with the reason in words."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL:
        raise Invalid("webhook_url_invalid", "Địa chỉ nhận không hợp lệ")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Invalid("webhook_url_invalid", "Địa chỉ nhận không hợp lệ") from error
    if parts.scheme not in ("http", "https"):
        raise Invalid("webhook_scheme", "Chỉ chấp nhận địa chỉ http hoặc https")
    if not parts.hostname or parts.username or parts.password:
        raise Invalid("webhook_url_invalid", "Địa chỉ nhận không hợp lệ")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:  # a name with an empty label (a..b) fails IDNA encoding
        raise Invalid("webhook_host_unresolved", "Không tìm thấy máy chủ của địa chỉ nhận", host=host) from error
    seen: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in seen:
            seen.append(address)
    return seen


async def check_url(url: str, allowed: Policy | None = None) -> Target:
    """The URL's target if every address its host resolves to is allowed; Invalid naming what is refused."""
    scheme, host, port = parse_url(url)
    allowed = allowed or policy()
    addresses = await resolve(host, port)
    if not addresses:
        raise Invalid("webhook_host_unresolved", "Không tìm thấy máy chủ của địa chỉ nhận", host=host)
    for address in addresses:
        if not allowed.address_allowed(host, address):
            raise Invalid("webhook_address_refused",
                          "Địa chỉ nhận không được phép (WEBHOOK_ALLOWED_HOSTS)",
                          host=host, address=str(address))
    return Target(scheme=scheme, host=host, port=port, addresses=tuple(addresses))
