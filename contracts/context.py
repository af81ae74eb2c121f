"""What a scenario works with: the mocks, the integration, its own orders, and judgements.

Scenarios share one running integration, so each one creates fresh orders (unique e-mails)
and judges only Poplar requests and orders whose ``order_id`` is one of its SoPost order ids.
A judgement reads the mocks' logs (Poplar's request journal, SoPost's delivery log), never the
integration's own output, so it holds for an integration written in any language.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from contracts.process import Integration
from contracts.servers import MockPair

__all__ = ["Context", "ScenarioFailed", "ScenarioSkipped", "Snapshot"]

T = TypeVar("T")

SUBMIT_PATH = "/v1/order"
FINAL_DELIVERY = ("succeeded", "failed", "blocked")


class ScenarioFailed(AssertionError):
    """The integration broke the scenario's rule; the message says how."""


class ScenarioSkipped(Exception):
    """The scenario cannot run in this mode (e.g. a restart without --exec)."""


@dataclass
class Snapshot:
    """Poplar's journal and stored orders and SoPost's deliveries, grouped by SoPost order id."""

    submits: dict[str, list[dict[str, Any]]]
    edits: dict[str, list[dict[str, Any]]]
    stored: dict[str, list[dict[str, Any]]]
    deliveries: dict[str, list[dict[str, Any]]]

    def submit_summary(self, order_id: str) -> list[str]:
        return [
            f"{e['status']} {e['verdict']}" + (f": {e['error']}" if e.get("error") else "")
            for e in self.submits.get(order_id, [])
        ]

    def accepted(self, order_id: str) -> int:
        return sum(1 for e in self.submits.get(order_id, []) if 200 <= e["status"] < 300)

    def repeats(self, order_id: str) -> int:
        """Submits after the first accepted one (Poplar answers 409: a duplicate order)."""
        entries = self.submits.get(order_id, [])
        first = next((i for i, e in enumerate(entries) if 200 <= e["status"] < 300), None)
        return 0 if first is None else len(entries) - first - 1

    def delivery_summary(self, order_id: str) -> list[dict[str, Any]]:
        return [
            {
                "event": d["event"],
                "status": d["status"],
                "responses": [a.get("status") or a.get("error") for a in d["attempts"]],
                "latency_ms": [a.get("latency_ms") for a in d["attempts"]],
            }
            for d in self.deliveries.get(order_id, [])
        ]


