"""When a SoPost order moves: the filtering decision, manual review, the distribution stages.

Every step is scheduled on the mock clock, so a manual clock replays a whole lifecycle. A step
remembers the order's version when it was planned and stands down if the order changed since
(a forced transition, a reset), so two timelines never interleave.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable

from mocks.core.clock import Scheduler
from mocks.sopost.approvals import ApprovalIndex
from mocks.sopost.config import LifecycleConfig
from mocks.sopost.orders import APPROVED, DECISIONS, PENDING, REJECTED, Order

__all__ = ["Lifecycle", "LifecycleConfig"]


class Lifecycle:
    """Schedules each order's next step; ``set_status`` applies it (and announces it)."""

    def __init__(
        self,
        scheduler: Scheduler,
        config: LifecycleConfig,
        stages: tuple[str, ...],
        approvals: ApprovalIndex,
        set_status: Callable[[Order, str], None],
        stored: Callable[[str], Order | None],
        lock: threading.RLock,
    ) -> None:
        self.scheduler = scheduler
        self.config = config
        self.stages = stages
        self.approvals = approvals
        self._set_status = set_status
        self._stored = stored
        self._lock = lock

    def begin(self, order: Order) -> None:
        """A new order: its filtering decision after the delay (unless held PENDING)."""
        if order.outcome != PENDING:
            self._schedule(order, self.config.filtering_delay, self._filter, "filtering")

    def carry_on(self, order: Order) -> None:
        """A seeded order at start runs on from its status exactly as a new order would: a
        PENDING one is decided after the filtering delay (a ``+pending`` one never is), an
        APPROVED or distributed one moves through the stages (unless ``distribute`` is off,
        as for the guide's printed example)."""
        if order.status == PENDING:
            self.begin(order)
        else:
            self.resume(order)

    def resume(self, order: Order) -> None:
        """Schedule the next distribution stage after APPROVED or a stage."""
        if not order.distribute:
            return
        chain = (APPROVED, *self.stages)
        if order.status not in chain[:-1]:
            return
        position = chain.index(order.status)
        delay = self.config.stage_delays[min(position, len(self.config.stage_delays) - 1)]
        next_status = chain[position + 1]

        def advance(current: Order) -> None:
            self._set_status(current, next_status)
            self.resume(current)

        self._schedule(order, delay, advance, next_status.lower())

    def _schedule(
        self, order: Order, delay: float, step: Callable[[Order], None], label: str
    ) -> None:
        version = order.version

        def run() -> None:
            with self._lock:
                if self._stored(order.id) is not order or order.version != version:
                    return  # changed (or reset) since this step was planned
            step(order)

        self.scheduler.call_later(delay, run, label=f"{label} {order.id}")

    def _filter(self, order: Order) -> None:
        decision = order.outcome if order.outcome in DECISIONS else None
        if decision is None and order.outcome != "REVIEW":
            if self.approvals.is_repeat_customer(order):
                decision = REJECTED
            elif not self.approvals.shares_postcode(order):
                decision = APPROVED
        if decision is None:
            order.version += 1  # entering manual review is a step of its own
            self._schedule(order, self.config.review_delay, self._review, "manual review")
            return
        self._set_status(order, decision)
        self.resume(order)

    def _review(self, order: Order) -> None:
        digest = hashlib.sha256(f"{self.config.seed}:{order.id}".encode()).digest()
        approved = digest[0] / 256 < self.config.review_approval_rate
        self._set_status(order, APPROVED if approved else REJECTED)
        self.resume(order)
