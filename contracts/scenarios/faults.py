"""Failure handling (429, 5xx on both sides, slow Poplar) and what reached Poplar's API."""

from __future__ import annotations

import functools
import math
import time
from typing import Any

import jsonschema_rs

from contracts.context import Context, ScenarioFailed
from contracts.observe import SUBMIT_PATH
from contracts.scenarios import scenario
from mocks.core.spec import load_spec

ACK_TIMEOUT_MS = 10_000  # SoPost's delivery timeout (the mock's webhook_timeout)
ACK_FAST_MS = 1_000
SLOW_POPLAR_MS = 1_500  # longer than ACK_FAST_MS, so work done inside the webhook shows
REDACTED = "[redacted]"


def _rate_limited(ctx: Context) -> dict[str, Any]:
    """One order whose first Poplar submit gets 429 with a reset 1-2 s ahead (run once)."""
    return ctx.once("rate-limit", lambda: _rate_limit_run(ctx))


def _rate_limit_run(ctx: Context) -> dict[str, Any]:
    # Approved only now, so the reset is 1.5-2.5 s after the first submit can come.
    order = ctx.create_order(outcome="PENDING")
    ctx.wait_answered([order["id"]], "PENDING", timeout=5)
    reset = math.ceil(time.time() + 1.5)
    ctx.add_fault(
        "poplar",
        where={"order_id": order["id"]},
        method="POST",
        path=SUBMIT_PATH,
        status=429,
        times=1,
        headers={"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"},
    )
    ctx.mocks.sopost.transition(order["id"], "APPROVED")
    snap = ctx.wait_forwarded([order["id"]])
    entries = snap.submits.get(order["id"], [])
    return {"order": order, "snap": snap, "reset": reset, "times": [e["time"] for e in entries]}


@scenario(
    7,
    "rate-limit",
    "MUST",
    "Poplar answers 429 (with a reset header), then recovers: one Poplar order",
)
def rate_limit(ctx: Context) -> None:
    result = _rate_limited(ctx)
    ctx.expect_once(result["snap"], result["order"]["id"])


@scenario(7, "rate-limit-wait", "SHOULD", "After a 429, no retry before x-rate-limit-reset")
def rate_limit_wait(ctx: Context) -> None:
    result = _rate_limited(ctx)
    times, reset = result["times"], result["reset"]
    ctx.evidence.update(
        {"orders": [result["order"]["id"]], "x_rate_limit_reset": reset, "submit_times": times}
    )
    early = [t for t in times[1:] if t < reset - 0.05]
    if early:
        raise ScenarioFailed(
            f"{len(early)} submit(s) retried before the reset time ({reset - early[0]:.2f} s early)"
        )
    if len(times) < 2:
        raise ScenarioFailed("the 429 was never retried")


@scenario(8, "poplar-5xx", "MUST", "Poplar answers 500 four times, then recovers: one order")
def poplar_5xx(ctx: Context) -> None:
    fields = ctx.order_fields()
    mine = {"order_id": fields["id"]}
    ctx.add_fault("poplar", method="POST", path=SUBMIT_PATH, status=500, times=4, where=mine)
    order = ctx.create_order(**fields)
    ctx.expect_once(ctx.wait_forwarded([order["id"]]), order["id"])


@scenario(
    9,
    "sopost-5xx",
    "MUST",
    "SoPost's GET /orders/{id} answers 503 four times, then recovers: one order",
)
def sopost_5xx(ctx: Context) -> None:
    order = ctx.create_order(outcome="PENDING")
    ctx.wait_answered([order["id"]], "PENDING", timeout=5)
    ctx.add_fault("sopost", method="GET", path=f"**/orders/{order['id']}", status=503, times=4)
    ctx.mocks.sopost.transition(order["id"], "APPROVED")
    ctx.expect_once(ctx.wait_forwarded([order["id"]]), order["id"])
    ctx.evidence["sopost_faults"] = ctx.mocks.sopost.faults()


def _slow_poplar(ctx: Context) -> dict[str, Any]:
    """One order forwarded while Poplar is slow; its delivery log (run once)."""
    return ctx.once("slow-poplar", lambda: _slow_poplar_run(ctx))


def _slow_poplar_run(ctx: Context) -> dict[str, Any]:
    fields = ctx.order_fields()
    slow = {"method": "POST", "path": SUBMIT_PATH, "latency_ms": SLOW_POPLAR_MS, "times": 3}
    ctx.add_fault("poplar", **slow, where={"order_id": fields["id"]})
    order = ctx.create_order(**fields)
    return {"order": order, "snap": ctx.wait_forwarded([order["id"]])}


