"""The request journal: every vendor request the mock saw, with its validation verdict.

Tests and the contract kit assert on the journal rather than on log text. It is bounded three
ways, so a flood of big or hostile requests cannot grow a mock without limit: at most
``capacity`` entries, at most ``max_bytes`` in all (oldest dropped first), and at most
:data:`BODY_LIMIT` bytes of any body (the rest cut, ``body_truncated`` set). A vendor passes a
:class:`~mocks.core.redaction.Redactor` so data it must never keep (Poplar's raw
``customer_email``) is masked in bodies, query strings and error messages before storing.

A body that cannot hold such a field is kept as compact JSON bytes and parsed again only when
the entry is read (most never are): bytes are one object the garbage collector never walks,
where the parsed body was a dozen containers per entry, kept alive by up to ten thousand
entries (the collector's pauses under load: ``mockkit.apps._serving``).
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from mocks.core.errors import ApiError
from mocks.core.json_body import dump_json, parse_json
from mocks.core.redaction import Redactor

__all__ = ["BODY_LIMIT", "DEFAULT_JOURNAL_BYTES", "Journal", "JournalEntry"]

BODY_LIMIT = 16 * 1024  # bytes of one body kept in the journal
DEFAULT_JOURNAL_BYTES = 32 * 1024 * 1024  # the whole journal's budget
_ENTRY_OVERHEAD = 400  # bytes an entry costs beyond its strings (object, fields, deque slot)


@dataclass(slots=True)  # thousands are kept: no per-entry __dict__
class JournalEntry:
    id: int
    time: float
    method: str
    path: str
    query: str
    status: int
    # valid, warning (served, but broke assumed rules: see warnings), invalid, unmatched,
    # unmodelled, rejected (auth/limits) or fault
    verdict: str
    operation_id: str | None
    error: str | None
    body: Any
    account: str | None
    duration_ms: float
    body_truncated: bool = False  # ``body`` is the first BODY_LIMIT bytes, as text
    size: int = field(default=0, repr=False)  # what the entry counts against max_bytes
    warnings: list[str] = field(default_factory=list)  # one line per broken assumed rule

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("size")
        return data


class Journal:
    """A bounded, thread-safe log of requests, newest last."""

    def __init__(
        self,
        capacity: int = 10_000,
        redactor: Redactor | None = None,
        max_bytes: int = DEFAULT_JOURNAL_BYTES,
    ) -> None:
        self._entries: deque[JournalEntry] = deque()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._redactor = redactor or Redactor(())
        self.capacity = capacity
        self.max_bytes = max_bytes
        self._bytes = 0

    def record(
        self,
        *,
        body: Any = None,
        raw_body: bytes | None = None,
        query: str = "",
        error: str | None = None,
        **fields: Any,
    ) -> JournalEntry:
        """Store one request; ``body`` is its parsed JSON if known, ``raw_body`` its bytes.

        The entry returned is as stored: read bodies through :meth:`entries`, which renders them.
        """
        query, secrets = self._redactor.query(query)
        body, truncated, body_size = self._stored_body(body, raw_body, secrets)
        error = Redactor.scrub(error, secrets)
        size = _ENTRY_OVERHEAD + len(fields.get("path", "")) + len(query) + len(error or "")
        with self._lock:
            entry = JournalEntry(
                id=next(self._ids),
                query=query,
                error=error,
                body=body,
                body_truncated=truncated,
                size=size + body_size,
                **fields,
            )
            self._entries.append(entry)
            self._bytes += entry.size
            while self._entries and (
                len(self._entries) > self.capacity or self._bytes > self.max_bytes
            ):
                self._bytes -= self._entries.popleft().size
        return entry

    def _stored_body(
        self, body: Any, raw: bytes | None, secrets: list[str]
    ) -> tuple[Any, bool, int]:
        """(what to keep, whether it was cut, its size): parsed JSON if small, else text."""
        if body is None and raw:
            try:
                body = parse_json(raw)  # bounded nesting: hostile bodies are safe to parse
            except ApiError:
                body = None
        if body is not None and raw and len(raw) <= BODY_LIMIT and not self._redactor.may_hold(raw):
            return _Compact(dump_json(body)), False, len(raw)
        if body is not None:
            body, found = self._redactor.body(body)
            secrets.extend(found)
            size = len(raw) if raw else len(dump_json(body))
            if size <= BODY_LIMIT:
                return body, False, size
            return dump_json(body)[:BODY_LIMIT].decode("utf-8", "ignore"), True, BODY_LIMIT
        if not raw:
            return None, False, 0
        text = self._redactor.text(raw[:BODY_LIMIT].decode("utf-8", "replace"))
        return Redactor.scrub(text, secrets), len(raw) > BODY_LIMIT, len(text)

    def bytes_used(self) -> int:
        with self._lock:
            return self._bytes

    def entries(
        self,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        verdict: str | None = None,
        since_id: int = 0,
        limit: int | None = None,
    ) -> list[JournalEntry]:
        """Entries matching every given filter (``path`` matches as a prefix), oldest first."""
        with self._lock:
            snapshot = list(self._entries)
        found = [
            entry
            for entry in snapshot
            if entry.id > since_id
            and (method is None or entry.method == method.upper())
            and (path is None or entry.path.startswith(path))
            and (status is None or entry.status == status)
            and (verdict is None or entry.verdict == verdict)
        ]
        found = found[-limit:] if limit else found
        for entry in found:
            if isinstance(entry.body, _Compact):  # two readers render the same value
                entry.body = parse_json(entry.body.json)
        return found

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            self._bytes = 0
        return count


class _Compact:
    """A body stored as JSON bytes (decimals written as numbers), parsed for readers by
    :meth:`Journal.entries`."""

    __slots__ = ("json",)

    def __init__(self, json: bytes) -> None:
        self.json = json
