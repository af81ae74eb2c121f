"""What the flow view makes of the services' JSON: one decision per order, steps in time order."""

from __future__ import annotations

from mockkit.ui.flow import decision, flow_rows, timeline
from mockkit.ui.sources import Snapshot

ORDER = {"id": "o1", "full_name": "Ada", "short_id": "S1", "status": "APPROVED"}


def event(state: str, reason: str | None, at: float, name: str = "APPROVED", **extra) -> dict:
    return {
        "event_id": f"{name}-{at}",
        "event": name,
        "order_id": "o1",
        "state": state,
        "reason": reason,
        "attempts": 1,
        "last_error": extra.get("last_error"),
        "received_at": at,
        "updated_at": at + 0.1,
    }


def delivery(name: str, at: float, status: int = 202, copy_of: str | None = None) -> dict:
    return {
        "id": f"d-{name}-{at}",
        "event_id": f"{name}-{at if copy_of is None else copy_of}",
        "event": name,
        "payload": {"order_id": "o1", "event": name},
        "created_at": at,
        "status": "succeeded" if status < 300 else "retrying",
        "copy_of": copy_of,
        "attempts": [
            {
                "number": 1,
                "time": at + 0.01,
                "outcome": "succeeded" if status < 300 else "failed",
                "status": status,
                "latency_ms": 3.0,
            }
        ],
    }


def test_forwarded_wins_over_the_skipped_pending_event() -> None:
    events = [event("skipped", "pending", 1, "PENDING"), event("done", "forwarded:created", 2)]
    assert decision(events).text == "forwarded (created)" and decision(events).tone == "ok"


def test_a_dead_letter_and_a_retry_say_why() -> None:
    assert decision([event("dead", "Poplar rejected (400)", 1)]).text.endswith("(400)")
    working = decision([event("received", None, 1, last_error="Poplar server error 503")])
    assert working.text == "retrying: Poplar server error 503" and working.tone == "info"


def test_the_latest_skip_reason_is_shown() -> None:
    events = [event("skipped", "no_consent", 2), event("skipped", "pending", 1, "PENDING")]
    assert decision(events).text == "skipped: no_consent"


def test_rows_hold_only_orders_that_moved_and_count_redeliveries() -> None:
    quiet = {"id": "o2", "full_name": "Nobody", "status": "PENDING"}
    snap = Snapshot(
        orders=[ORDER, quiet],
        deliveries=[
            delivery("PENDING", 1),
            delivery("APPROVED", 2),
            delivery("APPROVED", 3, 202, "2"),
        ],
        events=[event("done", "forwarded:created", 2)],
        poplar_orders=[{"order_id": "o1", "received_at": 2.5}],
    )
    [row] = flow_rows(snap)
    assert row.order_id == "o1" and row.poplar.text == "stored"
    assert row.webhooks == [("PENDING", 1, 202, "ok"), ("APPROVED", 2, 202, "ok")]


def test_not_sent_when_the_harness_skipped_it() -> None:
    snap = Snapshot(orders=[ORDER], events=[event("skipped", "no_consent", 1)])
    assert flow_rows(snap)[0].poplar.text == "not sent"


def test_the_timeline_is_in_time_order_across_services() -> None:
    snap = Snapshot(
        orders=[ORDER],
        deliveries=[delivery("APPROVED", 2, 500)],
        events=[event("done", "forwarded:created", 2)],
        poplar_orders=[{"order_id": "o1", "received_at": 2.05}],
    )
    steps = timeline(snap, "o1")
    assert [s.actor for s in steps] == ["SoPost", "webhook", "Poplar", "harness"]
    assert steps[1].text == "APPROVED attempt 1: 500 in 3.0 ms" and steps[1].tone == "bad"
