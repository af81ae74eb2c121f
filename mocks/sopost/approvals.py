"""The index behind SoPost's approval rules: one order per person per campaign, and postcodes.

Keys are hashes of (campaign, "identity" | "email" | "postcode", value) mapping to the order, or
a list when several share one: the rules look up a handful of orders instead of scanning all of
them, for about 100 bytes per key (100k orders stay under 300 MB).
"""

from __future__ import annotations

import threading

from mocks.sopost.orders import REJECTED, Order

__all__ = ["ApprovalIndex"]

Key = tuple[str, str, str]


class ApprovalIndex:
    """Who ordered what, per campaign; guarded by the state's lock."""

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._people: dict[int, Order | list[Order]] = {}

    def add(self, order: Order) -> None:
        for key in _approval_keys(order):
            slot = self._people.get(hash(key))
            if slot is None:
                self._people[hash(key)] = order
            elif isinstance(slot, list):
                slot.append(order)
            else:
                self._people[hash(key)] = [slot, order]

    def is_repeat_customer(self, order: Order) -> bool:
        """An earlier live order of the campaign by the same identity or e-mail."""
        identity, email, _ = _approval_keys(order)
        return any(o.sequence < order.sequence for o in self._live_matches(order, identity, email))

    def shares_postcode(self, order: Order) -> bool:
        """Another live order of the campaign (earlier or later) on the same postcode."""
        return any(self._live_matches(order, _approval_keys(order)[2]))

    def _live_matches(self, order: Order, *keys: Key) -> list[Order]:
        found = []
        with self._lock:
            for key in keys:
                slot = self._people.get(hash(key), [])
                candidates = slot if isinstance(slot, list) else [slot]
                # Hashes can collide: keep only orders that really share the key.
                found += [o for o in candidates if key in _approval_keys(o)]
        return [o for o in found if o is not order and o.status != REJECTED]


def _approval_keys(order: Order) -> tuple[Key, Key, Key]:
    """The index keys of the approval rules: same person, same postcode, per campaign."""
    postcode = "".join(str(order.address.get("postcode", "")).split()).upper()
    return (
        (order.campaign_id, "identity", order.identity),
        (order.campaign_id, "email", order.email.strip().lower()),
        (order.campaign_id, "postcode", postcode),
    )
