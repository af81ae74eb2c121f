"""Poplar's domain: accounts (one per production token), their orders, audience and rate limits.

Plain Python with no Flask: the clock and id source are passed in, and every rule the spec
cannot express (token kinds, duplicate ``order_id``, the edit's ``order_id`` match, per-token
windows) lives here and raises :class:`~mocks.core.errors.ApiError`. The raw ``customer_email``
is hashed on the way in and never stored.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from mocks.core.clock import Clock
from mocks.core.errors import ApiError
from mocks.core.ids import IdSource

__all__ = [
    "AUDIENCE_DESCRIPTION",
    "AUDIENCE_NAME",
    "TEST_TOKEN_PREFIX",
    "Account",
    "Defaults",
    "PoplarState",
    "StoredOrder",
    "account_id_for",
    "bearer_token",
    "email_sha256",
    "mask_token",
    "money",
]

AUDIENCE_NAME = "Customers (Orders API)"
AUDIENCE_DESCRIPTION = (
    "Customers submitted through the Orders API, for suppression; "
    "two records (shipping and billing) per order."
)
TEST_TOKEN_PREFIX = "test"
_ACCOUNTS = uuid.UUID("6f1c2d3e-4b5a-4c6d-8e7f-90a1b2c3d4e5")  # namespace for account ids


def email_sha256(email: str) -> str:
    """What Poplar stores for ``customer_email``: SHA-256 of the lower-cased address."""
    return hashlib.sha256(email.lower().encode("utf-8")).hexdigest()


def account_id_for(token: str) -> str:
    """A stable account id per token, so ``GET /v1/me`` answers the same id on every run."""
    return str(uuid.uuid5(_ACCOUNTS, token))


def mask_token(token: str) -> str:
    """Enough of a token to recognise it, never the whole of it."""
    if len(token) <= 8:
        return token[:2] + "…"
    return f"{token[:4]}…{token[-4:]}"


def money(value: float | int | None) -> str | None:
    """A JSON number rendered the way Poplar's example does: ``126`` -> ``"126.0"``."""
    if value is None:
        return None
    text = format(Decimal(repr(value)) if isinstance(value, float) else Decimal(value), "f")
    return text if "." in text else f"{text}.0"


# -- orders --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Defaults:
    """Documented defaults, read from the spec by the app (``default:`` keywords)."""

    currency: str = "USD"
    country: str = "USA"


@dataclass(eq=False)
class StoredOrder:
    """An order as Poplar keeps it: no raw email, defaults applied, money still numeric."""

    id: str
    order_id: str
    order_date: str
    currency: str
    total: float | int | None
    customer_id: str | None
    email_sha256: str | None
    metadata: dict[str, Any]
    order_items: list[dict[str, Any]]
    shipping_address: dict[str, Any] | None
    billing_address: dict[str, Any] | None
    received_at: float
    updated_at: float

    def to_api(self) -> dict[str, Any]:
        """The docs' response shape: money as strings, ``company`` and ``state_name``."""
        return {
            "id": self.id,
            "order_id": self.order_id,
            "currency": self.currency,
            "total": money(self.total),
            "customer": {"id": self.customer_id, "email_sha256": self.email_sha256},
            "metadata": dict(self.metadata),
            "order_items": [_item_api(item) for item in self.order_items],
            "shipping_address": _address_api(self.shipping_address),
            "billing_address": _address_api(self.billing_address),
            "order_date": self.order_date,
        }

    def audience_records(self) -> list[dict[str, Any]]:
        """Two records per order, shipping then billing (a missing address gives a record
        that identifies the customer by email hash and id only; assumed)."""
        return [
            {
                "order_id": self.order_id,
                "source": source,
                "address": _address_api(address),
                "email_sha256": self.email_sha256,
                "customer_id": self.customer_id,
            }
            for source, address in (
                ("shipping", self.shipping_address),
                ("billing", self.billing_address),
            )
        ]


