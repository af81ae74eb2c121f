"""The Faker behind SoPost's generated data: the seeded world and orders made on demand."""

from __future__ import annotations

from faker import Faker

__all__ = ["FAKER_PROVIDERS", "seeded_faker"]

# The Faker providers the generated data calls (the others are never imported: start-up), in
# Faker's own order, so each method resolves as with all of them: the same seed, the same data.
FAKER_PROVIDERS = tuple(
    f"faker.providers.{name}"
    for name in ("address", "color", "company", "internet", "lorem", "misc", "person")
)


def seeded_faker(seed: int) -> Faker:
    """A British-English Faker with the providers the generated data uses, seeded."""
    fake = Faker("en_GB", providers=list(FAKER_PROVIDERS))
    fake.seed_instance(seed)
    return fake
