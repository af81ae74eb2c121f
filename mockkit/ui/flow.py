"""From a snapshot of the three services to what the flow view shows: rows and timelines.

Pure functions over the services' JSON, so the page, the demo's terminal view and the tests
read one account of each order. An order appears once SoPost has sent a webhook for it or the
harness knows it; seeded orders that never changed stay out of the way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from mockkit.ui.sources import Snapshot

__all__ = ["Decision", "FlowRow", "Step", "decision", "flow_rows", "timeline"]


@dataclass(frozen=True)
class Step:
    """One thing that happened to an order; ``tone`` is ok, warn, bad, info or ''."""

    time: float
    actor: str  # SoPost, webhook, harness, Poplar
    text: str
    tone: str = ""


@dataclass(frozen=True)
class Decision:
    text: str
    tone: str


@dataclass
class FlowRow:
    order_id: str
    name: str
    short_id: str
    status: str
    first_seen: float
    # event name -> (deliveries, the last attempt's HTTP status or None, tone)
    webhooks: list[tuple[str, int, int | None, str]] = field(default_factory=list)
    decision: Decision = Decision("waiting for a webhook", "")
    poplar: Decision = Decision("—", "")


def decision(events: list[dict[str, Any]]) -> Decision:
    """What the harness made of an order, from its events (any order)."""
    forwarded = [e for e in events if (e.get("reason") or "").startswith("forwarded:")]
    if forwarded:
        return Decision(f"forwarded ({forwarded[0]['reason'].split(':', 1)[1]})", "ok")
    dead = [e for e in events if e["state"] == "dead"]
    if dead:
        return Decision(f"dead letter: {dead[0]['reason']}", "bad")
    working = [e for e in events if e["state"] in ("received", "processing")]
    if working:
        error = working[0].get("last_error")
        return Decision(f"retrying: {error}" if error else "working on it", "info")
    skipped = sorted((e for e in events if e["state"] == "skipped"), key=lambda e: e["updated_at"])
    if skipped:
        return Decision(f"skipped: {skipped[-1]['reason']}", "warn")
    done = [e for e in events if e["state"] == "done"]
    if done:  # e.g. a later event of an order forwarded before this run's inbox (already_forwarded)
        return Decision((done[0]["reason"] or "done").replace("_", " "), "ok")
    return Decision("waiting for a webhook", "")


def _poplar(order_id: str, stored: dict[str, dict[str, Any]], harness: Decision) -> Decision:
    if order_id in stored:
        return Decision("stored", "ok")
    if harness.tone in ("warn", "bad"):
        return Decision("not sent", harness.tone)
    return Decision("—", "")


def _webhooks(deliveries: list[dict[str, Any]]) -> list[tuple[str, int, int | None, str]]:
    by_event: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for delivery in deliveries:
        by_event[delivery["event_id"]].append(delivery)
    out = []
    for group in by_event.values():
        last = group[-1]
        status = last["attempts"][-1].get("status") if last["attempts"] else None
        tone = {"succeeded": "ok", "failed": "bad", "blocked": "bad", "retrying": "warn"}
        out.append((last["event"], len(group), status, tone.get(last["status"], "info")))
    return out


def flow_rows(snap: Snapshot, limit: int = 100) -> list[FlowRow]:
    """One row per order that has moved, newest first."""
    deliveries: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for delivery in snap.deliveries:
        deliveries[delivery["payload"].get("order_id", "")].append(delivery)
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in snap.events:
        events[event["order_id"]].append(event)
    stored = {o["order_id"]: o for o in snap.poplar_orders}
    rows = []
    for order in snap.orders:
        order_id = order["id"]
        if order_id not in deliveries and order_id not in events:
            continue
        times = [d.get("created_at") or 0 for d in deliveries[order_id]]
        times += [e["received_at"] for e in events[order_id]]
        harness = decision(events[order_id])
        rows.append(
            FlowRow(
                order_id=order_id,
                name=order.get("full_name") or "",
                short_id=order.get("short_id") or "",
                status=order.get("status", ""),
                first_seen=min(times),
                webhooks=_webhooks(deliveries[order_id]),
                decision=harness,
                poplar=_poplar(order_id, stored, harness),
            )
        )
    rows.sort(key=lambda row: row.first_seen, reverse=True)
    return rows[:limit]


def timeline(snap: Snapshot, order_id: str) -> list[Step]:
    """Every status change, delivery attempt, harness decision and Poplar order, in time order."""
    steps: list[Step] = []
    changes: dict[str, float] = {}
    for delivery in snap.deliveries:
        if delivery["payload"].get("order_id") != order_id:
            continue
        created = delivery.get("created_at") or 0
        if delivery["event_id"] not in changes:
            changes[delivery["event_id"]] = created
            steps.append(Step(created, "SoPost", f"status {delivery['event']}", "info"))
        kind = "redelivery" if delivery.get("copy_of") else "webhook"
        for attempt in delivery["attempts"]:
            answer = attempt.get("status") or attempt.get("error") or attempt["outcome"]
            latency = attempt.get("latency_ms")
            text = f"{delivery['event']} attempt {attempt['number']}: {answer}"
            if latency is not None:
                text += f" in {latency:.1f} ms"
            tone = "ok" if attempt["outcome"] == "succeeded" else "bad"
            steps.append(Step(attempt["time"], kind, text, tone))
    for event in snap.events:
        if event["order_id"] != order_id:
            continue
        one = decision([event])
        text = f"{event['event']}: {one.text} (attempt {event['attempts']})"
        steps.append(Step(event["updated_at"], "harness", text, one.tone))
    for stored in snap.poplar_orders:
        if stored["order_id"] == order_id:
            steps.append(Step(stored["received_at"], "Poplar", "order stored", "ok"))
    steps.sort(key=lambda step: step.time)
    return steps
