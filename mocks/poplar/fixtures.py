"""Seeded, Faker-built Poplar data: account names and realistic orders.

Account names derive from the seed and the token, so ``GET /v1/me`` names an account the same
way on every run. Orders built here are valid against ``openapi/poplar.yaml`` (tests check it);
the docs' own example request is read from the spec rather than copied.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from faker import Faker

from mocks.core.spec import load_spec

__all__ = ["DEMO_TOKEN", "account_name", "example_request", "fake_order"]

# A production-style token for the README and demos (any token not starting with "test" works).
DEMO_TOKEN = "prod_mockkit_demo_token"


def account_name(seed: int, token: str) -> str:
    """A company-like account name, fixed by the seed and the token."""
    fake = Faker("en_US")
    fake.seed_instance(f"{seed}:{hashlib.sha256(token.encode()).hexdigest()}")
    return fake.company()


def example_request(name: str = "docs") -> dict[str, Any]:
    """A request example from the spec's ``submitOrder`` (``docs`` or ``minimal``)."""
    operation = load_spec("poplar").operations["submitOrder"].definition
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    return copy.deepcopy(examples[name]["value"])


def fake_order(fake: Faker, order_id: str | None = None, items: int = 2) -> dict[str, Any]:
    """A full, valid order body with Faker values (shipping, billing and an email)."""

    def address() -> dict[str, Any]:
        return {
            "name": fake.name(),
            "address_1": fake.street_address(),
            "city": fake.city(),
            "state": fake.state_abbr(),
            "postal_code": fake.zipcode(),
            "country": "USA",
        }

    order_items = [
        {
            "identifier": fake.uuid4(),
            "description": fake.catch_phrase(),
            "quantity": fake.random_int(1, 4),
            "total": float(fake.random_int(100, 50000)) / 100,
            "price": float(fake.random_int(100, 20000)) / 100,
            "category": [fake.word().title(), fake.word().title()],
            "metadata": {"colour": fake.color_name()},
        }
        for _ in range(items)
    ]
    return {
        "order_id": order_id or fake.uuid4(),
        "order_date": fake.date_time_between("-1y").strftime("%Y-%m-%dT%H:%M:%SZ"),
        "currency": "USD",
        "total": round(sum(i["total"] for i in order_items), 2),
        "customer_id": str(fake.random_int(1000, 99999)),
        "customer_email": fake.email(),
        "metadata": {"new_buyer": fake.boolean(), "promo_code": fake.bothify("SAVE##")},
        "order_items": order_items,
        "shipping_address": address(),
        "billing_address": address(),
    }
