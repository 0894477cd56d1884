"""Where Verity may send: the SSRF guard for webhook URLs.

Only `https` (plain `http` only when the development setting allows it), no credentials in the URL, a
port on the allow-list (`webhooks_allowed_ports`; any port on loopback in the loopback testing mode), and
a host whose every address is public: private, loopback, link-local, multicast, reserved and shared
addresses are refused (loopback only when the development setting allows it), and so is every IPv6 form
that embeds or translates to an IPv4 address (NAT64, 6to4, Teredo, IPv4-compatible, IPv4-mapped): such
an address reaches whatever IPv4 address it wraps, and `ipaddress.is_global` says True for several. The host is resolved
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


# Refused whatever they wrap: a translator or tunnel relays to the embedded IPv4 address, and a public
# one inside is no excuse (a receiver publishes its IPv4 address, never a NAT64 synthesis of it).
_EMBEDDING_IPV4 = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "64:ff9b::/96",  # NAT64 well-known prefix (RFC 6052)
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215)
        "2002::/16",  # 6to4 (RFC 3056)
        "2001::/32",  # Teredo (RFC 4380)
        "::/96",  # IPv4-compatible (deprecated, RFC 4291)
        "::ffff:0:0/96",  # IPv4-mapped
    )
)
_REFUSED = (
    ipaddress.IPv6Network("fec0::/10"),  # site-local (deprecated, RFC 3879), still routed in places
    ipaddress.IPv4Network("192.0.0.0/24"),  # IETF protocol assignments: 192.0.0.9 and .10 are "global"
)


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries, if it is one of the forms that carry one."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in _EMBEDDING_IPV4):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_allowed(ip: IPAddress, settings: Settings) -> bool:
    inner = embedded_ipv4(ip)
    if inner is not None:
        # Loopback testing mode accepts ::ffff:127.0.0.1, which some resolvers answer for localhost.
        return (
            isinstance(ip, ipaddress.IPv6Address)
            and ip.ipv4_mapped is not None
            and (inner.is_loopback and settings.webhooks_allow_loopback)
        )
    if ip.is_loopback:
        return settings.webhooks_allow_loopback
    if any(ip in net for net in _REFUSED if net.version == ip.version):
        return False
    return ip.is_global and not ip.is_multicast


def port_allowed(port: int, addresses: list[IPAddress], settings: Settings) -> bool:
    """A receiver listens on a web port; loopback testing mode lets a local receiver use any port."""
    if port in settings.webhooks_allowed_ports:
        return True
    return settings.webhooks_allow_loopback and all(_is_loopback(a) for a in addresses)


def _is_loopback(ip: IPAddress) -> bool:
    inner = embedded_ipv4(ip)
    return (inner or ip).is_loopback


def refusal(host: str, port: int, addresses: list[IPAddress], settings: Settings) -> UrlRefused | None:
    """Why these resolved addresses may not be connected to, or None: the one check of registration
    and of every connection the worker opens."""
    if not addresses:
        return UrlRefused("url_unresolvable", f"the host {host!r} does not resolve")
    refused = [str(a) for a in addresses if not address_allowed(a, settings)]
    if refused:
        return UrlRefused(
            "url_not_allowed",
            f"resolves to a private, loopback, link-local, reserved or IPv4-embedding address "
            f"({', '.join(refused)})",
        )
    if not port_allowed(port, addresses, settings):
        allowed = ", ".join(str(p) for p in settings.webhooks_allowed_ports)
        return UrlRefused("url_port_not_allowed", f"port {port} is not one of the allowed ports ({allowed})")
    return None


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
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))


async def check(url: str, settings: Settings) -> Target:
    """Parse and resolve; refuse unless every address the host resolves to is allowed."""
    parts = parse(url, settings)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = await resolve(host, port)
    problem = refusal(host, port, addresses, settings)
    if problem is not None:
        raise problem
    return Target(url=parts, host=host, port=port, address=addresses[0])
