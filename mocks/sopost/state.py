"""SoPost's domain: organisations, campaigns, activities, orders, their lifecycle, subscriptions.

Plain Python with no Flask: the clock, scheduler, id source and event sink are passed in, so
tests drive the whole lifecycle with a manual clock. Visibility rules live here (an order is
visible only to its own organisation), and every status change goes out as an OrderEvent to the
subscriptions that match it.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mocks.core.clock import Scheduler, iso_utc
from mocks.core.errors import ApiError
from mocks.core.ids import IdSource

__all__ = [
    "DECISIONS",
    "Activity",
    "Campaign",
    "Catalogue",
    "ConsentDefinition",
    "LifecycleConfig",
    "Order",
    "Organisation",
    "SoPostState",
    "Subscription",
    "email_identity",
]

# Documented statuses; the distribution stages after APPROVED come from the spec's enum.
PENDING, APPROVED, REJECTED = "PENDING", "APPROVED", "REJECTED"
DECISIONS = (APPROVED, REJECTED)
# Magic e-mail tags (``jo+reject@example.com``) that fix the filtering outcome.
MAGIC_OUTCOMES = {"approve": APPROVED, "reject": REJECTED, "review": "REVIEW", "pending": PENDING}

EventSink = Callable[["Subscription", dict[str, Any]], None]


def email_identity(email: str) -> str:
    """The identity SoPost gives orders that did not come through the API: an e-mail hash."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


@dataclass
class ConsentDefinition:
    id: str
    consent_name: str
    data_handler: str


@dataclass
class Activity:
    id: str
    name: str
    campaign_id: str
    products: list[dict[str, Any]]  # [{name, skus: [{name, stock_partitions: [{id, remaining}]}]}]
    consents: list[ConsentDefinition]

    def stock_partition_ids(self) -> set[str]:
        return {
            partition["id"]
            for product in self.products
            for sku in product["skus"]
            for partition in sku["stock_partitions"]
        }


@dataclass
class Campaign:
    id: str
    name: str
    organisation_id: str
    activity_ids: list[str] = field(default_factory=list)


@dataclass
class Organisation:
    id: str
    name: str
    api_user: str
    api_password: str


@dataclass
class Catalogue:
    """Everything orders hang off; built by the fixtures and read-only afterwards."""

    organisations: dict[str, Organisation]
    campaigns: dict[str, Campaign]
    activities: dict[str, Activity]
    default_organisation_id: str


@dataclass(eq=False, slots=True)  # entities: equal only to themselves; slots: 100k fit
class Order:
    id: str
    short_id: str
    activity_id: str
    address: dict[str, Any]
    full_name: str
    email: str
    provider: str
    identity: str
    telephone: str | None
    line_items: list[dict[str, str]]
    status: str
    consents: list[dict[str, str]]
    custom_questions: list[dict[str, Any]]
    organisation_id: str
    campaign_id: str
    created: float
    outcome: str | None = None  # fixed decision (control API or magic e-mail)
    distribute: bool = True
    version: int = 0  # bumped on every change; stale scheduled steps see it and stand down
    sequence: int = 0  # placement order: under a manual clock many orders share one instant

    def to_api(self) -> dict[str, Any]:
        """The documented fields, in the guide's order."""
        return {
            "id": self.id,
            "short_id": self.short_id,
            "activity_id": self.activity_id,
            "address": dict(self.address),
            "full_name": self.full_name,
            "email": self.email,
            "provider": self.provider,
            "identity": self.identity,
            "telephone": self.telephone,
            "line_items": [dict(item) for item in self.line_items],
            "status": self.status,
            "consents": [dict(consent) for consent in self.consents],
            "custom_questions": [dict(question) for question in self.custom_questions],
        }


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


