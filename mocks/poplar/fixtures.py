"""Seeded Poplar data: account names, and the docs' example requests.

Account names derive from the seed and the token, so ``GET /v1/me`` names an account the same
way on every run. The docs' own example request is read from the spec rather than copied.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from faker import Faker

from mocks.core.spec import load_spec

__all__ = ["account_name", "example_request"]


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