def _ack_check(ctx: Context, limit_ms: float) -> None:
    result = _slow_poplar(ctx)
    order_id = result["order"]["id"]
    deliveries = result["snap"].delivery_summary(order_id)
    ctx.evidence.update(
        {"orders": [order_id], "deliveries": deliveries, "poplar_latency_ms": SLOW_POPLAR_MS}
    )
    if not deliveries:
        raise ScenarioFailed("no delivery was made (is the webhook subscribed?)")
    unanswered = [d["event"] for d in deliveries if d["status"] != "succeeded"]
    if unanswered:
        raise ScenarioFailed(
            f"{len(unanswered)} delivery(ies) never answered 2xx, e.g. "
            f"{unanswered[0]}: {deliveries[0]['responses'] or 'no answer yet'}"
        )
    slow = [
        (d["event"], status, latency)
        for d in deliveries
        for status, latency in zip(d["responses"], d["latency_ms"], strict=False)
        if not (isinstance(status, int) and 200 <= status < 300 and latency <= limit_ms)
    ]
    if slow:
        event, status, latency = slow[0]
        raise ScenarioFailed(
            f"{len(slow)} delivery attempt(s) not answered 2xx within "
            f"{limit_ms / 1000:g} s, e.g. {event}: {status} after "
            f"{latency:.0f} ms"
        )


@scenario(
    10,
    "ack-timeout",
    "MUST",
    "Every delivery is answered 2xx within SoPost's 10 s timeout while Poplar is slow",
)
def ack_within_timeout(ctx: Context) -> None:
    _ack_check(ctx, ACK_TIMEOUT_MS)


@scenario(
    10,
    "ack-fast",
    "SHOULD",
    "Every delivery is answered 2xx within 1 s while Poplar "
    "is slow (work is queued, not done in the webhook request)",
)
def ack_fast(ctx: Context) -> None:
    _ack_check(ctx, ACK_FAST_MS)


@scenario(
    14,
    "custom-questions",
    "MUST",
    "Many custom questions with long answers: the order "
    "still arrives, within Poplar's metadata limits",
)
def custom_questions(ctx: Context) -> None:
    questions = [
        {
            "question_id": f"q{i:02d}-" + "x" * (50 if i % 3 == 0 else 8),
            "question_text": f"Question {i}: " + "why? " * 40,
            "answer": [
                {"answer_id": f"a{i}-{j}", "answer_text": f"answer {j} " * 40}
                for j in range(1 + i % 3)
            ],
        }
        for i in range(15)
    ]
    order = ctx.create_order(custom_questions=questions)
    snap = ctx.wait_forwarded([order["id"]])
    ctx.expect_once(snap, order["id"])
    metadata = ctx.stored_order(snap, order["id"]).get("metadata") or {}
    ctx.evidence["poplar_metadata_keys"] = len(metadata)
    if len(metadata) > 10 or any(len(k) > 40 or len(str(v)) > 200 for k, v in metadata.items()):
        raise ScenarioFailed("Poplar stored metadata beyond its documented limits")


@functools.cache
def _order_request_validator() -> Any:
    components = load_spec("poplar").document["components"]
    return jsonschema_rs.Draft202012Validator(
        {"$ref": "#/components/schemas/OrderRequest", "components": components},
        validate_formats=True,
    )


def _problem(entry: dict[str, Any]) -> str | None:
    """Why a Poplar journal entry shows an invalid request, or None."""
    if entry["verdict"] in ("invalid", "unmatched"):
        return entry.get("error") or f"answered {entry['status']}"
    if entry["verdict"] == "rejected" and entry["status"] in (401, 403):
        return entry.get("error") or "authentication refused"
    if entry["verdict"] == "fault" and entry["method"] == "POST" and entry["path"] == SUBMIT_PATH:
        body = entry.get("body")
        if isinstance(body, dict) and body.get("customer_email") == REDACTED:
            body = {**body, "customer_email": "redacted@example.com"}  # the journal hides it
        errors = (
            [
                f"{e.instance_path}: {e.message}"
                for e in _order_request_validator().iter_errors(body)
            ]
            if body is not None
            else ["no JSON body"]
        )
        return "; ".join(errors[:3]) or None
    return None


@scenario(
    13,
    "poplar-valid",
    "MUST",
    "Every request the integration sent to Poplar during "
    "the run is valid against openapi/poplar.yaml",
    runs_last=True,
)
def poplar_valid(ctx: Context) -> None:
    journal = ctx.poplar_log.entries()
    if not journal:  # run alone: give the integration something to send
        order = ctx.create_order()
        ctx.wait_forwarded([order["id"]])
        journal = ctx.poplar_log.entries()
    bad = [(entry, why) for entry in journal if (why := _problem(entry))]
    ctx.evidence.update(
        {
            "poplar_requests": len(journal),
            "invalid": [
                {
                    "method": e["method"],
                    "path": e["path"],
                    "status": e["status"],
                    "why": why,
                    "order_id": (e.get("body") or {}).get("order_id")
                    if isinstance(e.get("body"), dict)
                    else None,
                }
                for e, why in bad[:20]
            ],
        }
    )
    if bad:
        entry, why = bad[0]
        raise ScenarioFailed(
            f"{len(bad)} of {len(journal)} Poplar requests were invalid, "
            f"e.g. {entry['method']} {entry['path']}: {why}"
        )
