"""Webhook delivery: signed POSTs on background threads, retried on a schedule, all logged.

A slow or dead receiver never blocks the API: :meth:`Dispatcher.enqueue` only records the
delivery and queues it. Retries are scheduled on the mock clock, so with ``--clock manual``
advancing the clock fires them at once. Only loopback receivers are contacted unless a host is
explicitly allowed; anything else is logged as ``blocked`` and never touched, so a mock cannot
be turned into a request forwarder.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from standardwebhooks.webhooks import Webhook

from mocks.core.clock import Scheduler
from mocks.core.faults import Faults

__all__ = [
    "DEFAULT_RETRY_SCHEDULE",
    "Attempt",
    "Delivery",
    "Dispatcher",
    "http_sender",
    "is_loopback",
]

log = logging.getLogger(__name__)

# Seconds to wait before each attempt: the first goes at once, then retries back off (assumed
# schedule, in the style of Standard Webhooks senders). Scaled by ``schedule_scale``.
DEFAULT_RETRY_SCHEDULE: tuple[float, ...] = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)

# A delivery held back by a ``reorder`` fault is released at the latest after this many seconds.
REORDER_HOLD_SECONDS = 2.0

Sender = Callable[[str, bytes, dict[str, str], float], int]


@dataclass
class Attempt:
    number: int
    time: float
    outcome: str  # "succeeded", "failed" (non-2xx), "error" (network/timeout) or "blocked"
    status: int | None = None
    latency_ms: float = 0.0
    error: str | None = None


@dataclass
class Delivery:
    id: str
    subscription_id: str
    url: str
    event_id: str
    event: str
    payload: dict[str, Any]
    created_at: float
    status: str = "pending"  # pending, succeeded, retrying, failed, blocked
    attempts: list[Attempt] = field(default_factory=list)
    next_attempt_at: float | None = None
    copy_of: str | None = None  # set on duplicates (fault) and redeliveries
    secret: str | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("secret")
        return data


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


class Dispatcher:
    """Queues, signs, sends and retries webhook deliveries."""

    def __init__(
        self,
        scheduler: Scheduler,
        faults: Faults,
        *,
        sender: Sender | None = None,
        user_agent: str = "mockkit-webhooks/1.0",
        retry_schedule: tuple[float, ...] = DEFAULT_RETRY_SCHEDULE,
        schedule_scale: float = 1.0,
        timeout: float = 10.0,
        allowed_hosts: Iterable[str] = (),
        workers: int = 4,
        capacity: int = 100_000,
    ) -> None:
        self.scheduler = scheduler
        self.clock = scheduler.clock
        self.faults = faults
        self.sender = sender or http_sender(user_agent)
        self.retry_schedule = retry_schedule
        self.schedule_scale = schedule_scale
        self.timeout = timeout
        self.allowed_hosts = tuple(allowed_hosts)
        self._worker_count = workers
        self._capacity = capacity
        self._deliveries: dict[str, Delivery] = {}
        self._ready: queue.Queue[str | None] = queue.Queue()
        self._held: dict[str, list[str]] = {}
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._threads: list[threading.Thread] = []
        self._in_flight = 0

    # -- producing -----------------------------------------------------------------------
    def enqueue(
        self,
        subscription_id: str,
        url: str,
        secret: str | None,
        event_id: str,
        event: str,
        payload: dict[str, Any],
    ) -> Delivery:
        """Record a delivery and queue it, applying any matching delivery fault."""
        delivery = self._new(subscription_id, url, secret, event_id, event, payload)
        rule = self.faults.match("POST", event, scope="delivery")
        copies = [delivery]
        if rule is not None:
            for _ in range(rule.duplicate):
                copies.append(
                    self._new(
                        subscription_id, url, secret, event_id, event, payload, copy_of=delivery.id
                    )
                )
        for copy in copies:
            if rule is not None and rule.delay_ms:
                self._schedule(copy, rule.delay_ms / 1000)
            elif rule is not None and rule.reorder and copy is delivery:
                self._hold(copy)
            else:
                self._ready.put(copy.id)
        return delivery

    def redeliver(self, delivery_id: str) -> Delivery | None:
        """Send a logged delivery again as a new delivery with the same event."""
        original = self.get(delivery_id)
        if original is None:
            return None
        again = self._new(
            original.subscription_id,
            original.url,
            original.secret,
            original.event_id,
            original.event,
            original.payload,
            copy_of=original.id,
        )
        self._ready.put(again.id)
        return again

    def _new(
        self,
        subscription_id: str,
        url: str,
        secret: str | None,
        event_id: str,
        event: str,
        payload: dict[str, Any],
        copy_of: str | None = None,
    ) -> Delivery:
        with self._lock:
            delivery = Delivery(
                f"dlv_{next(self._ids)}",
                subscription_id,
                url,
                event_id,
                event,
                payload,
                self.clock.now(),
                copy_of=copy_of,
                secret=secret,
            )
            self._deliveries[delivery.id] = delivery
            if len(self._deliveries) > self._capacity:
                self._deliveries.pop(next(iter(self._deliveries)))
        return delivery

    def _schedule(self, delivery: Delivery, delay: float) -> None:
        delivery.next_attempt_at = self.clock.now() + delay
        self.scheduler.call_later(
            delay, lambda: self._ready.put(delivery.id), label=f"webhook {delivery.id}"
        )

    def _hold(self, delivery: Delivery) -> None:
        with self._lock:
            self._held.setdefault(delivery.url, []).append(delivery.id)
        self.scheduler.call_later(
            REORDER_HOLD_SECONDS,
            lambda: self._release(delivery.url),
            label=f"release held {delivery.id}",
        )

    def _release(self, url: str) -> None:
        with self._lock:
            held = self._held.pop(url, [])
        for delivery_id in held:
            self._ready.put(delivery_id)

    # -- reading -------------------------------------------------------------------------
    def get(self, delivery_id: str) -> Delivery | None:
        with self._lock:
            return self._deliveries.get(delivery_id)

    def deliveries(
        self,
        event_id: str | None = None,
        subscription_id: str | None = None,
        status: str | None = None,
        order_id: str | None = None,
    ) -> list[Delivery]:
        with self._lock:
            snapshot = list(self._deliveries.values())
        return [
            d
            for d in snapshot
            if (event_id is None or d.event_id == event_id)
            and (subscription_id is None or d.subscription_id == subscription_id)
            and (status is None or d.status == status)
            and (order_id is None or d.payload.get("order_id") == order_id)
        ]

    def clear(self) -> None:
        with self._lock:
            self._deliveries.clear()
            self._held.clear()
        while not self._ready.empty():
            self._ready.get_nowait()

    def idle(self) -> bool:
        """True when nothing is queued or being sent (scheduled retries don't count)."""
        with self._lock:
            return self._ready.empty() and self._in_flight == 0 and not self._held

    # -- sending -------------------------------------------------------------------------
    def start(self) -> None:
        if self._threads:
            return
        for number in range(self._worker_count):
            thread = threading.Thread(
                target=self._work, name=f"webhook-sender-{number}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        for _ in self._threads:
            self._ready.put(None)
        for thread in self._threads:
            thread.join(timeout=self.timeout + 1)
        self._threads.clear()

    def process_ready(self) -> int:
        """Send every queued delivery on this thread (for tests without worker threads)."""
        sent = 0
        while True:
            try:
                delivery_id = self._ready.get_nowait()
            except queue.Empty:
                return sent
            if delivery_id is not None:
                self._attempt(delivery_id)
                sent += 1

    def _work(self) -> None:
        while True:
            delivery_id = self._ready.get()
            if delivery_id is None:
                return
            self._attempt(delivery_id)

    def _attempt(self, delivery_id: str) -> None:
        delivery = self.get(delivery_id)
        if delivery is None or delivery.status in ("succeeded", "blocked"):
            return
        with self._lock:
            self._in_flight += 1
        try:
            attempt = self._send(delivery)
        finally:
            with self._lock:
                self._in_flight -= 1
        with self._lock:
            delivery.attempts.append(attempt)
            delivery.next_attempt_at = None
            if attempt.outcome in ("succeeded", "blocked"):
                delivery.status = attempt.outcome
            elif attempt.number < len(self.retry_schedule):
                delivery.status = "retrying"
            else:
                delivery.status = "failed"
        if delivery.status == "retrying":
            self._schedule(delivery, self.retry_schedule[attempt.number] * self.schedule_scale)
        self._release(delivery.url)

    def _send(self, delivery: Delivery) -> Attempt:
        number = len(delivery.attempts) + 1
        started = self.clock.now()
        if not is_loopback(delivery.url, self.allowed_hosts):
            log.warning(
                "blocked webhook to non-loopback %s (use --allow-webhook-host)", delivery.url
            )
            return Attempt(
                number,
                started,
                "blocked",
                error="target is not loopback and not in --allow-webhook-host",
            )
        body = json.dumps(delivery.payload, separators=(",", ":")).encode()
        headers = self._headers(delivery, body)
        tick = time.perf_counter()
        try:
            status = self.sender(delivery.url, body, headers, self.timeout)
        except Exception as exc:  # network errors and timeouts are retried like non-2xx
            return Attempt(
                number, started, "error", None, _ms_since(tick), f"{type(exc).__name__}: {exc}"
            )
        outcome = "succeeded" if 200 <= status < 300 else "failed"
        return Attempt(number, started, outcome, status, _ms_since(tick))

    def _headers(self, delivery: Delivery, body: bytes) -> dict[str, str]:
        # Signing uses wall-clock time even under a manual mock clock: receivers check the
        # timestamp against their own clock.
        sent_at = datetime.now(tz=UTC)
        headers = {
            "Content-Type": "application/json",
            "webhook-id": delivery.event_id,
            "webhook-timestamp": str(int(sent_at.timestamp())),
        }
        if delivery.secret:
            signature = Webhook(delivery.secret).sign(delivery.event_id, sent_at, body.decode())
            headers["webhook-signature"] = signature
        return headers


def _ms_since(tick: float) -> float:
    return round((time.perf_counter() - tick) * 1000, 3)
