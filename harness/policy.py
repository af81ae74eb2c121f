"""Whether an order may be forwarded to Poplar, decided on the order's *current* state.

The webhook's ``event`` field only says why we were woken up: deliveries can be duplicated,
reordered or late, so the decision always uses the order as SoPost returns it now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["FORWARDABLE_STATUSES", "Action", "ConsentPolicy", "Decision", "decide"]

# APPROVED and every distribution stage after it: the order went (or is going) out.
FORWARDABLE_STATUSES = frozenset({"APPROVED", "PROCESSING", "DISPATCHED", "DELIVERED"})


class Action(StrEnum):
    FORWARD = "forward"
    SKIP = "skip"


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str

    @property
    def forward(self) -> bool:
        return self.action is Action.FORWARD


@dataclass(frozen=True)
class ConsentPolicy:
    """Which consents opt a consumer in to the brand's lists.

    ``consent_ids`` empty means any id. ``data_handlers`` defaults to SoPost's own consent: a
    consent held by someone else (a retailer, say) does not opt the consumer in for the brand.
    Values are compared case-insensitively.
    """

    consent_ids: frozenset[str] = frozenset()
    data_handlers: frozenset[str] = frozenset({"sopost"})

    @classmethod
    def of(
        cls, consent_ids: Iterable[str] = (), data_handlers: Iterable[str] = ("SoPost",)
    ) -> ConsentPolicy:
        """Build a policy from values as an operator writes them (any case, stray spaces)."""
        return cls(
            frozenset(c.strip().lower() for c in consent_ids),
            frozenset(h.strip().lower() for h in data_handlers),
        )

    def accepts(self, consent: Any) -> bool:
        if not isinstance(consent, Mapping):
            return False
        status = str(consent.get("status") or "").upper()
        handler = str(consent.get("data_handler") or "").strip().lower()
        consent_id = str(consent.get("consent_id") or "").strip().lower()
        if status != "APPROVED" or handler not in self.data_handlers:
            return False
        return not self.consent_ids or consent_id in self.consent_ids


def decide(order: Mapping[str, Any], policy: ConsentPolicy) -> Decision:
    """Forward an approved-or-later order with an accepted consent; otherwise say why not."""
    status = str(order.get("status") or "").upper()
    if status == "PENDING":
        return Decision(Action.SKIP, "pending")  # another event follows the filtering
    if status == "REJECTED":
        return Decision(Action.SKIP, "rejected")
    if status not in FORWARDABLE_STATUSES:
        return Decision(Action.SKIP, f"unknown_status:{status or 'missing'}")
    consents = order.get("consents")
    if not isinstance(consents, list) or not consents:
        return Decision(Action.SKIP, "no_consent")
    if not any(policy.accepts(consent) for consent in consents):
        return Decision(Action.SKIP, "consent_not_accepted")
    return Decision(Action.FORWARD, "approved_with_consent")
