"""Where the chain broke, per order of a failed MUST scenario.

The chain is: SoPost delivers each OrderEvent -> the integration answers 2xx -> it fetches
``GET /orders/{id}`` -> it submits ``POST /v1/order`` to Poplar, once. For each order the
diagnosis lists what the mocks recorded at every link and names the first link that broke as
a one-line likely cause, so a developer in any language knows where to look.
"""

from __future__ import annotations

import contextlib
from typing import Any

from contracts.client import ControlError
from contracts.context import Context
from contracts.observe import Snapshot

__all__ = ["diagnose", "findings", "render"]

MAX_ORDERS = 5


def _attempts(snap: Snapshot, order_id: str) -> list[dict[str, Any]]:
    return [
        {
            "event": d["event"],
            "delivery": d["status"],
            "attempts": [
                {
                    "status": a.get("status"),
                    "latency_ms": a.get("latency_ms"),
                    "error": a.get("error"),
                }
                for a in d["attempts"]
            ],
        }
        for d in snap.deliveries.get(order_id, [])
    ]


def _fetches(ctx: Context, order_id: str) -> list[dict[str, Any]]:
    """The integration's ``GET /orders/{id}`` calls, at the root or under ``/v1``."""
    found = []
    for path in (f"/v1/orders/{order_id}", f"/orders/{order_id}"):
        found += [
            {"path": e["path"], "status": e["status"], "verdict": e["verdict"]}
            for e in ctx.mocks.sopost.requests(path=path)
            if e["method"] == "GET" and e["path"] == path
        ]
    return found


def _submits(snap: Snapshot, order_id: str) -> list[dict[str, Any]]:
    return [
        {"status": e["status"], "verdict": e["verdict"], "why": e.get("error")}
        for e in snap.submits.get(order_id, [])
    ]


def likely_cause(
    expected: str, deliveries: list, fetches: list, submits: list, hint: str | None = None
) -> str:
    """The first broken link, in one line (``hint``: the scenario's own word on a lost order)."""
    once = expected.startswith("exactly once")
    answers = [a["status"] for d in deliveries for a in d["attempts"]]
    acked = [s for s in answers if isinstance(s, int) and 200 <= s < 300]
    accepted = [s for s in submits if 200 <= s["status"] < 300]
    if not once and submits:
        return (
            "the order was sent to Poplar although it must not be: check the order's status "
            "(APPROVED or later) and its consents (status APPROVED, the brand's data_handler) "
            "in the GET /orders/{id} answer, not the webhook's event name"
        )
    if not deliveries:
        return (
            "SoPost has not delivered a webhook for this order yet (the kit's side, or too early)"
        )
    if not acked:
        return (
            f"no delivery was answered 2xx (answers: {answers}): is the webhook path right, "
            "and is the signature checked with the base64 key after whsec_?"
        )
    if len(accepted) > 1 or (accepted and submits.index(accepted[0]) < len(submits) - 1):
        return (
            "the order was submitted again after Poplar accepted it: remember forwarded order "
            "ids durably and skip repeated events (event_id) and repeated orders (order_id)"
        )
    if hint and not accepted:
        return hint
    if not fetches:
        return (
            "the webhook was answered 2xx but the order was never fetched: is the integration "
            "skipping events it thinks it has seen?"
        )
    if fetches[-1]["status"] != 200:
        return (
            f"GET /orders/{{id}} last answered {fetches[-1]['status']} (answers: "
            f"{[f['status'] for f in fetches]}) and was not tried again: retry 5xx answers "
            "with backoff, and check the Basic credentials on 401"
        )
    if not submits:
        return (
            "the order was fetched but never sent to Poplar: an order APPROVED (or PROCESSING, "
            "DISPATCHED, DELIVERED) with an APPROVED consent of the brand's data handler "
            "must be forwarded; was it dropped after a failure, or lost in memory?"
        )
    if not accepted:
        last = submits[-1]
        why = last["why"] or "no reason given"
        return (
            f"Poplar never accepted it (last answer {last['status']}: {why}): "
            "fix the request body, or keep retrying 429/5xx answers"
        )
    return "the order reached Poplar once; the scenario's other rule failed (see the message)"