@dataclass
class LifecycleConfig:
    """How fast orders move (seconds of mock time)."""

    filtering_delay: float = 2.0
    review_delay: float = 30.0
    stage_delays: tuple[float, ...] = (10.0, 30.0, 60.0)
    review_approval_rate: float = 0.7
    seed: int = 0


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
        self.scheduler = scheduler
        self.clock = scheduler.clock
        self.ids = ids
        self.lifecycle = lifecycle
        self.stages = distribution_stages
        self._emit = emit
        self._orders: dict[str, Order] = {}
        # hash of (campaign, "identity" | "email" | "postcode", value) -> the order, or a list
        # when several share it: the approval rules look up a handful of orders instead of
        # scanning all of them, for about 100 bytes per key (100k orders stay under 300 MB).
        self._people: dict[int, Order | list[Order]] = {}
        self._placements = itertools.count()
        self._subscriptions: dict[str, Subscription] = {}
        self._lock = threading.RLock()
        for order in orders:
            self._store(order)

    # -- catalogue -----------------------------------------------------------------------
    def organisation_for(self, user: str, password: str) -> Organisation | None:
        for organisation in self.catalogue.organisations.values():
            if organisation.api_user == user and organisation.api_password == password:
                return organisation
        return None

    def campaigns_of(self, organisation_id: str) -> list[Campaign]:
        return [
            c for c in self.catalogue.campaigns.values() if c.organisation_id == organisation_id
        ]

    def visible_activity(self, organisation_id: str, activity_id: str) -> Activity:
        activity = self.catalogue.activities.get(activity_id)
        if activity is None or self._organisation_of(activity) != organisation_id:
            raise ApiError(
                "not_found",
                f"No activity {activity_id} in your organisation; "
                "GET /campaigns lists your activities.",
                field="activity_id",
            )
        return activity

    def _organisation_of(self, activity: Activity) -> str:
        return self.catalogue.campaigns[activity.campaign_id].organisation_id

    # -- subscriptions -------------------------------------------------------------------
    def subscribe(
        self, organisation_id: str, url: str, events: list[str], entity_type: str, entity_id: str
    ) -> Subscription:
        if entity_type == "Organisation":
            visible = entity_id == organisation_id
        else:
            campaign = self.catalogue.campaigns.get(entity_id)
            visible = campaign is not None and campaign.organisation_id == organisation_id
        if not visible:
            where = "GET /organisations" if entity_type == "Organisation" else "GET /campaigns"
            raise ApiError(
                "not_found",
                f"No {entity_type} {entity_id} visible to you; {where} "
                "lists the ids you can subscribe to.",
                field="entity_id",
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

    def subscriptions(self, organisation_id: str | None = None) -> list[Subscription]:
        with self._lock:
            found = list(self._subscriptions.values())
        return [s for s in found if organisation_id is None or s.organisation_id == organisation_id]

    def subscription(self, organisation_id: str, subscription_id: str) -> Subscription:
        with self._lock:
            found = self._subscriptions.get(subscription_id)
        if found is None or found.organisation_id != organisation_id:
            raise ApiError(
                "not_found",
                f"No webhook {subscription_id}; GET /webhooks lists yours.",
                field="webhook_id",
            )
        return found

    def unsubscribe(self, organisation_id: str, subscription_id: str) -> None:
        self.subscription(organisation_id, subscription_id)
        with self._lock:
            self._subscriptions.pop(subscription_id, None)

    # -- orders --------------------------------------------------------------------------
    def order(self, order_id: str, organisation_id: str | None = None) -> Order:
        """The order, if ``organisation_id`` (None: any) may see it; 404 alike otherwise."""
        with self._lock:
            found = self._orders.get(order_id)
        if found is None or (
            organisation_id is not None and found.organisation_id != organisation_id
        ):
            raise ApiError(
                "not_found",
                f"No order {order_id}; check the order_id from the "
                "OrderEvent and that your credentials belong to its organisation.",
                field="order_id",
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
        activity = self.visible_activity(organisation_id, fields["activity_id"])
        partitions = activity.stock_partition_ids()
        for index, item in enumerate(fields["line_items"]):
            if item["stock_partition_id"] not in partitions:
                # A reference to nothing is a 404, like an unknown activity or subscription entity.
                raise ApiError(
                    "not_found",
                    f"Stock partition {item['stock_partition_id']}"
                    f" is not part of activity {activity.id}; GET /activities/"
                    f"{activity.id}/products lists its stock partitions.",
                    field=f"line_items.{index}.stock_partition_id",
                )
        email = fields["email"]
        magic = _magic_outcome(email)
        order = Order(
            id=fields.get("id") or self.ids.uuid(),
            short_id=fields.get("short_id") or self.ids.hex(11).upper(),
            activity_id=activity.id,
            address=_full_address(fields["address"]),
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
            outcome=outcome or magic,
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
        self._announce(order)
        if order.outcome != PENDING:
            self._schedule(order, self.lifecycle.filtering_delay, self._filter, "filtering")
        return order

    def _store(self, order: Order) -> None:
        order.sequence = next(self._placements)
        self._orders[order.id] = order
        for key in _approval_keys(order):
            slot = self._people.get(hash(key))
            if slot is None:
                self._people[hash(key)] = order
            elif isinstance(slot, list):
                slot.append(order)
            else:
                self._people[hash(key)] = [slot, order]

    def consents_for(self, activity: Activity, requested: list[dict[str, Any]]) -> list[dict]:
        """Expand ``[{consent_id}]`` into the order's consent records (must be the activity's)."""
        known = {consent.id: consent for consent in activity.consents}
        expanded = []
        for index, item in enumerate(requested):
            definition = known.get(item["consent_id"])
            if definition is None:
                raise ApiError(
                    "not_found",
                    f"Consent {item['consent_id']} is not offered "
                    f"by activity {activity.id}; GET /activities/{activity.id}/consents"
                    " lists them.",
                    field=f"consents.{index}.consent_id",
                )
            expanded.append(
                {
                    "consent_id": definition.id,
                    "consent_name": definition.consent_name,
                    "data_handler": definition.data_handler,
                    "status": APPROVED,
                }
            )
        return expanded

    def transition(self, order_id: str, status: str, resume: bool = False) -> Order:
        """Force ``status`` now; automatic steps stop unless ``resume`` carries on from it."""
        order = self.order(order_id)
        self._set_status(order, status)
        if resume:
            self._continue(order)
        return order

    # -- lifecycle -----------------------------------------------------------------------
    def _schedule(
        self, order: Order, delay: float, step: Callable[[Order], None], label: str
    ) -> None:
        version = order.version

        def run() -> None:
            with self._lock:
                current = self._orders.get(order.id)
                if current is not order or order.version != version:
                    return  # changed (or reset) since this step was planned
            step(order)

        self.scheduler.call_later(delay, run, label=f"{label} {order.id}")

    def _filter(self, order: Order) -> None:
        decision = order.outcome if order.outcome in DECISIONS else None
        if decision is None and order.outcome != "REVIEW":
            if self._is_repeat_customer(order):
                decision = REJECTED
            elif not self._shares_postcode(order):
                decision = APPROVED
        if decision is None:
            order.version += 1  # entering manual review is a step of its own
            self._schedule(order, self.lifecycle.review_delay, self._review, "manual review")
            return
        self._set_status(order, decision)
        self._continue(order)

    def _review(self, order: Order) -> None:
        digest = hashlib.sha256(f"{self.lifecycle.seed}:{order.id}".encode()).digest()
        approved = digest[0] / 256 < self.lifecycle.review_approval_rate
        self._set_status(order, APPROVED if approved else REJECTED)
        self._continue(order)

    def _continue(self, order: Order) -> None:
        """Schedule the next distribution stage after APPROVED or a stage."""
        if not order.distribute:
            return
        chain = (APPROVED, *self.stages)
        if order.status not in chain[:-1]:
            return
        position = chain.index(order.status)
        delay = self.lifecycle.stage_delays[min(position, len(self.lifecycle.stage_delays) - 1)]
        next_status = chain[position + 1]

        def advance(current: Order) -> None:
            self._set_status(current, next_status)
            self._continue(current)

        self._schedule(order, delay, advance, next_status.lower())

    def _is_repeat_customer(self, order: Order) -> bool:
        """An earlier live order of the campaign by the same identity or e-mail."""
        identity, email, _ = _approval_keys(order)
        return any(o.sequence < order.sequence for o in self._live_matches(order, identity, email))

    def _shares_postcode(self, order: Order) -> bool:
        """Another live order of the campaign (earlier or later) on the same postcode."""
        return any(self._live_matches(order, _approval_keys(order)[2]))

    def _live_matches(self, order: Order, *keys: tuple[str, str, str]) -> list[Order]:
        found = []
        with self._lock:
            for key in keys:
                slot = self._people.get(hash(key), [])
                candidates = slot if isinstance(slot, list) else [slot]
                # Hashes can collide: keep only orders that really share the key.
                found += [o for o in candidates if key in _approval_keys(o)]
        return [o for o in found if o is not order and o.status != REJECTED]

    def _set_status(self, order: Order, status: str) -> None:
        with self._lock:
            order.status = status
            order.version += 1
        self._announce(order)

    def _announce(self, order: Order) -> None:
        event = {
            "event_id": self.ids.hex(40),
            "event": order.status,
            "order_id": order.id,
            "activity_id": order.activity_id,
        }
        for subscription in self.subscriptions():
            if subscription.matches(order):
                self._emit(subscription, dict(event))


def _magic_outcome(email: str) -> str | None:
    local = email.split("@", 1)[0]
    tag = local.split("+", 1)[1].lower() if "+" in local else ""
    return MAGIC_OUTCOMES.get(tag)


def _full_address(address: dict[str, Any]) -> dict[str, Any]:
    """Address in the documented field order; absent optional lines become null."""
    return {
        "line_1": address["line_1"],
        "line_2": address.get("line_2"),
        "town": address["town"],
        "district": address.get("district"),
        "territory": address["territory"],
        "postcode": address["postcode"],
    }


def _approval_keys(order: Order) -> tuple[tuple[str, str, str], ...]:
    """The index keys of the approval rules: same person, same postcode, per campaign."""
    postcode = "".join(str(order.address.get("postcode", "")).split()).upper()
    return (
        (order.campaign_id, "identity", order.identity),
        (order.campaign_id, "email", order.email.strip().lower()),
        (order.campaign_id, "postcode", postcode),
    )
