"""Handle one claimed event: fetch the order, decide, map, forward, record the outcome.

This is the guide's flow (check approval, fetch the order, check consent, send downstream)
with the failure handling a production service needs. Nothing here sleeps: a failure is
turned into a new ``next_attempt_at`` so a worker thread is never parked on a rate limit.

At-most-once per order rests on three things: the ``forwarded`` table is checked first and
written in the same transaction that marks the event done; the store never lets two workers
hold events of the same order; and a submit whose outcome was lost (crash, timeout) comes
back as Poplar's 409 on the next attempt, which counts as "already forwarded".
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from harness.backoff import Backoff, RateGate
from harness.clients import (
    Conflict,
    PoplarClient,
    RateLimited,
    SoPostClient,
    TransientError,
    VendorError,
)
from harness.logs import log_decision
from harness.mapping import MappingError, map_order
from harness.policy import ConsentPolicy, decide
from harness.store import ALREADY_FORWARDED, ClaimedEvent, InboxStore

__all__ = ["MAX_RATE_LIMIT_WAIT", "Processor"]

# A reset time further away than this is treated as garbage (e.g. milliseconds, not seconds).
MAX_RATE_LIMIT_WAIT = 3600.0


T = TypeVar("T")


class _Settled(Exception):
    """The event reached its next state inside a vendor call; ``outcome`` names it."""

    def __init__(self, outcome: str) -> None:
        super().__init__(outcome)
        self.outcome = outcome


class Processor:
    """Stateless between events apart from the per-vendor rate gates it shares with peers."""

    def __init__(
        self,
        store: InboxStore,
        sopost: SoPostClient,
        poplar: PoplarClient,
        policy: ConsentPolicy,
        *,
        backoff: Backoff,
        max_attempts: int,
        clock: Callable[[], float],
        rng: random.Random | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self.store = store
        self.sopost = sopost
        self.poplar = poplar
        self.policy = policy
        self.backoff = backoff
        self.max_attempts = max_attempts
        self.clock = clock
        self.rng = rng or random.Random()
        self.log = logger or logging.getLogger("harness.worker")
        self.sopost_gate = RateGate()
        self.poplar_gate = RateGate()

    def _log(self, ev: ClaimedEvent, decision: str, level: int = logging.INFO, **fields) -> None:
        log_decision(
            self.log,
            decision,
            level,
            event_id=ev.event_id,
            order_id=ev.order_id,
            event=ev.event,
            attempt=ev.attempt,
            **fields,
        )

    def process(self, ev: ClaimedEvent) -> str:
        """Take one event to its next state; return the decision name (for logs and tests)."""
        if self.store.is_forwarded(ev.order_id):
            # Forwarded while this event waited (its order's earlier event held the order).
            self.store.mark_done(ev, ALREADY_FORWARDED, self.clock())
            self._log(ev, ALREADY_FORWARDED)
            return ALREADY_FORWARDED

        try:
            return self._forward_if_eligible(ev)
        except _Settled as settled:
            return settled.outcome

    def _forward_if_eligible(self, ev: ClaimedEvent) -> str:
        order = self._call(
            ev, self.sopost_gate, "sopost", lambda: self.sopost.get_order(ev.order_id)
        )
        if order.get("id") != ev.order_id:
            return self._dead(ev, "sopost returned a different order id")

        decision = decide(order, self.policy)
        if not decision.forward:
            self.store.mark_skipped(ev, decision.reason, self.clock())
            self._log(ev, "skipped", reason=decision.reason, status=order.get("status"))
            return "skipped"

        try:
            mapped = map_order(order, datetime.fromtimestamp(ev.received_at, UTC))
        except MappingError as exc:
            return self._dead(ev, f"mapping: {exc}")

        try:
            poplar_id = self._call(
                ev, self.poplar_gate, "poplar", lambda: self.poplar.submit_order(mapped.body)
            )
            outcome = "created"
        except Conflict:
            # Our order_id is the SoPost id: a 409 means an earlier attempt of ours landed.
            poplar_id, outcome = None, "conflict"
        self.store.mark_forwarded(ev, outcome, poplar_id, self.clock())
        self._log(ev, "forwarded", outcome=outcome, status=order.get("status"), notes=mapped.notes)
        return "forwarded"

    def _call(self, ev: ClaimedEvent, gate: RateGate, vendor: str, call: Callable[[], T]) -> T:
        """One vendor call with the shared failure rules; a settled event raises _Settled.

        A rate limit in force or a 429 defers without spending an attempt; a transient error
        retries with backoff; any other vendor error is permanent (dead letter). Conflict is
        the caller's to interpret.
        """
        if (until := gate.blocked_until(self.clock())) is not None:
            # Claimed just before the gate closed: put back quietly, the gate was logged.
            raise _Settled(self._defer(ev, until, f"{vendor} rate limit in force", logging.DEBUG))
        try:
            return call()
        except RateLimited as exc:
            raise _Settled(self._rate_limited(ev, gate, exc)) from None
        except TransientError as exc:
            raise _Settled(self._retry(ev, exc.reason)) from None
        except Conflict:
            raise
        except VendorError as exc:
            raise _Settled(self._dead(ev, exc.reason)) from None

    def fail(self, ev: ClaimedEvent, exc: BaseException) -> str:
        """An unexpected error (a bug, a DB hiccup): retry like a transient failure."""
        return self._retry(ev, f"internal error: {type(exc).__name__}")

    def _retry(self, ev: ClaimedEvent, error: str) -> str:
        now = self.clock()
        if ev.attempt >= self.max_attempts:
            return self._dead(ev, f"gave up after {ev.attempt} attempts: {error}")
        when = now + self.backoff.delay(ev.attempt, self.rng)
        self.store.reschedule(ev, when, error, now)
        self._log(ev, "retry", logging.WARNING, reason=error, retry_in=round(when - now, 3))
        return "retry"

    def gated_until(self, now: float) -> float | None:
        """When the latest closed vendor gate reopens, or None when every gate is open.

        Every event needs SoPost and most need Poplar, so while a gate is closed the worker
        pool claims nothing: the backlog stays as it is (no claim, no write, no log line).
        """
        gates = (self.sopost_gate.blocked_until(now), self.poplar_gate.blocked_until(now))
        return max((until for until in gates if until is not None), default=None)

    def _rate_limited(self, ev: ClaimedEvent, gate: RateGate, exc: RateLimited) -> str:
        now = self.clock()
        until = exc.retry_at
        if until is None or until <= now or until - now > MAX_RATE_LIMIT_WAIT:
            until = now + self.backoff.delay(ev.attempt, self.rng)
        if not exc.quota_exhausted:
            # The vendor says requests remain: this request was refused, not the token.
            return self._defer(ev, until, f"{exc.reason}, {exc.remaining} remaining")
        if gate.block_until(until):
            self._log(ev, "gate_closed", logging.WARNING, reason=exc.reason, until=until)
        return self._defer(ev, until, exc.reason, logging.DEBUG)

    def _defer(self, ev: ClaimedEvent, until: float, error: str, level: int = logging.INFO) -> str:
        """Wait for a rate limit without spending one of the event's attempts."""
        now = self.clock()
        self.store.reschedule(ev, until, error, now, count=False)
        self._log(ev, "deferred", level, reason=error, retry_in=round(until - now, 3))
        return "deferred"

    def _dead(self, ev: ClaimedEvent, reason: str) -> str:
        self.store.mark_dead(ev, reason, self.clock())
        self._log(ev, "dead", logging.ERROR, reason=reason)
        return "dead"
