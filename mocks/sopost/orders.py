"""A SoPost order as the mock keeps it, and how one is built from an API request's fields.

The documented statuses live here; the distribution stages after APPROVED come from the spec's
``OrderStatus`` enum. A magic e-mail tag (``jo+reject@example.com``) fixes the filtering outcome.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from mocks.core.errors import ApiError
from mocks.sopost.catalogue import Activity

__all__ = [
    "APPROVED",
    "DECISIONS",
    "PENDING",
    "REJECTED",
    "Order",
    "check_line_items",
    "email_identity",
    "expand_consents",
    "full_address",
    "magic_outcome",
]

PENDING, APPROVED, REJECTED = "PENDING", "APPROVED", "REJECTED"
DECISIONS = (APPROVED, REJECTED)
MAGIC_OUTCOMES = {"approve": APPROVED, "reject": REJECTED, "review": "REVIEW", "pending": PENDING}


def email_identity(email: str) -> str:
    """The identity SoPost gives orders that did not come through the API: an e-mail hash."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


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


def check_line_items(activity: Activity, line_items: list[dict[str, str]]) -> None:
    """Every stock partition must be the activity's: a reference to nothing is a 404, like an
    unknown activity or subscription entity."""
    partitions = activity.stock_partition_ids()
    for index, item in enumerate(line_items):
        if item["stock_partition_id"] not in partitions:
            raise ApiError.not_found(
                f"Stock partition {item['stock_partition_id']}"
                f" is not part of activity {activity.id}; GET /activities/"
                f"{activity.id}/products lists its stock partitions.",
                f"line_items.{index}.stock_partition_id",
            )


def expand_consents(activity: Activity, requested: list[dict[str, Any]]) -> list[dict]:
    """Expand ``[{consent_id}]`` into the order's consent records (must be the activity's)."""
    known = {consent.id: consent for consent in activity.consents}
    expanded = []
    for index, item in enumerate(requested):
        definition = known.get(item["consent_id"])
        if definition is None:
            raise ApiError.not_found(
                f"Consent {item['consent_id']} is not offered "
                f"by activity {activity.id}; GET /activities/{activity.id}/consents"
                " lists them.",
                f"consents.{index}.consent_id",
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


def magic_outcome(email: str) -> str | None:
    local = email.split("@", 1)[0]
    tag = local.split("+", 1)[1].lower() if "+" in local else ""
    return MAGIC_OUTCOMES.get(tag)


def full_address(address: dict[str, Any]) -> dict[str, Any]:
    """Address in the documented field order; absent optional lines become null."""
    return {
        "line_1": address["line_1"],
        "line_2": address.get("line_2"),
        "town": address["town"],
        "district": address.get("district"),
        "territory": address["territory"],
        "postcode": address["postcode"],
    }
