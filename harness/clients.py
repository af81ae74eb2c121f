"""HTTP clients for SoPost (read an order) and Poplar (submit an order).

They only translate HTTP into typed outcomes; what to do about a failure (retry, wait,
dead-letter) is the worker's call. Each thread gets its own ``requests.Session`` because a
Session is not documented as thread-safe, and connection reuse still matters in a burst.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import requests

__all__ = [
    "Conflict",
    "PermanentError",
    "PoplarClient",
    "RateLimited",
    "SoPostClient",
    "TransientError",
    "VendorError",
]


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


def _error_message(response: requests.Response) -> str:
    """Poplar's ``{"error": {"title", "message"}}``, or a generic body excerpt."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        title, message = error.get("title"), error.get("message")
        return ": ".join(str(part) for part in (title, message) if part)
    if isinstance(error, str):
        return error
    return str(body)[:200]


class _Client:
    def __init__(self, base_url: str, timeout: float, clock: Callable[[], float]) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.clock = clock
        self._local = threading.local()
        self._lock = threading.Lock()
        self._sessions: list[requests.Session] = []

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._prepare(session)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def _prepare(self, session: requests.Session) -> None:
        raise NotImplementedError

    def _request(self, name: str, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self._session().request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise TransientError(f"{name} network error: {type(exc).__name__}") from exc

    def _retry_at(self, response: requests.Response) -> float | None:
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
    def _remaining(response: requests.Response) -> int | None:
        try:
            return int(response.headers["x-rate-limit-remaining"])
        except (KeyError, ValueError):
            return None

    def _raise_for(self, name: str, response: requests.Response) -> None:
        status = response.status_code
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
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()


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
        super().__init__(base_url, timeout, clock)
        self._auth = (user, password)

    def _prepare(self, session: requests.Session) -> None:
        session.auth = self._auth
        session.headers["Accept"] = "application/json"

    def get_order(self, order_id: str) -> dict[str, Any]:
        url = f"{self.base_url}/orders/{quote(order_id, safe='')}"
        response = self._request("sopost", "GET", url)
        if response.status_code == 404:
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
        super().__init__(base_url, timeout, clock)
        self._token = token

    def _prepare(self, session: requests.Session) -> None:
        session.headers["Authorization"] = f"Bearer {self._token}"
        session.headers["Accept"] = "application/json"

    def submit_order(self, body: Mapping[str, Any]) -> str | None:
        """Submit; return Poplar's id for the stored order when it gave one."""
        response = self._request("poplar", "POST", f"{self.base_url}/order", json=body)
        self._raise_for("poplar", response)
        try:
            stored = response.json()
        except ValueError:
            return None
        poplar_id = stored.get("id") if isinstance(stored, dict) else None
        return str(poplar_id) if poplar_id is not None else None
