"""One delivery attempt over HTTP: the target check, the signed POST and its outcome.

Only loopback receivers are contacted unless a host is explicitly allowed: the target is
checked again at every attempt (:class:`~mocks.core.webhook_targets.TargetPolicy`: the sender's
own parser, every resolved address loopback), and anything else is an attempt recorded as
``blocked`` and never touched, so a mock cannot be turned into a request forwarder. The default
sender (:func:`~mocks.core.pinned_http.pinned_sender`) then connects only to addresses that
pass the same check at connect time. Network errors and timeouts are outcomes too
(``error``), retried like a non-2xx.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable

from mocks.core.delivery_log import Attempt, Delivery
from mocks.core.webhook_signing import delivery_headers
from mocks.core.webhook_targets import TargetPolicy, TargetRefused

__all__ = ["Sender", "attempt", "pinned_on_first_use"]

log = logging.getLogger(__name__)

# (url, body, headers, timeout) -> HTTP status
Sender = Callable[[str, bytes, dict[str, str], float], int]


def pinned_on_first_use(policy: TargetPolicy, user_agent: str) -> Sender:
    """The default sender, built when the first delivery goes out: urllib3 would be 20 ms of
    every SoPost mock's start (cold start), and a mock may never send one."""
    lock = threading.Lock()
    built: list[Sender] = []

    def send(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        with lock:
            if not built:
                from mocks.core.pinned_http import pinned_sender

                built.append(pinned_sender(policy, user_agent))
        return built[0](url, body, headers, timeout)

    return send


def attempt(
    delivery: Delivery,
    sender: Sender,
    started: float,
    timeout: float,
    policy: TargetPolicy,
) -> Attempt:
    """Send ``delivery`` once (its next attempt, at mock time ``started``) and say how it went."""
    number = len(delivery.attempts) + 1
    try:
        policy.check(delivery.url)
    except TargetRefused as refused:
        log.warning("blocked webhook to %s: %s", delivery.url, refused)
        return Attempt(number, started, "blocked", error=str(refused))
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
