"""What the mocks recorded, read the way concurrent scenarios need it.

Every scenario of a run polls "has my order reached Poplar yet?" many times a second, at the
same time as the others. :class:`PoplarLog` reads Poplar's request journal once per interval
and only for new entries (``since_id``), and every scenario shares that one read.
:class:`Snapshot` is one scenario's view of its own orders, the evidence it is judged by.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from contracts.client import PoplarControl, SoPostControl

__all__ = ["FINAL_DELIVERY", "SUBMIT_PATH", "PoplarLog", "Snapshot", "deliveries_of"]

SUBMIT_PATH = "/v1/order"
FINAL_DELIVERY = ("succeeded", "failed", "blocked")
FEW_ORDERS = 4  # up to this many: ask SoPost for each order's deliveries, else for all


def deliveries_of(sopost: SoPostControl, order_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """SoPost's delivery log of these orders, by order id."""
    wanted = set(order_ids)
    every = (
        [d for o in wanted for d in sopost.deliveries(order_id=o)]
        if len(wanted) <= FEW_ORDERS
        else sopost.deliveries()
    )
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for delivery in every:
        order_id = delivery["payload"].get("order_id")
        if order_id in wanted:
            found[order_id].append(delivery)
    return found


def _accepted(entry: dict[str, Any]) -> bool:
    return 200 <= entry["status"] < 300


class PoplarLog:
    """Poplar's journal, grouped by the SoPost order id each submit names."""

    def __init__(self, poplar: PoplarControl, interval: float = 0.05) -> None:
        self.poplar = poplar
        self.interval = interval
        self._lock = threading.Lock()
        self._last_id = 0
        self._read_at = float("-inf")
        self._entries: list[dict[str, Any]] = []
        self._submits: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._edits: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def refresh(self, force: bool = False) -> None:
        with self._lock:
            if not force and time.monotonic() - self._read_at < self.interval:
                return
            new = self.poplar.requests(since_id=self._last_id)
            self._read_at = time.monotonic()
            for entry in new:
                self._last_id = max(self._last_id, entry["id"])
                self._entries.append(entry)
                path = entry["path"]
                if path == SUBMIT_PATH and entry["method"] == "POST":
                    body = entry.get("body")
                    order_id = body.get("order_id") if isinstance(body, dict) else None
                    self._submits[str(order_id)].append(entry)
                elif path.startswith(SUBMIT_PATH + "/"):
                    self._edits[path.rsplit("/", 1)[-1]].append(entry)

    def submits(self, order_id: str) -> list[dict[str, Any]]:
        self.refresh()
        with self._lock:
            return list(self._submits.get(order_id, []))

    def edits(self, order_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._edits.get(order_id, []))

    def accepted(self, order_ids: set[str]) -> set[str]:
        """Which of these orders Poplar accepted (2xx) at least once."""
        self.refresh()
        with self._lock:
            return {o for o in order_ids if any(_accepted(e) for e in self._submits.get(o, []))}

    def troubled(self, order_ids: set[str], forbidden: set[str]) -> set[str]:
        """Orders whose verdict is already certain to be a failure: accepted more than once,
        submitted again after being accepted, or forbidden and submitted at all."""
        self.refresh()
        with self._lock:
            found = set()
            for order_id in order_ids | forbidden:
                entries = self._submits.get(order_id, [])
                if order_id in forbidden and entries:
                    found.add(order_id)
                first = next((i for i, e in enumerate(entries) if _accepted(e)), None)
                if first is not None and len(entries) > first + 1:
                    found.add(order_id)
            return found

    def entries(self) -> list[dict[str, Any]]:
        self.refresh(force=True)
        with self._lock:
            return list(self._entries)


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
        return sum(1 for e in self.submits.get(order_id, []) if _accepted(e))

    def repeats(self, order_id: str) -> int:
        """Submits after the first accepted one (Poplar answers 409: a duplicate order)."""
        entries = self.submits.get(order_id, [])
        first = next((i for i, e in enumerate(entries) if _accepted(e)), None)
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
