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

__all__ = ["IdSource", "run_ids"]

# RFC 9562: the version nibble (bits 76-79) says 4, the variant bits (62-63) say 0b10.
_NOT_VERSION_OR_VARIANT = ~((0xF000 << 64) | (0xC000 << 48))
_VERSION_4_RFC_VARIANT = (4 << 76) | (0x8000 << 48)


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
        """A random (version 4) UUID string: what ``str(uuid.UUID(int=bits, version=4))``
        gives, written directly (the class validates and converts on the way, and every
        Poplar order draws one)."""
        bits = self._bits(128) & _NOT_VERSION_OR_VARIANT | _VERSION_4_RFC_VARIANT
        text = f"{bits:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

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
