"""Webhook subscriptions, and the fan-out of every order change to those that match it.

A subscription names an Organisation or one of its Campaigns; an order's event goes to every
subscription whose entity is the order's organisation or campaign. Delivery itself is the
event sink's job (the mock's dispatcher), so this module sends nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mocks.core.clock import Clock, iso_utc
from mocks.core.errors import ApiError
from mocks.core.ids import IdSource
from mocks.core.webhook_targets import TargetRefused, parse_target
from mocks.sopost.catalogue import Catalogue
from mocks.sopost.orders import Order

__all__ = ["EventSink", "Subscription", "Subscriptions"]

EventSink = Callable[["Subscription", dict[str, Any]], None]


@dataclass
class Subscription:
    id: str
    url: str
    events: list[str]
    entity_type: str
    entity_id: str
    created_at: float
    secret: str
    organisation_id: str

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "events": list(self.events),
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "created_at": iso_utc(self.created_at),
            "secret": self.secret,
        }

    def matches(self, order: Order) -> bool:
        if "OrderEvent" not in self.events:
            return False
        if self.entity_type == "Organisation":
            return self.entity_id == order.organisation_id
        return self.entity_id == order.campaign_id


class Subscriptions:
    """Every organisation's subscriptions; each sees and deletes only its own."""

    def __init__(
        self,
        catalogue: Catalogue,
        clock: Clock,
        ids: IdSource,
        emit: EventSink,
        lock: threading.RLock,
    ) -> None:
        self.catalogue = catalogue
        self.clock = clock
        self.ids = ids
        self._emit = emit
        self._lock = lock
        self._subscriptions: dict[str, Subscription] = {}

    def subscribe(
        self, organisation_id: str, url: str, events: list[str], entity_type: str, entity_id: str
    ) -> Subscription:
        try:
            parse_target(url)  # what the sender and a reader could read differently: a 400
        except TargetRefused as refused:
            raise ApiError("validation_error", str(refused), field="url") from None
        if not self.catalogue.sees(organisation_id, entity_type, entity_id):
            where = "GET /organisations" if entity_type == "Organisation" else "GET /campaigns"
            raise ApiError.not_found(
                f"No {entity_type} {entity_id} visible to you; {where} "
                "lists the ids you can subscribe to.",
                "entity_id",
            )
        subscription = Subscription(
            self.ids.uuid(),
            url,
            list(events),
            entity_type,
            entity_id,
            self.clock.now(),
            self.ids.webhook_secret(),
            organisation_id,
        )
        with self._lock:
            self._subscriptions[subscription.id] = subscription
        return subscription

    def all(self, organisation_id: str | None = None) -> list[Subscription]:
        with self._lock:
            found = list(self._subscriptions.values())
        return [s for s in found if organisation_id is None or s.organisation_id == organisation_id]

    def get(self, organisation_id: str, subscription_id: str) -> Subscription:
        with self._lock:
            found = self._subscriptions.get(subscription_id)
        if found is None or found.organisation_id != organisation_id:
            raise ApiError.not_found(
                f"No webhook {subscription_id}; GET /webhooks lists yours.",
                "webhook_id",
            )
        return found

    def unsubscribe(self, organisation_id: str, subscription_id: str) -> None:
        self.get(organisation_id, subscription_id)
        with self._lock:
            self._subscriptions.pop(subscription_id, None)

    def announce(self, order: Order) -> None:
        """The order's current status as an OrderEvent to every matching subscription."""
        event = {
            # Keyed by the order and its version: replayable whatever else runs meanwhile.
            "event_id": self.ids.keyed_hex(40, "event", order.id, order.version),
            "event": order.status,
            "order_id": order.id,
            "activity_id": order.activity_id,
        }
        for subscription in self.all():
            if subscription.matches(order):
                self._emit(subscription, dict(event))