def _item_api(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "category": list(item.get("category", [])),
        "description": item.get("description"),
        "identifier": item["identifier"],
        "metadata": dict(item.get("metadata", {})),
        "price": money(item.get("price")),
        "quantity": item.get("quantity"),
        "total": money(item["total"]),
    }


def _address_api(address: dict[str, Any] | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {
        "name": address.get("name"),
        "company": None,
        "address_1": address["address_1"],
        "address_2": address.get("address_2"),
        "city": address.get("city"),
        "state_name": address.get("state"),
        "postal_code": address["postal_code"],
        "country": address["country"],
    }


@dataclass
class Account:
    id: str
    name: str
    token_hint: str
    created_at: float
    orders: dict[str, StoredOrder] = field(default_factory=dict)  # by order_id, oldest first
    ever_ordered: bool = False  # the audience exists from the first order on (assumed)

    @property
    def audience_id(self) -> str:
        return str(uuid.uuid5(_ACCOUNTS, f"{self.id}:audience"))


class PoplarState:
    """Accounts keyed by token; every method takes the caller's account."""

    def __init__(
        self,
        clock: Clock,
        ids: IdSource,
        defaults: Defaults,
        tokens: tuple[str, ...] | None = None,
        name_for=None,
    ) -> None:
        self.clock = clock
        self.ids = ids
        self.defaults = defaults
        self.tokens = None if tokens is None else frozenset(tokens)
        self._name_for = name_for or (lambda token: f"Account {mask_token(token)}")
        self._accounts: dict[str, Account] = {}  # by token
        self._lock = threading.RLock()

    # -- accounts ------------------------------------------------------------------------
    def account_for(self, authorization: str | None) -> Account:
        """The account behind an ``Authorization`` header, or the documented 401/403."""
        token = bearer_token(authorization)
        problem = self.token_problem(token)
        if problem is not None:
            raise problem
        assert token is not None  # a missing token is a problem
        with self._lock:
            account = self._accounts.get(token)
            if account is None:
                account = Account(
                    account_id_for(token),
                    self._name_for(token),
                    mask_token(token),
                    self.clock.now(),
                )
                self._accounts[token] = account
            return account

    def token_problem(self, token: str | None) -> ApiError | None:
        """The token rules, in one place: what is wrong with ``token``, or None if it opens an
        account (missing: 401; a test token: 403; not in ``--tokens``: 401)."""
        if not token:
            return ApiError(
                "unauthorized",
                "Send your production access token as 'Authorization: Bearer <token>'.",
            )
        if token.startswith(TEST_TOKEN_PREFIX):
            return ApiError(
                "forbidden",
                "Test tokens only work with the Mailing API; use a "
                "production access token for the Orders API.",
            )
        if self.tokens is not None and token not in self.tokens:
            return ApiError(
                "unauthorized",
                "Unknown access token: this mock only accepts the "
                "tokens it was started with (--tokens).",
            )
        return None

    def accepts(self, token: str | None) -> bool:
        """Whether a token would pass :meth:`account_for` (without creating its account)."""
        return self.token_problem(token) is None

    def accounts(self) -> list[Account]:
        with self._lock:
            return list(self._accounts.values())

    def account(self, account_id: str) -> Account | None:
        return next((a for a in self.accounts() if a.id == account_id), None)

    # -- orders --------------------------------------------------------------------------
    def submit(self, account: Account, body: dict[str, Any]) -> StoredOrder:
        with self._lock:
            order_id = body["order_id"]
            if order_id in account.orders:
                raise ApiError(
                    "conflict",
                    f"An order with order_id {order_id!r} already exists "
                    "in this account; edit it with POST /v1/order/{order_id}.",
                    field="order_id",
                )
            now = self.clock.now()
            order = self._build(self.ids.uuid(), order_id, body, now, now)
            account.orders[order_id] = order
            account.ever_ordered = True
            return order

    def edit(self, account: Account, order_id: str, body: dict[str, Any]) -> StoredOrder:
        with self._lock:
            current = self.order(account, order_id)
            if body.get("order_id", order_id) != order_id:
                raise ApiError(
                    "validation_error",
                    f"'order_id' cannot change: the body says "
                    f"{body['order_id']!r} but the path says {order_id!r}; leave "
                    "it out or send the same value.",
                    field="order_id",
                )
            order = self._build(current.id, order_id, body, current.received_at, self.clock.now())
            account.orders[order_id] = order
            return order

    def delete(self, account: Account, order_id: str) -> StoredOrder:
        with self._lock:
            order = self.order(account, order_id)
            del account.orders[order_id]
            return order

    def orders(self, account: Account) -> list[StoredOrder]:
        """A snapshot of the account's orders: readers never see the dict mid-change."""
        with self._lock:
            return list(account.orders.values())

    def order(self, account: Account, order_id: str) -> StoredOrder:
        order = account.orders.get(order_id)
        if order is None:
            raise ApiError(
                "not_found",
                f"No order with order_id {order_id!r} in this account; "
                "submit it first with POST /v1/order.",
                field="order_id",
            )
        return order

    def purge(self, account: Account) -> int:
        """The Transactions page's purge: drop every stored order (and so the audience)."""
        with self._lock:
            count = len(account.orders)
            account.orders.clear()
            return count

    def audience_records(self, account: Account) -> list[dict[str, Any]]:
        with self._lock:
            return [r for order in account.orders.values() for r in order.audience_records()]

    def audiences(self, account: Account) -> list[dict[str, Any]]:
        """``GET /v1/audiences``: the Orders API audience, once the account has ordered."""
        if not account.ever_ordered:
            return []
        return [
            {
                "id": account.audience_id,
                "name": AUDIENCE_NAME,
                "description": AUDIENCE_DESCRIPTION,
                "member_count": len(self.audience_records(account)),
            }
        ]

    def _build(
        self, poplar_id: str, order_id: str, body: dict[str, Any], received: float, updated: float
    ) -> StoredOrder:
        """Known fields only (lenient mode may pass others through validation); the raw
        email becomes its hash here and goes no further."""
        email = body.get("customer_email")
        sha = body.get("customer_email_sha256") or (email_sha256(email) if email else None)
        return StoredOrder(
            id=poplar_id,
            order_id=order_id,
            order_date=_order_date(body["order_date"]),
            currency=body.get("currency", self.defaults.currency),
            total=body.get("total"),
            customer_id=body.get("customer_id"),
            email_sha256=sha,
            metadata=dict(body.get("metadata", {})),
            order_items=[_item(item) for item in body.get("order_items", [])],
            shipping_address=self._address(body.get("shipping_address")),
            billing_address=self._address(body.get("billing_address")),
            received_at=received,
            updated_at=updated,
        )

    def _address(self, address: dict[str, Any] | None) -> dict[str, Any] | None:
        if address is None:
            return None
        known = ("name", "address_1", "address_2", "city", "state", "postal_code")
        return {
            **{k: address[k] for k in known if k in address},
            "country": address.get("country", self.defaults.country),
        }


def bearer_token(authorization: str | None) -> str | None:
    """The token of a well-formed ``Bearer <token>`` header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


def _item(item: dict[str, Any]) -> dict[str, Any]:
    known = ("identifier", "description", "quantity", "total", "price", "category", "metadata")
    kept = {k: item[k] for k in known if k in item}
    if isinstance(kept.get("quantity"), float):  # 2.0 is a JSON Schema integer
        kept["quantity"] = int(kept["quantity"])
    return kept


def _order_date(value: str) -> str:
    """A date-only ``order_date`` becomes midnight UTC, like the docs' date-time (assumed)."""
    return f"{value}T00:00:00Z" if len(value) == 10 else value