@dataclass
class Context:
    """One verify run's shared state; ``evidence`` is reset for each scenario."""

    mocks: MockPair
    webhook_url: str
    webhook_secret: str
    data_handler: str = "SoPost"
    integration: Integration | None = None
    settle: float = 1.0
    timeout: float = 20.0
    run_tag: str = "mk"
    evidence: dict[str, Any] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    # -- orders --------------------------------------------------------------------------
    def email(self, tag: str = "o") -> str:
        return f"{self.run_tag}-{next(self._counter)}-{tag}@example.com"

    def brand_consent(self) -> list[dict[str, str]]:
        return [{"data_handler": self.data_handler, "status": "APPROVED"}]

    def create_order(self, **overrides: Any) -> dict[str, Any]:
        """A fresh order: APPROVED with the brand's consent, no distribution stages, unless
        ``overrides`` say otherwise."""
        fields = {
            "outcome": "APPROVED",
            "distribute": False,
            "consents": self.brand_consent(),
            **overrides,
        }
        fields.setdefault("email", self.email())
        order = self.mocks.sopost.create_order(**fields)
        self.evidence.setdefault("orders", []).append(order["id"])
        return order

    # -- reading the mocks ---------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        submits: dict[str, list[dict[str, Any]]] = defaultdict(list)
        edits: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for entry in self.mocks.poplar.requests(path=SUBMIT_PATH):
            if entry["path"] == SUBMIT_PATH and entry["method"] == "POST":
                body = entry.get("body")
                order_id = body.get("order_id") if isinstance(body, dict) else None
                submits[str(order_id)].append(entry)
            elif entry["path"].startswith(SUBMIT_PATH + "/"):
                edits[entry["path"].rsplit("/", 1)[-1]].append(entry)
        stored: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for order in self.mocks.poplar.orders():
            stored[order["order_id"]].append(order)
        deliveries: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for delivery in self.mocks.sopost.deliveries():
            deliveries[delivery["payload"].get("order_id")].append(delivery)
        return Snapshot(submits, edits, stored, deliveries)

    def wait(
        self, probe: Callable[[], T], timeout: float | None = None, interval: float = 0.05
    ) -> T | None:
        """Poll ``probe`` until truthy; return its last value (falsy on timeout)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            value = probe()
            if value or time.monotonic() > deadline:
                return value
            time.sleep(interval)

    def stored_ids(self) -> set[str]:
        return {order["order_id"] for order in self.mocks.poplar.orders()}

    def answered(self, order_ids: list[str], final_event: str | None = "APPROVED") -> bool:
        """Every delivery of these orders answered (or given up), final event included."""
        by_order: dict[str, list[dict[str, Any]]] = defaultdict(list)
        wanted = set(order_ids)
        for delivery in self.mocks.sopost.deliveries():
            if delivery["payload"].get("order_id") in wanted:
                by_order[delivery["payload"]["order_id"]].append(delivery)
        return all(
            (final_event is None or any(d["event"] == final_event for d in found))
            and all(d["status"] in FINAL_DELIVERY for d in found)
            for found in (by_order[o] for o in order_ids)
        )

    def wait_answered(
        self, order_ids: list[str], final_event: str = "APPROVED", timeout: float | None = None
    ) -> Snapshot:
        """Until the integration answered every delivery of these orders (final event
        included), then the settle time; the snapshot after that."""
        if not self.wait(lambda: self.answered(order_ids, final_event), timeout, 0.1):
            self.evidence["warning"] = "deliveries still unanswered after the timeout"
        time.sleep(self.settle)
        return self.snapshot()

    def wait_forwarded(
        self, order_ids: list[str], final_event: str = "APPROVED", timeout: float | None = None
    ) -> Snapshot:
        """Until every order is stored in Poplar (or the timeout), then as wait_answered."""
        self.wait(lambda: set(order_ids) <= self.stored_ids(), timeout)
        return self.wait_answered(order_ids, final_event, timeout=5.0)

    # -- verdicts ------------------------------------------------------------------------
    def record(self, snap: Snapshot, order_id: str) -> dict[str, Any]:
        stored = snap.stored.get(order_id, [])
        return {
            "order_id": order_id,
            "poplar_orders": len(stored),
            "poplar_submits": snap.submit_summary(order_id),
            "poplar_edits": len(snap.edits.get(order_id, [])),
            "deliveries": snap.delivery_summary(order_id),
        }

    def expect_once(self, snap: Snapshot, order_id: str, allow_repeats: bool = False) -> None:
        record = self.record(snap, order_id)
        self.evidence.setdefault("checked", []).append(record)
        if not snap.stored.get(order_id):
            raise ScenarioFailed(
                f"order {order_id} never reached Poplar "
                f"(submits: {record['poplar_submits'] or 'none'})"
            )
        if snap.accepted(order_id) != 1:
            raise ScenarioFailed(
                f"order {order_id} was accepted by Poplar {snap.accepted(order_id)} times"
            )
        if snap.repeats(order_id) and not allow_repeats:
            raise ScenarioFailed(
                f"order {order_id} was submitted again "
                f"{snap.repeats(order_id)} time(s) after Poplar stored it"
            )

    def expect_none(self, snap: Snapshot, order_id: str, why: str) -> None:
        record = self.record(snap, order_id)
        self.evidence.setdefault("checked", []).append(record)
        if snap.submits.get(order_id) or snap.stored.get(order_id):
            raise ScenarioFailed(
                f"order {order_id} ({why}) was sent to Poplar: {record['poplar_submits']}"
            )

    def stored_order(self, snap: Snapshot, order_id: str) -> dict[str, Any]:
        return snap.stored[order_id][0]

    def require_exec(self) -> Integration:
        if self.integration is None:
            raise ScenarioSkipped("needs --exec (the kit must be able to restart the integration)")
        return self.integration
