"""The one rule for "who is the client", used by every limit and by the staff login lockout.

Behind our own reverse proxies (DJANGO_TRUSTED_PROXIES), the client is the right-most
`X-Forwarded-For` entry that is not one of them: entries further left were written by the
client or by proxies we do not run, so anyone could forge them. Without trusted proxies the
header is ignored and the connection's address (REMOTE_ADDR) is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse(value: str) -> Address | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:  # "fe80::1%eth0": not a client address, and no database column takes it
            return None
        if address.ipv4_mapped:
            return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def trusted_networks(entries: Iterable[str] | None = None) -> tuple[Network, ...]:
    """DJANGO_TRUSTED_PROXIES as networks (a bare address is a /32 or /128)."""
    return _networks(tuple(settings.TRUSTED_PROXIES if entries is None else entries))


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(request: HttpRequest) -> str | None:
    """The client's address as text, or None when it cannot be told (a malformed entry)."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    networks = trusted_networks()
    if not _is_trusted(remote, networks):
        return str(remote)
    # Walk the chain from the right: our proxies appended these, so skip them.
    forwarded = ",".join(request.headers.get("X-Forwarded-For", "").split(",")[-20:])
    for entry in reversed([item for item in forwarded.split(",") if item.strip()]):
        address = _parse(entry)
        if address is None:
            return None
        if not _is_trusted(address, networks):
            return str(address)
    # Every hop is one of ours (e.g. a health check from the proxy itself).
    return str(remote)


# One IPv6 customer usually gets a whole /64 (RFC 6177 suggests /48 to /64), so counting single
# IPv6 addresses lets one client pick a fresh address for every guess.
IPV6_CLIENT_PREFIX = 64


def network_of(address: str) -> str:
    """The client network an address belongs to: itself for IPv4, its /64 (first address) for IPv6."""
    parsed = _parse(address)
    if parsed is None:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        # The /64's first address (not "…::/64"): django-axes stores the key in an IP address
        # column, which PostgreSQL's inet type checks.
        return str(ipaddress.IPv6Network((parsed, IPV6_CLIENT_PREFIX), strict=False).network_address)
    return str(parsed)


def client_network(request: HttpRequest) -> str | None:
    """The client as a network: the IPv4 address, or the IPv6 /64 it is in (the lockout's key)."""
    address = client_address(request)
    return None if address is None else network_of(address)
