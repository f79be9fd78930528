"""Never fetch a private address on a person's behalf (SSRF).

A link in a message is chosen by whoever sends it, so a fetch must not reach the machine's own
services (loopback), the newsroom's network (RFC 1918, CGNAT, link-local, the cloud metadata address
169.254.169.254), or anything else that is not the public internet. Checking the host name is not
enough: ``http://2130706433/``, ``http://[::ffff:127.0.0.1]/``, a public name whose DNS answer is
``10.0.0.5``, and a public page that redirects to ``http://localhost:8080/`` all reach inside. So the
check sits where the connection is made: ``GuardedBackend`` resolves the name itself, refuses unless
every address is public (or inside a network the operator allowed, ``BENARKAH_LINK_FETCH_ALLOW``),
and connects to the address it checked, so a second DNS answer cannot differ (DNS rebinding). Every
redirect hop is a new request through the same backend, so every hop is checked too. Proxies from the
environment are ignored (a proxy would connect on our behalf, unchecked).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any, Iterable

import httpcore
import httpx

from ..errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
WEB_PORTS = frozenset({80, 443, 8000, 8080, 8443})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeAddress(FetchError):
    """The link leads to an address that is not on the public internet (or not allowed)."""


@dataclass(frozen=True)
class AddressPolicy:
    """Public addresses on web ports; plus, for a deployment that must (tests, an intranet wiki), the
    networks it names, on any port."""

    allowed: tuple[IPNetwork, ...] = field(default=())

    @classmethod
    def parse(cls, networks: Iterable[str]) -> "AddressPolicy":
        try:
            return cls(tuple(ipaddress.ip_network(n.strip(), strict=False) for n in networks if n.strip()))
        except ValueError as exc:
            raise FetchError(f"BENARKAH_LINK_FETCH_ALLOW: {exc} (expected CIDR networks such as 10.1.0.0/16)") from None

    def permits(self, ip: IPAddress, port: int) -> bool:
        ip = _unmapped(ip)
        if any(ip.version == net.version and ip in net for net in self.allowed):
            return True
        return ip.is_global and not ip.is_multicast and port in WEB_PORTS

    def check(self, host: str, port: int) -> IPAddress:
        """The address to connect to for ``host``, after resolving it; raises ``UnsafeAddress``."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(f"{host}: cannot resolve ({exc})") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
        refused = [a for a in addresses if not self.permits(a, port)]
        if not addresses or refused:
            # one private answer among public ones is refused too: which one the OS picks is not ours to know
            raise UnsafeAddress(f"{host}:{port} resolves to {refused[0] if refused else 'nothing'}, which is not a "
                                "public address; links are only fetched from the public internet")
        return addresses[0]


def _unmapped(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's socket backend, connecting only to addresses the policy permits."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        address = self.policy.check(host, port)
        return self._inner.connect_tcp(str(address), port, timeout=timeout, local_address=local_address,
                                       socket_options=socket_options)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        raise UnsafeAddress("unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def guarded_transport(policy: AddressPolicy) -> httpx.HTTPTransport:
    """An httpx transport whose every connection goes through ``GuardedBackend``. (httpx does not take
    a network backend directly: the transport's connection pool is replaced by one that does;
    ``tests/links/test_safety.py`` fails loudly if a new httpx stops honouring it.)"""
    transport = httpx.HTTPTransport(retries=0)
    transport._pool = httpcore.ConnectionPool(  # noqa: SLF001 - see the docstring
        ssl_context=httpx.create_ssl_context(), max_connections=20, max_keepalive_connections=5,
        keepalive_expiry=5.0, http1=True, http2=False, retries=0, network_backend=GuardedBackend(policy))
    return transport