def diagnose(ctx: Context) -> list[dict[str, Any]]:
    """The chain of each of a failed scenario's problem orders (or, if none was singled
    out, each judged order), at most MAX_ORDERS."""
    problems = [o for o, v in ctx.judged.items() if v["problem"]]
    chosen = (problems or list(ctx.judged) or ctx.orders)[:MAX_ORDERS]
    if not chosen:
        return []
    snap = ctx.snapshot(chosen)
    found = []
    for order_id in chosen:
        expected = (ctx.judged.get(order_id) or {}).get("expected", "exactly once in Poplar")
        deliveries = _attempts(snap, order_id)
        fetches = _fetches(ctx, order_id)
        submits = _submits(snap, order_id)
        found.append(
            {
                "order_id": order_id,
                "expected": expected,
                "deliveries": deliveries,
                "fetched": fetches,
                "poplar": submits,
                "stored_in_poplar": len(snap.stored.get(order_id, [])),
                "likely_cause": likely_cause(expected, deliveries, fetches, submits, ctx.hint),
            }
        )
    return found


def _mentions(entry: dict[str, Any], wanted: set[str]) -> str | None:
    """The order id of ``wanted`` a journal entry is about (its body's or its path's)."""
    body = entry.get("body")
    order_id = body.get("order_id") if isinstance(body, dict) else None
    if order_id in wanted:
        return order_id
    last = entry["path"].rstrip("/").rsplit("/", 1)[-1]
    return last if last in wanted else None


def findings(ctx: Context) -> list[dict[str, Any]]:
    """Requests about the scenario's orders that a mock served with a warning (journal
    verdict ``warning``, ``X-Mockkit-Warning``): they broke a rule of the vendor's API that is
    only assumed, so the real API may refuse them. ``--strict`` makes them failures."""
    wanted = set(ctx.orders)
    if not wanted or ctx.poplar_log is None:
        return []
    entries = [("poplar", e) for e in ctx.poplar_log.entries() if e["verdict"] == "warning"]
    # A mock that predates assumed-rule warnings refuses the filter, and has none to give.
    with contextlib.suppress(ControlError):
        entries += [("sopost", e) for e in ctx.mocks.sopost.requests(verdict="warning")]
    found = []
    for mock, entry in entries:
        order_id = _mentions(entry, wanted)
        if order_id is None:
            continue
        for text in entry.get("warnings") or [entry.get("error") or "an assumed rule"]:
            found.append(
                {
                    "mock": mock,
                    "request": f"{entry['method']} {entry['path']}",
                    "order_id": order_id,
                    "finding": text,
                }
            )
    return found


def render(diagnosis: list[dict[str, Any]]) -> list[str]:
    """The diagnosis as indented text lines (terminal and JUnit)."""
    lines = []
    for item in diagnosis:
        lines.append(f"order {item['order_id']}: expected {item['expected']}")
        for d in item["deliveries"] or [{"event": "-", "delivery": "none", "attempts": []}]:
            tries = ", ".join(
                f"{a['status'] or a['error']} in {a['latency_ms'] or 0:.0f} ms"
                for a in d["attempts"]
            )
            lines.append(f"  webhook {d['event']}: {d['delivery']} ({tries or 'no attempt'})")
        fetched = item["fetched"]
        lines.append(
            "  GET /orders/{id}: "
            + (", ".join(str(f["status"]) for f in fetched) if fetched else "never called")
        )
        submits = item["poplar"]
        lines.append(
            "  Poplar POST /v1/order: "
            + (
                "; ".join(
                    f"{s['status']} {s['verdict']}" + (f" ({s['why']})" if s["why"] else "")
                    for s in submits
                )
                if submits
                else "nothing received"
            )
            + f"; stored {item['stored_in_poplar']}x"
        )
        lines.append(f"  likely cause: {item['likely_cause']}")
    return lines
