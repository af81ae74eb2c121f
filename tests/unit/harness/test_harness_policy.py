"""harness.policy.decide: forward or skip, on the order's current state."""

from __future__ import annotations

from typing import Any

import pytest

from harness.policy import Action, ConsentPolicy, decide

SOPOST_CONSENT = {
    "consent_id": "d2271011-4d8a-47e7-9d4a-5045780fbce9",
    "consent_name": "SoPost Marketing Optin",
    "data_handler": "SoPost",
    "status": "APPROVED",
}
RETAILER_CONSENT = {**SOPOST_CONSENT, "consent_id": "r-1", "data_handler": "Boots"}
DEFAULT = ConsentPolicy.of()


def order(status: str = "APPROVED", consents: Any = (SOPOST_CONSENT,)) -> dict[str, Any]:
    return {"id": "o", "status": status, "consents": list(consents)}


@pytest.mark.parametrize("status", ["APPROVED", "PROCESSING", "DISPATCHED", "DELIVERED"])
def test_approved_or_later_with_sopost_consent_is_forwarded(status: str) -> None:
    decision = decide(order(status), DEFAULT)
    assert decision.action is Action.FORWARD and decision.forward


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (order("PENDING"), "pending"),
        (order("REJECTED"), "rejected"),
        (order("CANCELLED"), "unknown_status:CANCELLED"),
        ({"id": "o", "consents": [SOPOST_CONSENT]}, "unknown_status:missing"),
        (order(consents=()), "no_consent"),
        ({"id": "o", "status": "APPROVED"}, "no_consent"),
        (order(consents=[RETAILER_CONSENT]), "consent_not_accepted"),
        (order(consents=[{**SOPOST_CONSENT, "status": "REJECTED"}]), "consent_not_accepted"),
        (order(consents=["not-an-object"]), "consent_not_accepted"),
    ],
)
def test_skips_say_why(source: dict[str, Any], reason: str) -> None:
    decision = decide(source, DEFAULT)
    assert (decision.action, decision.reason) == (Action.SKIP, reason)


def test_pending_wins_over_consent_check() -> None:
    assert decide(order("PENDING", consents=()), DEFAULT).reason == "pending"


def test_any_accepted_consent_among_several_is_enough() -> None:
    assert decide(order(consents=[RETAILER_CONSENT, SOPOST_CONSENT]), DEFAULT).forward


def test_consent_ids_restrict_which_consent_counts() -> None:
    policy = ConsentPolicy.of(consent_ids=["D2271011-4D8A-47E7-9D4A-5045780FBCE9"])
    assert decide(order(), policy).forward
    other = ConsentPolicy.of(consent_ids=["something-else"])
    assert decide(order(), other).reason == "consent_not_accepted"


def test_data_handlers_are_configurable_and_case_insensitive() -> None:
    boots = ConsentPolicy.of(data_handlers=["boots"])
    assert decide(order(consents=[RETAILER_CONSENT]), boots).forward
    assert decide(order(), boots).reason == "consent_not_accepted"
    both = ConsentPolicy.of(data_handlers=["SOPOST", "Boots"])
    assert decide(order(consents=[RETAILER_CONSENT]), both).forward
