"""Run-time ids: the same seed gives the same ids, in the form the uuid module writes."""

from __future__ import annotations

import random
import uuid

from mocks.core.ids import IdSource


def test_uuids_are_the_uuid_modules_version_4_of_the_same_bits() -> None:
    ids = IdSource(7)
    bits = random.Random("7:runtime")  # the stream IdSource(7) draws from

    for _ in range(2000):
        assert ids.uuid() == str(uuid.UUID(int=bits.getrandbits(128), version=4))


def test_the_same_seed_gives_the_same_uuids() -> None:
    first, second = IdSource(3), IdSource(3)
    assert [first.uuid() for _ in range(3)] == [second.uuid() for _ in range(3)]
