"""Which webhook URLs a mock may call, decided by the parser its sender uses.

The old check read URLs with ``urllib.parse`` while ``requests`` sent them: the two disagree on
``\\`` (``http://example.invalid\\.localhost/`` is ``example.invalid`` to urllib3), so a URL
could pass the check and reach another machine. Here one parser decides: urllib3's
``parse_url``, exactly as the sender's pool manager splits the URL to pick a connection. On
top of that, anything two parsers could read differently is refused outright (backslashes,
userinfo, percent-encoded or non-ASCII hosts, numeric hosts other than a plain dotted quad,
trailing dots), so no other tool reading a stored URL can see another host.

A well-formed URL is accepted at subscription whatever its host (the guide's own example
subscribes ``https://example.com``); whether it may be contacted is decided at every send:
every address its host resolves to must be loopback, unless the operator allowed the host
(``--allow-webhook-host``). ``localhost`` and ``*.localhost`` are loopback by definition
(RFC 6761) and never sent to DNS. The sender then connects only to the addresses that passed
(:mod:`mocks.core.pinned_http`), so DNS cannot rebind between the check and the connection.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "LOCALHOST_ADDRESSES",
    "Resolver",
    "Target",
    "TargetPolicy",
    "TargetRefused",
    "parse_target",
    "system_resolver",
]

LOCALHOST_ADDRESSES: tuple[str, ...] = ("127.0.0.1", "::1")
# Printable ASCII without space; a backslash is refused on its own (see the module docstring).
_PRINTABLE_ASCII = re.compile(r"^[\x21-\x7e]+$")
# WHATWG URL parsing reads a host whose last label is numeric (or 0x...) as an IPv4 number.
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")

Resolver = Callable[[str, int], Iterable[str]]


class TargetRefused(ValueError):
    """A webhook URL the mock will not store or not contact; the message says why and how."""


@dataclass(frozen=True)
class Target:
    """A URL as the sender requests it, and the only addresses a connection may use."""

    url: str
    scheme: str
    host: str  # lower case, IPv6 without brackets
    port: int
    addresses: tuple[str, ...] = ()


def parse_target(url: str) -> Target:
    """Check a URL's syntax the way the sender reads it; raise :class:`TargetRefused`.

    Used at subscription, so a URL that the sender and a reader could disagree on is refused
    with a 400 before it is ever stored.
    """
    if not isinstance(url, str) or not url:
        raise TargetRefused("The webhook URL is empty: send an absolute http(s) URL.")
    if "\\" in url:
        raise TargetRefused(
            "The webhook URL contains a backslash, which URL parsers read differently; "
            "use '/' between path segments."
        )
    if not _PRINTABLE_ASCII.match(url):
        raise TargetRefused(
            "The webhook URL contains spaces, control or non-ASCII characters; "
            "percent-encode the path and write host names in ASCII (punycode)."
        )
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        raise TargetRefused("The webhook URL must start with http:// or https://.")
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in authority:
        raise TargetRefused(
            "The webhook URL carries userinfo (user@host); remove it, and use the "
            "subscription's secret to authenticate deliveries."
        )
    if "%" in authority:
        raise TargetRefused("The webhook URL's host is percent-encoded; write it plainly.")
    parts = _as_sent(url)
    host = (parts.host or "").lower()
    if not host:
        raise TargetRefused("The webhook URL has no host.")
    if parts.auth is not None:  # unreachable after the '@' check; kept as the parser's word
        raise TargetRefused("The webhook URL carries userinfo (user@host); remove it.")
    host = _check_host(host)
    port = parts.port if parts.port is not None else (443 if parts.scheme == "https" else 80)
    if not 0 < port < 65536:
        raise TargetRefused(f"The webhook URL's port {port} is not a usable TCP port.")
    return Target(parts.url, parts.scheme or "http", host, port)


def _check_host(host: str) -> str:
    """The host in its one canonical spelling, or :class:`TargetRefused` for odd spellings."""
    if host.startswith("["):
        try:
            address = ipaddress.IPv6Address(host.strip("[]"))
        except ValueError:
            raise TargetRefused(f"The webhook URL's IPv6 host {host} is not valid.") from None
        if address.ipv4_mapped is not None or str(address) != host.strip("[]"):
            raise TargetRefused(
                f"The webhook URL's IPv6 host {host} is not in canonical form; "
                f"write [{address.ipv4_mapped or address}] instead."
            )
        return str(address)
    if host.endswith(".") or ".." in host:
        raise TargetRefused(f"The webhook URL's host {host!r} has an empty label; drop the dot.")
    if _NUMERIC_LABEL.match(host.rsplit(".", 1)[-1]):
        try:
            return str(ipaddress.IPv4Address(host))
        except ValueError:
            raise TargetRefused(
                f"The webhook URL's host {host!r} is a number in an unusual form; "
                "write IPv4 addresses as four decimal parts, e.g. 127.0.0.1."
            ) from None
    return host


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, as the sender's ``getaddrinfo`` call sees them."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))


class TargetPolicy:
    """Loopback only, unless the operator allowed a host; resolution is injectable for tests."""

    def __init__(
        self, allowed_hosts: Iterable[str] = (), resolve: Resolver = system_resolver
    ) -> None:
        self.allowed_hosts = frozenset(h.lower().strip("[]") for h in allowed_hosts)
        self.resolve = resolve

    def check(self, url: str) -> Target:
        """The target with the addresses a connection may use; :class:`TargetRefused` if none."""
        target = parse_target(url)
        addresses = self.addresses(target.host, target.port)
        return Target(target.url, target.scheme, target.host, target.port, addresses)

    def addresses(self, host: str, port: int) -> tuple[str, ...]:
        """Resolve ``host`` now; every address must be loopback unless the host is allowed."""
        host = host.lower().strip("[]")
        allowed = host in self.allowed_hosts
        if host == "localhost" or host.endswith(".localhost"):
            return LOCALHOST_ADDRESSES
        if _is_ip(host):
            found: tuple[str, ...] = (host,)
        else:
            try:
                found = tuple(self.resolve(host, port))
            except OSError as error:
                raise TargetRefused(
                    f"The webhook host {host!r} does not resolve ({error})."
                ) from None
        if not found:
            raise TargetRefused(f"The webhook host {host!r} resolves to no address.")
        outside = [a for a in found if not ipaddress.ip_address(a).is_loopback]
        if outside and not allowed:
            raise TargetRefused(
                f"The webhook host {host!r} resolves to {', '.join(outside)}, which is not "
                "loopback; mocks only call this machine unless --allow-webhook-host lists it."
            )
        return found


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _as_sent(url: str) -> Any:
    """``url`` split by urllib3's ``parse_url``, as the sender's pool manager splits it to
    choose the connection.

    Imported here, at the first check: urllib3 is 20 ms a SoPost mock need not spend at start.
    """
    from urllib3.exceptions import LocationParseError
    from urllib3.util import parse_url

    try:
        return parse_url(url)
    except (LocationParseError, ValueError) as error:
        raise TargetRefused(f"The webhook URL cannot be parsed ({error}).") from None
