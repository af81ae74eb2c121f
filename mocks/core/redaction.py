"""Remove values a mock must never keep (Poplar's raw ``customer_email``) from what it records.

The old redaction recursed and lost requests from the journal at ~500 levels; this walks an
explicit stack. A secret can arrive in the JSON body at any depth, in the query string, or
echoed in an error message (``'x@y' is not an 'email'``), so all three are covered: the values
found in the body and query are scrubbed from the message too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode

__all__ = ["REDACTED", "Redactor"]

REDACTED = "[redacted]"


class Redactor:
    """Replaces the values of the named fields, wherever they appear."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = frozenset(keys)
        names = "|".join(re.escape(key) for key in sorted(self.keys))
        # A JSON member in raw (possibly unparseable or truncated) text, closing quote optional.
        self._in_text = re.compile(rf'("(?:{names})"\s*:\s*)"(?:[^"\\]|\\.)*(?:"|\\?$)')
        self._quoted = tuple(f'"{key}"'.encode() for key in sorted(self.keys))  # as JSON names

    def may_hold(self, raw: bytes) -> bool:
        """Whether the JSON text ``raw`` could hold one of the fields: it names one in quotes,
        or it has an escape (a name can be spelled ``"customer\\u005femail"``). Only then must
        its parsed value be walked; otherwise :meth:`body` would find nothing to mask."""
        return bool(self._quoted) and (b"\\" in raw or any(name in raw for name in self._quoted))

    def body(self, value: Any) -> tuple[Any, list[str]]:
        """A copy of ``value`` with the fields masked, and the secret strings found."""
        found: list[str] = []
        if not self.keys or not isinstance(value, dict | list):
            return value, found
        root: Any = {} if isinstance(value, dict) else [None] * len(value)
        stack: list[tuple[Any, Any]] = [(value, root)]
        while stack:
            source, target = stack.pop()
            items = source.items() if isinstance(source, dict) else enumerate(source)
            for key, child in items:
                if isinstance(source, dict) and key in self.keys:
                    if isinstance(child, str):
                        found.append(child)
                    copy: Any = REDACTED
                elif isinstance(child, dict | list):
                    copy = {} if isinstance(child, dict) else [None] * len(child)
                    stack.append((child, copy))
                else:  # decimals read back as the JSON numbers sent (Flask writes strings)
                    copy = float(child) if isinstance(child, Decimal) else child
                target[key] = copy
        return root, found

    def query(self, query: str) -> tuple[str, list[str]]:
        """The query string with the fields' values masked, and the values found."""
        if not self.keys or not any(key in query for key in self.keys):
            return query, []
        pairs = parse_qsl(query, keep_blank_values=True)
        found = [value for key, value in pairs if key in self.keys]
        masked = [(key, REDACTED if key in self.keys else value) for key, value in pairs]
        return urlencode(masked), found

    def text(self, text: str) -> str:
        """Raw body text (unparseable or cut short) with the fields' values masked."""
        if not self.keys:
            return text
        return self._in_text.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)

    @staticmethod
    def scrub(text: str | None, secrets: Iterable[str]) -> str | None:
        """``text`` with every occurrence of the given secret values masked."""
        if text is None:
            return None
        for secret in secrets:
            if secret:
                text = text.replace(secret, REDACTED)
        return text
