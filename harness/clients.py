"""HTTP clients for SoPost (read an order) and Poplar (submit an order).

They only translate HTTP into typed outcomes; what to do about a failure (retry, wait,
dead-letter) is the worker's call. The workers share one urllib3 pool manager per vendor
(thread-safe, keep-alive connections reused in a burst). urllib3 rather than ``requests``:
each call is a fixed method, URL and headers, and ``requests``' per-call work (merging
settings, netrc and proxy lookups, hooks) was 0.55 ms of the 0.8 ms of CPU a call cost, twice
per order. The environment's ``HTTP(S)_PROXY`` and ``NO_PROXY`` are still honoured, as
``requests`` did: a production harness may only reach the vendors through its egress proxy.
Redirects are not followed (neither vendor redirects an API call; a 3xx is an error).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit
from urllib.request import getproxies, proxy_bypass

from urllib3 import BaseHTTPResponse, PoolManager, ProxyManager
from urllib3.exceptions import HTTPError
from urllib3.util import make_headers

__all__ = [
    "Conflict",
    "PermanentError",
    "PoplarClient",
    "RateLimited",
    "SoPostClient",
    "TransientError",
    "VendorError",
]


# Keep-alive connections kept per vendor: more than the default worker count; a larger pool of
# workers still works, its extra connections are closed after use instead of kept.
POOL_SIZE = 16
# Who is calling, in the vendors' logs (urllib3 would say python-urllib3/<version>).
USER_AGENT = "mockkit-harness"


class VendorError(Exception):
    """A vendor call did not succeed; ``reason`` is short, log-safe and contains no PII."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class TransientError(VendorError):
    """Network error, timeout or 5xx: worth another attempt later."""


class RateLimited(TransientError):
    """429: ``retry_at`` (epoch seconds) is when the vendor says we may try again, if it said.

    ``remaining`` is the vendor's ``x-rate-limit-remaining`` when it sent one: a 429 that says
    requests remain refuses this request only, not the token's whole quota.
    """

    def __init__(self, reason: str, retry_at: float | None, remaining: int | None = None) -> None:
        super().__init__(reason, 429)
        self.retry_at = retry_at
        self.remaining = remaining

    @property
    def quota_exhausted(self) -> bool:
        return self.remaining is None or self.remaining <= 0


class PermanentError(VendorError):
    """A 4xx that will not change by retrying (bad request, auth, not found)."""


class Conflict(VendorError):
    """Poplar's 409: an order with this order_id already exists."""


def _error_message(response: BaseHTTPResponse) -> str:
    """Poplar's ``{"error": {"title", "message"}}``, or a generic body excerpt."""
    try:
        body = response.json()
    except ValueError:
        return response.data[:200].decode("utf-8", "replace")
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        title, message = error.get("title"), error.get("message")
        return ": ".join(str(part) for part in (title, message) if part)
    if isinstance(error, str):
        return error
    return str(body)[:200]


def _pool_manager(base_url: str, headers: Mapping[str, str]) -> PoolManager:
    """Direct connections, or through the environment's proxy for this URL (as ``requests``)."""
    options: dict[str, Any] = {"num_pools": 4, "maxsize": POOL_SIZE, "retries": False}
    parts = urlsplit(base_url)
    proxy = getproxies().get(parts.scheme)
    if proxy and not proxy_bypass(parts.netloc):
        return ProxyManager(proxy, headers=dict(headers), **options)
    return PoolManager(headers=dict(headers), **options)


class _Client:
    def __init__(
        self,
        base_url: str,
        timeout: float,
        clock: Callable[[], float],
        headers: Mapping[str, str],
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.clock = clock
        self._pools = _pool_manager(
            self.base_url, {"Accept": "application/json", "User-Agent": USER_AGENT, **headers}
        )

    def _request(
        self, name: str, method: str, url: str, json: Any | None = None
    ) -> BaseHTTPResponse:
        try:
            return self._pools.request(method, url, json=json, timeout=self.timeout, redirect=False)
        except (HTTPError, OSError) as exc:
            raise TransientError(f"{name} network error: {type(exc).__name__}") from exc

    def _retry_at(self, response: BaseHTTPResponse) -> float | None:
        """``x-rate-limit-reset`` (epoch seconds, Poplar) or ``Retry-After`` (seconds)."""
        reset = response.headers.get("x-rate-limit-reset")
        retry_after = response.headers.get("retry-after")
        try:
            if reset is not None:
                return float(reset)
            if retry_after is not None:
                return self.clock() + float(retry_after)
        except ValueError:
            pass
        return None

    @staticmethod
    def _remaining(response: BaseHTTPResponse) -> int | None:
        try:
            return int(response.headers["x-rate-limit-remaining"])
        except (KeyError, ValueError):
            return None

    def _raise_for(self, name: str, response: BaseHTTPResponse) -> None:
        status = response.status
        if status == 429:
            raise RateLimited(
                f"{name} rate limited (429)", self._retry_at(response), self._remaining(response)
            )
        if status >= 500:
            raise TransientError(f"{name} server error {status}", status)
        if status == 409:
            raise Conflict(f"{name} conflict (409): {_error_message(response)}", status)
        if status >= 400:
            raise PermanentError(f"{name} rejected ({status}): {_error_message(response)}", status)
        if status != 200 and status != 201:
            raise TransientError(f"{name} unexpected status {status}", status)

    def close(self) -> None:
        self._pools.clear()


class SoPostClient(_Client):
    """``GET {SOPOST_API_URL}/orders/{id}`` with HTTP Basic API credentials."""

    def __init__(
        self,
        base_url: str,
        user: str,
        password: str,
        timeout: float,
        clock: Callable[[], float],
    ) -> None:
        super().__init__(base_url, timeout, clock, make_headers(basic_auth=f"{user}:{password}"))

    def get_order(self, order_id: str) -> dict[str, Any]:
        url = f"{self.base_url}/orders/{quote(order_id, safe='')}"
        response = self._request("sopost", "GET", url)
        if response.status == 404:
            raise PermanentError("sopost order not found (404)", 404)
        self._raise_for("sopost", response)
        try:
            order = response.json()
        except ValueError as exc:
            raise TransientError("sopost answered non-JSON") from exc
        if not isinstance(order, dict):
            raise PermanentError("sopost order is not a JSON object")
        return order


class PoplarClient(_Client):
    """``POST {POPLAR_API_URL}/order`` with ``Authorization: Bearer <token>``."""

    def __init__(
        self, base_url: str, token: str, timeout: float, clock: Callable[[], float]
    ) -> None:
        super().__init__(base_url, timeout, clock, {"Authorization": f"Bearer {token}"})

    def submit_order(self, body: Mapping[str, Any]) -> str | None:
        """Submit; return Poplar's id for the stored order when it gave one."""
        response = self._request("poplar", "POST", f"{self.base_url}/order", body)
        self._raise_for("poplar", response)
        try:
            stored = response.json()
        except ValueError:
            return None
        poplar_id = stored.get("id") if isinstance(stored, dict) else None
        return str(poplar_id) if poplar_id is not None else None
