"""Poplar's domain: accounts (one per production token), their orders and audience.

Plain Python with no Flask: the clock and id source are passed in, and every rule the spec
cannot express (duplicate ``order_id``, the edit's ``order_id`` match) lives here and raises
:class:`~mocks.core.errors.ApiError`; the token rules are in :mod:`mocks.poplar.tokens`, the
stored order (the raw ``customer_email`` hashed on the way in, never stored) in
:mod:`mocks.poplar.orders`.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from mocks.core.clock import Clock
from mocks.core.errors import ApiError, found
from mocks.core.ids import IdSource
from mocks.poplar.config import DEFAULT_MAX_ACCOUNTS
from mocks.poplar.orders import Defaults, StoredOrder, build_order
from mocks.poplar.tokens import (
    ACCOUNTS_NAMESPACE,
    account_id_for,
    bearer_token,
    mask_token,
    token_problem,
)

__all__ = [
    "AUDIENCE_DESCRIPTION",
    "AUDIENCE_NAME",
    "Account",
    "PoplarState",
]

AUDIENCE_NAME = "Customers (Orders API)"
AUDIENCE_DESCRIPTION = (
    "Customers submitted through the Orders API, for suppression; "
    "two records (shipping and billing) per order."
)


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
        return str(uuid.uuid5(ACCOUNTS_NAMESPACE, f"{self.id}:audience"))


class PoplarState:
    """Accounts keyed by token; every method takes the caller's account."""

    def __init__(
        self,
        clock: Clock,
        ids: IdSource,
        defaults: Defaults,
        tokens: tuple[str, ...] | None = None,
        name_for=None,
        max_accounts: int = DEFAULT_MAX_ACCOUNTS,
    ) -> None:
        self.clock = clock
        self.ids = ids
        self.defaults = defaults
        self.tokens = None if tokens is None else frozenset(tokens)
        self._name_for = name_for or (lambda token: f"Account {mask_token(token)}")
        # By token, least recently used first: past ``max_accounts`` the oldest is dropped, so
        # a client minting a token per request cannot grow the mock without bound.
        self._accounts: OrderedDict[str, Account] = OrderedDict()
        self.max_accounts = max_accounts
        self._lock = threading.RLock()

    # -- accounts ------------------------------------------------------------------------
    def account_for(self, authorization: str | None) -> Account:
        """The account behind an ``Authorization`` header, or the documented 401/403."""
        token = bearer_token(authorization)
        problem = token_problem(token, self.tokens)
        if problem is not None:
            raise problem
        assert token is not None  # a missing token is a problem
        with self._lock:
            account = self._accounts.get(token)
            if account is not None:
                self._accounts.move_to_end(token)
                return account
            account = Account(
                account_id_for(token), self._name_for(token), mask_token(token), self.clock.now()
            )
            self._accounts[token] = account
            while len(self._accounts) > self.max_accounts:
                self._accounts.popitem(last=False)
            return account

    def find(self, token: str) -> Account | None:
        """The token's account if it has called the API (the dashboard never creates one)."""
        with self._lock:
            return self._accounts.get(token)

    def accepts(self, token: str | None) -> bool:
        """Whether a token would pass :meth:`account_for` (without creating its account)."""
        return token_problem(token, self.tokens) is None

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
            order = build_order(self.ids.uuid(), order_id, body, now, now, self.defaults)
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
            order = build_order(
                current.id, order_id, body, current.received_at, self.clock.now(), self.defaults
            )
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
        return found(
            account.orders.get(order_id),
            f"No order with order_id {order_id!r} in this account; "
            "submit it first with POST /v1/order.",
            "order_id",
        )

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
