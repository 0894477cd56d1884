"""Where Verity may send: the SSRF guard for webhook URLs.

Only `https` (plain `http` only when the development setting allows it), no credentials in the URL, and
a host whose every address is public: private, loopback, link-local, multicast, reserved and shared
addresses are refused (loopback only when the development setting allows it). The host is resolved
again before every attempt and the connection goes to the address that was checked, so a DNS answer
that changes between the check and the connection (rebinding) cannot redirect a delivery.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from app.core.config import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
RESOLVE_TIMEOUT_SECONDS = 5.0


class UrlRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Target:
    """A checked URL and the address to connect to."""

    url: SplitResult
    host: str
    port: int
    address: IPAddress


def _unmapped(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def address_allowed(ip: IPAddress, settings: Settings) -> bool:
    ip = _unmapped(ip)
    if ip.is_loopback:
        return settings.webhooks_allow_loopback
    return ip.is_global and not ip.is_multicast


def parse(url: str, settings: Settings) -> SplitResult:
    """Check what can be checked without the network."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises on a malformed port
    except ValueError as exc:
        raise UrlRefused("url_invalid", "not a valid URL") from exc
    schemes = ("https", "http") if settings.webhooks_allow_http else ("https",)
    if parts.scheme not in schemes:
        raise UrlRefused("url_scheme_not_allowed", "must be an https URL")
    if not parts.hostname:
        raise UrlRefused("url_invalid", "must name a host")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused(
            "url_credentials_not_allowed", "must not carry credentials; the signature authenticates"
        )
    if parts.fragment:
        raise UrlRefused("url_invalid", "must not have a fragment")
    if port == 0:
        raise UrlRefused("url_invalid", "port 0 is not a port")
    return parts


async def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError, TimeoutError) as exc:
        raise UrlRefused("url_unresolvable", f"the host {host!r} does not resolve") from exc
    # Drop a zone id (fe80::1%eth0) before parsing; link-local is refused anyway.
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))


async def check(url: str, settings: Settings) -> Target:
    """Parse and resolve; refuse unless every address the host resolves to is allowed."""
    parts = parse(url, settings)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = await resolve(host, port)
    if not addresses:
        raise UrlRefused("url_unresolvable", f"the host {host!r} does not resolve")
    refused = [str(a) for a in addresses if not address_allowed(a, settings)]
    if refused:
        raise UrlRefused(
            "url_not_allowed",
            f"resolves to a private, loopback, link-local or reserved address ({', '.join(refused)})",
        )
    return Target(url=parts, host=host, port=port, address=addresses[0])
