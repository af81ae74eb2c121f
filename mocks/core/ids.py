"""Deterministic identifiers: the same seed and the same calls give the same ids.

Every id a mock mints at run time comes from one :class:`IdSource`, so a run can be replayed
with ``--seed``. It is separate from the fixture generator's randomness, so changing the fixtures
never shifts run-time ids.
"""

from __future__ import annotations

import base64
import hashlib
import random
import secrets
import threading
import uuid

__all__ = ["IdSource", "run_ids"]


class IdSource:
    """Thread-safe source of UUIDs, hex tokens and secrets derived from a seed."""

    def __init__(self, seed: int, stream: str = "runtime") -> None:
        self._name = f"{seed}:{stream}"
        self._random = random.Random(self._name)
        self._lock = threading.Lock()

    def _bits(self, n: int) -> int:
        with self._lock:
            return self._random.getrandbits(n)

    def uuid(self) -> str:
        """A random (version 4) UUID string."""
        return str(uuid.UUID(int=self._bits(128), version=4))

    def hex(self, length: int) -> str:
        """``length`` lower-case hex characters."""
        return f"{self._bits(length * 4):0{length}x}"

    def keyed_hex(self, length: int, *key: object) -> str:
        """``length`` hex characters that depend on the seed and ``key`` only, not on how many
        ids were drawn before: the same under any interleaving of concurrent callers."""
        material = "|".join([self._name, *map(str, key)]).encode()
        return hashlib.sha256(material).hexdigest()[:length]

    def token(self, nbytes: int) -> bytes:
        return self._bits(nbytes * 8).to_bytes(nbytes, "big")

    def webhook_secret(self) -> str:
        """A Standard Webhooks secret: ``whsec_`` and base64 of 24 random bytes.

        Fresh on every call, never drawn from the seed: the seed makes data repeatable, and a
        secret anyone could recompute from ``--seed 0`` would let any page forge webhooks.
        """
        return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()

    def choice(self, options: list):
        with self._lock:
            return self._random.choice(options)


def run_ids(seed: int, id_seed: int | None = None) -> IdSource:
    """The source of a mock's run-time ids: ``id_seed`` when given, else the data ``seed``."""
    return IdSource(seed if id_seed is None else id_seed)
