"""Webhook delivery: queued at once, sent by background workers, retried on a schedule.

A slow or dead receiver never blocks the API: :meth:`Dispatcher.enqueue` only logs the delivery
(:mod:`mocks.core.delivery_log`) and queues it, applying any delivery fault (duplicate, delay,
reorder). Workers make one attempt at a time (:mod:`mocks.core.webhook_sender`: target check,
signed POST); retries are scheduled on the mock clock, so with ``--clock manual`` advancing the
clock fires them at once.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable

from mocks.core.clock import Scheduler
from mocks.core.delivery_log import Attempt, Delivery, DeliveryLog, Message
from mocks.core.faults import Faults
from mocks.core.webhook_sender import Sender, attempt, pinned_on_first_use
from mocks.core.webhook_targets import TargetPolicy

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_RETRY_SCHEDULE",
    "Attempt",
    "Delivery",
    "Dispatcher",
    "Message",
]

# Seconds to wait before each attempt: the first goes at once, then retries back off (assumed
# schedule, in the style of Standard Webhooks senders). Scaled by ``schedule_scale``.
DEFAULT_RETRY_SCHEDULE: tuple[float, ...] = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)

# A delivery in one of these states is never attempted again.
FINAL = ("succeeded", "blocked", "failed", "cancelled")

# A delivery held back by a ``reorder`` fault is released at the latest after this many seconds.
REORDER_HOLD_SECONDS = 2.0


class Dispatcher:
    """Queues, sends and retries webhook deliveries; the log says how each one went."""

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
        policy: TargetPolicy | None = None,
        workers: int = 4,
        capacity: int = 100_000,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.on_error = on_error  # told about a delivery attempt that raised; default: the log
        self.clock = scheduler.clock
        self.faults = faults
        self.policy = policy or TargetPolicy(allowed_hosts)  # a test passes one with fake DNS
        self.sender = sender or pinned_on_first_use(self.policy, user_agent)
        self.retry_schedule = retry_schedule
        self.schedule_scale = schedule_scale
        self.timeout = timeout
        self._worker_count = workers
        self._lock = threading.RLock()
        self.log = DeliveryLog(self.clock, self._lock, capacity)
        self._ready: queue.Queue[str | None] = queue.Queue()
        self._held: dict[str, list[str]] = {}
        self._threads: list[threading.Thread] = []

    # -- producing -----------------------------------------------------------------------
    def enqueue(self, message: Message) -> Delivery:
        """Record a delivery and queue it, applying any matching delivery fault."""
        delivery = self.log.new(message)
        rule = self.faults.match(
            "POST", message.event, scope="delivery", fields=lambda: message.payload
        )
        copies = [delivery]
        if rule is not None:
            copies += [self.log.copy(delivery) for _ in range(rule.duplicate)]
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
        original = self.log.get(delivery_id)
        if original is None:
            return None
        again = self.log.copy(original)
        self._ready.put(again.id)
        return again

    def cancel(self, subscription_id: str) -> int:
        """Stop every delivery to a deleted subscription: queued, held, delayed or waiting for
        a retry; each is logged ``cancelled`` and never attempted again. Returns how many."""
        with self._lock:
            cancelled = [
                d
                for d in self.log.find(subscription_id=subscription_id)
                if d.status in ("pending", "retrying")
            ]
            for delivery in cancelled:
                delivery.status = "cancelled"
                delivery.next_attempt_at = None
        return len(cancelled)

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
        return self.log.get(delivery_id)

    def deliveries(self, **filters: str | None) -> list[Delivery]:
        """The log, filtered by ``event_id``, ``subscription_id``, ``status`` or ``order_id``."""
        return self.log.find(**filters)

    def clear(self) -> None:
        with self._lock:
            self.log.clear()
            self._held.clear()
        while not self._ready.empty():
            self._ready.get_nowait()

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
        """Send every queued delivery on this thread (for tests without worker threads); how
        many attempts were made (a cancelled or finished delivery makes none)."""
        sent = 0
        while True:
            try:
                delivery_id = self._ready.get_nowait()
            except queue.Empty:
                return sent
            if delivery_id is not None and self._attempt(delivery_id):
                sent += 1

    def _work(self) -> None:
        while True:
            delivery_id = self._ready.get()
            if delivery_id is None:
                return
            try:
                self._attempt(delivery_id)
            except Exception:  # a bug must not kill the sender thread (and every later delivery)
                (self.on_error or log.exception)(f"webhook delivery {delivery_id} failed")

    def _attempt(self, delivery_id: str) -> bool:
        delivery = self.log.get(delivery_id)
        if delivery is None or delivery.status in FINAL:
            return False
        outcome = attempt(delivery, self.sender, self.clock.now(), self.timeout, self.policy)
        with self._lock:
            delivery.attempts.append(outcome)
            delivery.next_attempt_at = None
            if delivery.status == "cancelled":
                pass  # unsubscribed while this attempt was in flight: no retry
            elif outcome.outcome in ("succeeded", "blocked"):
                delivery.status = outcome.outcome
            elif outcome.number < len(self.retry_schedule):
                delivery.status = "retrying"
            else:
                delivery.status = "failed"
        if delivery.status == "retrying":
            self._schedule(delivery, self.retry_schedule[outcome.number] * self.schedule_scale)
        self._release(delivery.url)
        return True
