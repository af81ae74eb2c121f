"""The webhook delivery log: every delivery a mock made, with every attempt's outcome.

``GET /_mock/deliveries`` reads it, redelivery copies from it, and the dispatcher's workers look
deliveries up in it by id. It holds at most ``capacity`` deliveries (the oldest go first), so a
long run cannot grow without bound.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from mocks.core.clock import Clock

__all__ = ["Attempt", "Delivery", "DeliveryLog", "Message"]


@dataclass(frozen=True)
class Message:
    """One event for one subscription: where it goes, the key it is signed with, what it says."""

    subscription_id: str
    url: str
    secret: str | None
    event_id: str
    event: str
    payload: dict[str, Any]


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
    status: str = "pending"  # pending, succeeded, retrying, failed, blocked, cancelled
    attempts: list[Attempt] = field(default_factory=list)
    next_attempt_at: float | None = None
    copy_of: str | None = None  # set on duplicates (fault) and redeliveries
    message: Message = field(kw_only=True, repr=False)  # what is sent, secret and all

    @property
    def secret(self) -> str | None:
        return self.message.secret

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("message")  # the secret never leaves the mock
        return data


class DeliveryLog:
    """Deliveries by id, oldest first, guarded by the dispatcher's lock."""

    def __init__(self, clock: Clock, lock: threading.RLock, capacity: int = 100_000) -> None:
        self.clock = clock
        self._lock = lock
        self._capacity = capacity
        self._deliveries: dict[str, Delivery] = {}
        self._ids = itertools.count(1)

    def new(self, message: Message, copy_of: str | None = None) -> Delivery:
        """Log a fresh, pending delivery (the oldest one goes when the log is full)."""
        with self._lock:
            delivery = Delivery(
                f"dlv_{next(self._ids)}",
                message.subscription_id,
                message.url,
                message.event_id,
                message.event,
                message.payload,
                self.clock.now(),
                copy_of=copy_of,
                message=message,
            )
            self._deliveries[delivery.id] = delivery
            if len(self._deliveries) > self._capacity:
                self._deliveries.pop(next(iter(self._deliveries)))
        return delivery

    def copy(self, original: Delivery) -> Delivery:
        """A new delivery of the same message (a duplicate fault, a redelivery)."""
        return self.new(original.message, copy_of=original.id)

    def get(self, delivery_id: str) -> Delivery | None:
        with self._lock:
            return self._deliveries.get(delivery_id)

    def find(
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
