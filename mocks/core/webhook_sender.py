"""One delivery attempt over HTTP: the target check, the signed POST and its outcome.

Only loopback receivers are contacted unless a host is explicitly allowed; anything else is an
attempt recorded as ``blocked`` and never touched, so a mock cannot be turned into a request
forwarder. Network errors and timeouts are outcomes too (``error``), retried like a non-2xx.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import requests

from mocks.core.delivery_log import Attempt, Delivery
from mocks.core.webhook_signing import delivery_headers

__all__ = ["Sender", "attempt", "http_sender", "is_loopback"]

log = logging.getLogger(__name__)

# (url, body, headers, timeout) -> HTTP status
Sender = Callable[[str, bytes, dict[str, str], float], int]


def is_loopback(url: str, allowed_hosts: Iterable[str] = ()) -> bool:
    """True when ``url`` targets this machine (or a host the operator explicitly allowed).

    Names are not resolved: only ``localhost`` and loopback IP literals count, so DNS cannot
    be used to smuggle a delivery to another machine.
    """
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:  # e.g. a malformed IPv6 literal: not a host we can vouch for
        return False
    if host in {h.lower() for h in allowed_hosts}:
        return True
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def http_sender(user_agent: str) -> Sender:
    """A sender that POSTs with one keep-alive session per worker thread."""
    local = threading.local()

    def send(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.headers["User-Agent"] = user_agent
        response = session.post(
            url, data=body, headers=headers, timeout=timeout, allow_redirects=False
        )
        return response.status_code

    return send


def attempt(
    delivery: Delivery,
    sender: Sender,
    started: float,
    timeout: float,
    allowed_hosts: Iterable[str] = (),
) -> Attempt:
    """Send ``delivery`` once (its next attempt, at mock time ``started``) and say how it went."""
    number = len(delivery.attempts) + 1
    if not is_loopback(delivery.url, allowed_hosts):
        log.warning("blocked webhook to non-loopback %s (use --allow-webhook-host)", delivery.url)
        return Attempt(
            number,
            started,
            "blocked",
            error="target is not loopback and not in --allow-webhook-host",
        )
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    headers = delivery_headers(delivery.event_id, delivery.secret, body)
    tick = time.perf_counter()
    try:
        status = sender(delivery.url, body, headers, timeout)
    except Exception as exc:  # network errors and timeouts are retried like non-2xx
        return Attempt(
            number, started, "error", None, _ms_since(tick), f"{type(exc).__name__}: {exc}"
        )
    outcome = "succeeded" if 200 <= status < 300 else "failed"
    return Attempt(number, started, outcome, status, _ms_since(tick))


def _ms_since(tick: float) -> float:
    return round((time.perf_counter() - tick) * 1000, 3)
