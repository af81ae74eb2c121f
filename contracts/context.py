"""What a scenario works with: the mocks, the integration, its own orders, and judgements.

Scenarios run at the same time against one integration, so each gets its own
:class:`Context` (:meth:`Context.for_scenario`): its own orders, whose ids, short ids and
e-mails the kit mints from the run seed and the scenario's id (fresh in every run, the same
again with ``--seed``), its own fault rules (removed when it ends), and judgements of only
its own orders. A judgement reads the mocks' logs (Poplar's request journal, SoPost's
delivery log), never the integration's output, so it holds for any language.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import string
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from contracts.client import ControlError, MockClient
from contracts.observe import FINAL_DELIVERY, PoplarLog, Snapshot, deliveries_of
from contracts.process import Integration
from contracts.servers import MockPair

__all__ = ["Context", "ScenarioFailed", "ScenarioSkipped"]

T = TypeVar("T")

SHORT_ID_CHARS = string.ascii_uppercase + string.digits


class ScenarioFailed(AssertionError):
    """The integration broke the scenario's rule; the message says how."""


class ScenarioSkipped(Exception):
    """The scenario cannot run in this mode (e.g. a restart without --exec)."""


@dataclass
class _Once:
    done: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    error: BaseException | None = None


@dataclass
class Context:
    """One scenario's view of a verify run; the run's shared parts are shared objects."""

    mocks: MockPair
    webhook_url: str
    webhook_secret: str
    data_handler: str = "SoPost"
    integration: Integration | None = None
    settle: float = 1.0
    timeout: float = 20.0
    seed: int = 0
    scenario: str = "run"
    number: int = 0
    evidence: dict[str, Any] = field(default_factory=dict)
    orders: list[str] = field(default_factory=list)
    judged: dict[str, dict[str, Any]] = field(default_factory=dict)  # order id -> verdict
    hint: str | None = None  # the likely cause of a lost order, when the scenario knows it
    memo: dict[str, _Once] = field(default_factory=dict)
    poplar_log: PoplarLog | None = None
    # Work started before the scenarios (Scenario.prepare), shared by every context of a run.
    prepared: dict[str, Future[Any]] = field(default_factory=dict)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock)
    _faults: list[tuple[MockClient, str]] = field(default_factory=list)
    _counter: Iterable[int] = field(default_factory=lambda: itertools.count(1))
    _random: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if self.poplar_log is None:
            self.poplar_log = PoplarLog(self.mocks.poplar)

    def for_scenario(self, scenario_id: str, number: int) -> Context:
        """A fresh context for one scenario, sharing the run's mocks, memo and journal."""
        return replace(
            self,
            scenario=scenario_id,
            number=number,
            evidence={},
            orders=[],
            judged={},
            hint=None,
            _faults=[],
            _counter=itertools.count(1),
            _random=random.Random(f"{self.seed}:{scenario_id}"),
        )

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` for the first scenario that asks; the others wait for its result
        (two scenarios judging one piece of work, e.g. ack-timeout and ack-fast)."""
        with self._memo_lock:
            slot = self.memo.get(key)
            owner = slot is None
            if owner:
                slot = self.memo[key] = _Once()
        assert slot is not None
        if owner:
            try:
                slot.value = compute()
            except BaseException as exc:
                slot.error = exc
                raise
            finally:
                slot.done.set()
        slot.done.wait()
        if slot.error is not None:
            raise slot.error
        return slot.value

    # -- orders and faults ---------------------------------------------------------------
    def email(self, tag: str = "o") -> str:
        return f"mk{self.seed}-s{self.number}-{next(self._counter)}-{tag}@example.com"

    def brand_consent(self) -> list[dict[str, str]]:
        return [{"data_handler": self.data_handler, "status": "APPROVED"}]

    def order_fields(self, **overrides: Any) -> dict[str, Any]:
        """A new order's fields: fresh id, short id and e-mail from the run seed, APPROVED
        with the brand's consent and no distribution stages, unless ``overrides`` say so."""
        fields = {
            "id": str(uuid.UUID(int=self._random.getrandbits(128), version=4)),
            "short_id": "".join(self._random.choice(SHORT_ID_CHARS) for _ in range(11)),
            "outcome": "APPROVED",
            "distribute": False,
            "consents": self.brand_consent(),
            **overrides,
        }
        fields.setdefault("email", self.email())
        return fields

    def create_order(self, **overrides: Any) -> dict[str, Any]:
        fields = overrides if "id" in overrides else self.order_fields(**overrides)
        order = self.mocks.sopost.create_order(**fields)
        self.orders.append(order["id"])
        return order

    def add_fault(self, mock: str, **rule: Any) -> dict[str, Any]:
        """A fault rule on ``"sopost"`` or ``"poplar"``, removed when the scenario ends."""
        client = self.mocks.sopost if mock == "sopost" else self.mocks.poplar
        added = client.add_fault(**rule)
        self._faults.append((client, added["id"]))
        return added

    def remove_faults(self) -> None:
        for client, fault_id in self._faults:
            with contextlib.suppress(ControlError):  # already retired (``times`` used up)
                client.remove_fault(fault_id)
        self._faults.clear()

    # -- reading the mocks ---------------------------------------------------------------
    def deliveries(self, order_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        return deliveries_of(self.mocks.sopost, order_ids)

    def snapshot(self, order_ids: list[str] | None = None) -> Snapshot:
        """Everything recorded about these orders (default: the scenario's own)."""
        wanted = list(self.orders if order_ids is None else order_ids)
        log = self.poplar_log
        assert log is not None
        log.refresh(force=True)
        stored: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for order in self.mocks.poplar.orders():
            if order["order_id"] in wanted:
                stored[order["order_id"]].append(order)
        return Snapshot(
            {o: log.submits(o) for o in wanted},
            {o: log.edits(o) for o in wanted},
            stored,
            self.deliveries(wanted),
        )

    def wait(
        self,
        probe: Callable[[], T],
        timeout: float | None = None,
        interval: float = 0.05,
        certain: Callable[[], Any] | None = None,
    ) -> T | None:
        """Poll ``probe`` until truthy, or until ``certain()`` says the verdict is already
        known (a failure no more waiting can undo); return the probe's last value."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            value = probe()
            if value or time.monotonic() > deadline or (certain is not None and certain()):
                return value
            time.sleep(interval)

    def fetched(self, order_id: str) -> bool:
        """Whether the integration has called ``GET /orders/{id}`` (either prefix) yet."""
        paths = (f"/v1/orders/{order_id}", f"/orders/{order_id}")
        return any(e["path"] in paths for p in paths for e in self.mocks.sopost.requests(path=p))

    def answered(self, order_ids: list[str], final_event: str | None = "APPROVED") -> bool:
        """Every delivery of these orders answered (or given up), final event included."""
        by_order = self.deliveries(order_ids)
        return all(
            (final_event is None or any(d["event"] == final_event for d in found))
            and all(d["status"] in FINAL_DELIVERY for d in found)
            for found in (by_order[o] for o in order_ids)
        )

    def _certain(self, order_ids: list[str], forbidden: Iterable[str]) -> Callable[[], bool]:
        log, watched, banned = self.poplar_log, set(order_ids), set(forbidden)
        assert log is not None
        return lambda: bool(log.troubled(watched, banned))

    def wait_answered(
        self,
        order_ids: list[str],
        final_event: str = "APPROVED",
        timeout: float | None = None,
        forbidden: Iterable[str] = (),
    ) -> Snapshot:
        """Until the integration answered every delivery of these orders (final event
        included), then the settle time; the snapshot after that. Stops early once an order
        in ``forbidden`` was sent to Poplar or one was sent twice."""
        certain = self._certain(order_ids, forbidden)
        done = self.wait(lambda: self.answered(order_ids, final_event), timeout, 0.1, certain)
        if not done and not certain():
            self.evidence["warning"] = "deliveries still unanswered after the timeout"
        self.wait(lambda: False, self.settle, 0.05, certain)
        return self.snapshot(order_ids)

    def wait_forwarded(
        self, order_ids: list[str], final_event: str = "APPROVED", timeout: float | None = None
    ) -> Snapshot:
        """Until every order is stored in Poplar (or the timeout), then as wait_answered."""
        log, wanted = self.poplar_log, set(order_ids)
        assert log is not None
        self.wait(
            lambda: log.accepted(wanted) == wanted, timeout, 0.05, self._certain(order_ids, ())
        )
        return self.wait_answered(order_ids, final_event, timeout=5.0)

    # -- verdicts ------------------------------------------------------------------------
    def record(self, snap: Snapshot, order_id: str) -> dict[str, Any]:
        return {
            "order_id": order_id,
            "poplar_orders": len(snap.stored.get(order_id, [])),
            "poplar_submits": snap.submit_summary(order_id),
            "poplar_edits": len(snap.edits.get(order_id, [])),
            "deliveries": snap.delivery_summary(order_id),
        }

    def _judge(self, snap: Snapshot, order_id: str, expected: str) -> dict[str, Any]:
        record = self.record(snap, order_id)
        self.evidence.setdefault("checked", []).append(record)
        self.judged[order_id] = {"expected": expected, "problem": None}
        return record

    def _fail(self, order_id: str, problem: str) -> None:
        self.judged[order_id]["problem"] = problem
        raise ScenarioFailed(problem)

    def expect_once(self, snap: Snapshot, order_id: str, allow_repeats: bool = False) -> None:
        record = self._judge(snap, order_id, "exactly once in Poplar")
        if not snap.stored.get(order_id):
            self._fail(
                order_id,
                f"order {order_id} never reached Poplar "
                f"(submits: {', '.join(record['poplar_submits']) or 'none'})",
            )
        if snap.accepted(order_id) != 1:
            self._fail(
                order_id, f"order {order_id} was accepted by Poplar {snap.accepted(order_id)} times"
            )
        if snap.repeats(order_id) and not allow_repeats:
            self._fail(
                order_id,
                f"order {order_id} was submitted again "
                f"{snap.repeats(order_id)} time(s) after Poplar stored it",
            )

    def expect_none(self, snap: Snapshot, order_id: str, why: str) -> None:
        record = self._judge(snap, order_id, f"nothing sent to Poplar ({why})")
        if snap.submits.get(order_id) or snap.stored.get(order_id):
            self._fail(
                order_id, f"order {order_id} ({why}) was sent to Poplar: {record['poplar_submits']}"
            )

    def stored_order(self, snap: Snapshot, order_id: str) -> dict[str, Any]:
        return snap.stored[order_id][0]

    def require_exec(self) -> Integration:
        if self.integration is None:
            raise ScenarioSkipped("needs --exec (the kit must be able to restart the integration)")
        return self.integration
