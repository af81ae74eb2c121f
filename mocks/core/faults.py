"""Fault injection: make matching requests fail, stall or drop, on demand.

Two scopes share one rule type. ``request`` rules match a method and a path pattern (``*``
matches within one segment, ``**`` across segments) and answer a status, add latency or drop
the connection. ``delivery`` rules match outgoing webhooks by event name (a glob such as
``APPROVED`` or ``*``) and duplicate, delay or reorder them. ``where`` narrows either scope to
requests whose JSON body (or webhooks whose payload) has those top-level values, e.g.
``{"order_id": "..."}``, so one test's fault never hits another's traffic on a shared path. A
rule applies to the next N matches or with a probability; the draw is seeded, so a fault run
replays exactly with the same seed.
"""

from __future__ import annotations

import fnmatch
import random
import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from werkzeug.urls import iri_to_uri

__all__ = ["FaultRule", "Faults", "unsendable_header"]

# Headers that frame the message, not describe it: the server sets them, and a rule's own
# value broke the answer (``Transfer-Encoding: chunked`` made the server send nothing at all).
FRAMING_HEADERS = frozenset(
    {"connection", "content-length", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"}
)


@dataclass
class FaultRule:
    id: str
    scope: str = "request"  # "request" or "delivery"
    method: str = "*"
    path: str = "**"
    status: int | None = None
    latency_ms: int = 0
    drop: bool = False
    times: int | None = None  # apply to this many matching requests, then retire
    probability: float = 1.0
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    event: str = "*"  # delivery scope: which events
    duplicate: int = 0  # delivery scope: extra copies to send
    delay_ms: int = 0  # delivery scope: hold the delivery this long (mock clock)
    reorder: bool = False  # delivery scope: send after the next delivery to the same URL
    where: dict[str, Any] = field(default_factory=dict)  # top-level JSON fields to match
    matched: int = 0

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        self._pattern = _compile_glob(self.path)

    def matches(
        self, scope: str, method: str, target: str, fields: Callable[[], Any] | None = None
    ) -> bool:
        if scope != self.scope:
            return False
        if scope == "delivery":
            found = fnmatch.fnmatchcase(target, self.event)
        else:
            found = self.method in ("*", method.upper()) and bool(self._pattern.fullmatch(target))
        return found and (not self.where or self._where_holds(fields))

    def _where_holds(self, fields: Callable[[], Any] | None) -> bool:
        document = fields() if fields is not None else None
        return isinstance(document, dict) and all(
            document.get(key) == value for key, value in self.where.items()
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["remaining"] = None if self.times is None else max(self.times - self.matched, 0)
        return data


def unsendable_header(headers: dict[str, str]) -> str | None:
    """Why one of a rule's ``headers`` cannot be sent as given, or None when all can: a framing
    header, or a ``Location`` / ``Content-Location`` werkzeug cannot write as a URI (it
    failed while sending, after the journal had recorded the answer)."""
    for name, value in headers.items():
        if name.lower() in FRAMING_HEADERS:
            return f"'{name}' frames the message and is the server's to set; leave it out."
        if name.lower() in ("location", "content-location"):
            try:
                iri_to_uri(value)
            except ValueError as error:  # UnicodeError (IDNA) is a ValueError too
                return f"'{name}' is not a URL that can be sent ({error}): {value!r}."
    return None


def _compile_glob(pattern: str) -> re.Pattern[str]:
    parts = [re.escape(piece).replace(r"\*", "[^/]*") for piece in pattern.split("**")]
    return re.compile(".*".join(parts))


class Faults:
    """The active fault rules of one mock."""

    def __init__(self, seed: int = 0) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._random = random.Random(f"{seed}:faults")
        self._next_id = 1

    def add(self, **spec: Any) -> FaultRule:
        with self._lock:
            rule = FaultRule(id=f"fault_{self._next_id}", **spec)
            self._next_id += 1
            self._rules.append(rule)
        return rule

    def list(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [rule for rule in self._rules if rule.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def have_latency(self) -> bool:
        """Whether a request rule may sleep (``latency_ms``): such requests must not run on
        the server's event loop (:meth:`mocks.core.runtime.MockRuntime.runs_inline`)."""
        return any(rule.latency_ms and rule.scope == "request" for rule in self._rules)

    def match(
        self,
        method: str,
        path: str,
        scope: str = "request",
        fields: Callable[[], Any] | None = None,
    ) -> FaultRule | None:
        """The first rule that fires (and count it), or None.

        For the delivery scope, ``path`` is the event name. ``fields`` gives the request's
        JSON body or the event's payload, for rules with ``where`` (only called for those).
        """
        with self._lock:
            for rule in self._rules:
                if not rule.matches(scope, method, path, fields):
                    continue
                if rule.probability < 1.0 and self._random.random() >= rule.probability:
                    continue
                rule.matched += 1
                if rule.times is not None and rule.matched >= rule.times:
                    self._rules.remove(rule)
                return rule
        return None
