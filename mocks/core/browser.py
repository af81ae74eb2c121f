"""What a web page in the developer's browser must not be able to do to a local mock.

Any page can make the browser send requests to 127.0.0.1. Three rules keep that harmless:

- **Host check** (DNS rebinding): a page on ``attacker.example`` whose name is re-pointed to
  127.0.0.1 reaches the mock with ``Host: attacker.example`` and can read the answers, since
  the browser thinks they are same-origin. Only the bound address, ``localhost``, loopback IP
  literals and ``--host`` aliases are served; anything else gets 421.
- **Cross-site writes**: a page may send "simple" requests (a form, or ``fetch`` with
  ``text/plain``) to any origin without a preflight. So a state-changing request that comes
  from another origin (its ``Origin`` or ``Sec-Fetch-Site`` says so) is refused, and a
  state-changing control request must be JSON unless it comes from the mock's own pages.
  A client that is not a browser (curl, requests, an SDK) sends no ``Origin`` and passes.
- **Page headers** (pagekit's, on every answer): no framing (click-jacking), no MIME
  sniffing, a CSP that allows only the page's own resources.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from flask import Response

from mocks.core.errors import ApiError
from mocks.core.pipeline import ALL_KINDS, CONTROL, Exchange, Stage
from pagekit import secure_page

__all__ = ["HostGuard", "browser_stages", "cross_site_reason"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_BROWSER_SITES = frozenset({"same-origin", "none"})  # Sec-Fetch-Site values of our own pages
_VERDICTS_KEPT = 256


class HostGuard:
    """Which ``Host`` header names this server answers to."""

    def __init__(self, bound: str = "127.0.0.1", aliases: Iterable[str] = ()) -> None:
        self.bound = bound.strip("[]").lower()
        self.names = frozenset({"localhost", self.bound, *(a.strip("[]").lower() for a in aliases)})
        self._any_address = self.bound in ("0.0.0.0", "::", "")
        # Verdicts by Host header: a client sends the same one on every request. Bounded, so a
        # flood of made-up names only pushes out the oldest.
        self._decide = functools.lru_cache(maxsize=_VERDICTS_KEPT)(self._decide_afresh)

    def allows(self, host_header: str | None) -> bool:
        """True for a served name; a request without ``Host`` (HTTP/1.0) is not a browser's."""
        return not host_header or self._decide(host_header)

    def _decide_afresh(self, host_header: str) -> bool:
        name = _host_name(host_header)
        if name in self.names:
            return True
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            return False
        # Rebinding needs a DNS name: an IP literal Host is the address the browser dialled.
        return address.is_loopback or self._any_address

    def refusal(self, host_header: str) -> str:
        return (
            f"Host {_host_name(host_header)!r} is not served here (a page re-pointing its "
            f"name at this machine?); use {self.bound} or localhost, or start the mock with "
            "--host NAME to add a name."
        )


def cross_site_reason(method: str, headers: Mapping[str, str], *, control: bool) -> str | None:
    """Why a state-changing request looks like a cross-site browser request, or None."""
    if method.upper() in SAFE_METHODS:
        return None
    origin = headers.get("Origin")
    if origin is not None:
        if _same_origin(origin, headers.get("Host", "")):
            return None
        return (
            f"Cross-origin request from {origin!r} refused: the mock does not take "
            "state-changing requests from other web pages."
        )
    site = headers.get("Sec-Fetch-Site")
    if site is not None and site.lower() not in _BROWSER_SITES:
        return f"Cross-site request (Sec-Fetch-Site: {site}) refused."
    media = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if control and media and media != "application/json" and not media.endswith("+json"):
        return (
            f"Control requests that change state must be JSON (got {media!r}), so that a web "
            "page cannot send them; use Content-Type: application/json or no body."
        )
    return None


def _same_origin(origin: str, host_header: str) -> bool:
    try:
        parts = urlsplit(origin)
        origin_port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False  # includes the opaque origin "null" (sandboxed frames, file: pages)
    default = 443 if parts.scheme == "https" else 80
    name, port = _split_host(host_header)
    return (parts.hostname.lower(), origin_port or default) == (name, port or default)


def _split_host(host_header: str) -> tuple[str, int | None]:
    """A ``Host`` header's name (lower case, IPv6 without brackets) and port, if any."""
    value = host_header.strip().lower()
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
    elif value.count(":") == 1:
        name, _, rest = value.partition(":")
        rest = ":" + rest
    else:
        name, rest = value, ""
    port = rest[1:] if rest.startswith(":") else ""
    return name, int(port) if port.isdigit() else None


def _host_name(host_header: str) -> str:
    return _split_host(host_header)[0]


def browser_stages(guard: HostGuard) -> list[Stage]:
    """The pipeline's first stages: Host check and page headers (every path), cross-site."""

    def check_host(current: Exchange) -> None:
        host = current.headers.get("Host")
        if not guard.allows(host):
            current.verdict = "rejected"
            raise ApiError("misdirected_request", guard.refusal(host or ""))

    def add_headers(_: Exchange, response: Response) -> None:
        secure_page(response)

    def check_origin(current: Exchange) -> None:
        control = current.kind == CONTROL
        reason = cross_site_reason(current.request.method, current.headers, control=control)
        if reason is not None:
            current.verdict = "rejected"
            raise ApiError("forbidden", reason)

    return [
        Stage("host", check_host, add_headers, kinds=ALL_KINDS),
        Stage("cross-site", check_origin),
    ]
