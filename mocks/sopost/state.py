"""SoPost's mutable data of one mock: orders and subscriptions over a read-only catalogue.

Plain Python with no Flask: the clock, scheduler, id source and event sink are passed in, so
tests drive the whole lifecycle with a manual clock. The parts live in their own modules: the
catalogue and who sees it (catalogue.py), orders (orders.py), the approval index (approvals.py),
lifecycle scheduling (lifecycle.py) and subscriptions with the event fan-out (subscriptions.py).
This class ties them together under one lock: every status change goes out as an OrderEvent.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

from mocks.core.clock import Scheduler
from mocks.core.errors import ApiError
from mocks.core.ids import IdSource
from mocks.sopost.approvals import ApprovalIndex
from mocks.sopost.catalogue import Catalogue
from mocks.sopost.config import LifecycleConfig
from mocks.sopost.lifecycle import Lifecycle
from mocks.sopost.orders import (
    PENDING,
    Order,
    check_line_items,
    email_identity,
    full_address,
    magic_outcome,
)
from mocks.sopost.subscriptions import EventSink, Subscriptions

# LifecycleConfig is a constructor argument, so it is importable from here too.
__all__ = ["LifecycleConfig", "SoPostState"]


class SoPostState:
    """All mutable SoPost data of one mock, guarded by one lock."""

    def __init__(
        self,
        catalogue: Catalogue,
        orders: list[Order],
        scheduler: Scheduler,
        ids: IdSource,
        lifecycle: LifecycleConfig,
        distribution_stages: tuple[str, ...],
        emit: EventSink,
    ) -> None:
        self.catalogue = catalogue
        self.clock = scheduler.clock
        self.ids = ids
        self._lock = threading.RLock()
        self._orders: dict[str, Order] = {}
        self._placements = itertools.count()
        self.approvals = ApprovalIndex(self._lock)
        self.subscriptions = Subscriptions(catalogue, self.clock, ids, emit, self._lock)
        self.lifecycle = Lifecycle(
            scheduler,
            lifecycle,
            distribution_stages,
            self.approvals,
            self._set_status,
            self._orders.get,
            self._lock,
        )
        for order in orders:
            self._store(order)
        for order in orders:  # seeded orders are live: one rule for them and new ones
            order.outcome = order.outcome or magic_outcome(order.email)
            self.lifecycle.carry_on(order)

    def order(self, order_id: str, organisation_id: str | None = None) -> Order:
        """The order, if ``organisation_id`` (None: any) may see it; 404 alike otherwise."""
        with self._lock:
            found = self._orders.get(order_id)
        if found is None or (
            organisation_id is not None and found.organisation_id != organisation_id
        ):
            raise ApiError.not_found(
                f"No order {order_id}; check the order_id from the "
                "OrderEvent and that your credentials belong to its organisation.",
                "order_id",
            )
        return found

    def orders(self, organisation_id: str | None = None, status: str | None = None) -> list[Order]:
        with self._lock:
            found = list(self._orders.values())
        return [
            o
            for o in found
            if (organisation_id is None or o.organisation_id == organisation_id)
            and (status is None or o.status == status)
        ]

    def place_order(
        self,
        organisation_id: str,
        fields: dict[str, Any],
        outcome: str | None = None,
        distribute: bool = True,
    ) -> Order:
        """Create a PENDING order from validated fields, emit it and schedule its decision."""
        activity = self.catalogue.visible_activity(organisation_id, fields["activity_id"])
        check_line_items(activity, fields["line_items"])
        email = fields["email"]
        order = Order(
            id=fields.get("id") or self.ids.uuid(),
            short_id=fields.get("short_id") or self.ids.hex(11).upper(),
            activity_id=activity.id,
            address=full_address(fields["address"]),
            full_name=fields["full_name"],
            email=email,
            provider=fields.get("provider") or "api",
            identity=fields.get("identity") or email_identity(email),
            telephone=fields.get("telephone"),
            line_items=list(fields["line_items"]),
            status=PENDING,
            consents=list(fields.get("consents", [])),
            custom_questions=list(fields.get("custom_questions", [])),
            organisation_id=organisation_id,
            campaign_id=activity.campaign_id,
            created=self.clock.now(),
            outcome=outcome or magic_outcome(email),
            distribute=distribute,
        )
        with self._lock:
            if order.id in self._orders:
                raise ApiError(
                    "conflict",
                    f"An order {order.id} already exists; omit id to get a fresh one.",
                    field="id",
                    status=409,
                )
            self._store(order)
        self.subscriptions.announce(order)
        self.lifecycle.begin(order)
        return order

    def transition(self, order_id: str, status: str, resume: bool = False) -> Order:
        """Force ``status`` now; automatic steps stop unless ``resume`` carries on from it."""
        order = self.order(order_id)
        self._set_status(order, status)
        if resume:
            self.lifecycle.resume(order)
        return order

    def _store(self, order: Order) -> None:
        order.sequence = next(self._placements)
        self._orders[order.id] = order
        self.approvals.add(order)

    def _set_status(self, order: Order, status: str) -> None:
        with self._lock:
            order.status = status
            order.version += 1
        self.subscriptions.announce(order)
