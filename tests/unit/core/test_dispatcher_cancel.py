"""Deleting a subscription cancels every delivery still due to it: nothing arrives after."""

from __future__ import annotations

from mocks.core.faults import Faults
from tests.support import organisation_subscription
from tests.unit.core.test_dispatcher import FakeSender, make, send


def test_queued_delayed_held_and_retrying_deliveries_are_all_cancelled() -> None:
    faults = Faults()
    sender = FakeSender(*[500] * 50)
    dispatcher, scheduler = make(sender, faults)
    retrying = send(dispatcher, event_id="1" * 40)
    dispatcher.process_ready()
    assert retrying.status == "retrying"
    queued = send(dispatcher, event_id="2" * 40)
    faults.add(scope="delivery", event="DELAYED", delay_ms=1000, times=1)
    delayed = send(dispatcher, event="DELAYED", event_id="3" * 40)
    faults.add(scope="delivery", event="HELD", reorder=True, times=1)
    held = send(dispatcher, event="HELD", event_id="4" * 40)
    calls = len(sender.calls)

    assert dispatcher.cancel("sub") == 4
    for _ in range(5):
        scheduler.advance(40_000)
        dispatcher.process_ready()
    assert len(sender.calls) == calls  # not one more attempt
    for delivery in (retrying, queued, delayed, held):
        assert (delivery.status, delivery.next_attempt_at) == ("cancelled", None)


def test_an_attempt_in_flight_when_cancelled_is_not_retried() -> None:
    dispatcher, scheduler = make(FakeSender())

    def cancel_then_fail(url: str, body: bytes, headers: dict, timeout: float) -> int:
        dispatcher.cancel("sub")  # the subscription is deleted while this POST is out
        return 500

    dispatcher.sender = cancel_then_fail
    delivery = send(dispatcher)
    dispatcher.process_ready()
    scheduler.advance(40_000)
    assert dispatcher.process_ready() == 0
    assert delivery.status == "cancelled" and len(delivery.attempts) == 1


def test_other_subscriptions_and_finished_deliveries_are_untouched() -> None:
    sender = FakeSender(200)
    dispatcher, _ = make(sender)
    done = send(dispatcher)
    dispatcher.process_ready()
    assert dispatcher.cancel("sub") == 0 and done.status == "succeeded"
    assert dispatcher.cancel("someone-else") == 0


def test_deleting_a_sopost_webhook_stops_its_retries(sopost, sopost_app) -> None:
    mock = sopost_app.extensions["mockkit"]
    mock.dispatcher.sender = FakeSender(*[503] * 50)
    subscription = sopost.post("/webhooks", json=organisation_subscription()).get_json()
    sopost.post("/_mock/orders", json={"outcome": "PENDING"})
    mock.dispatcher.process_ready()
    [delivery] = sopost.get("/_mock/deliveries").get_json()["deliveries"]
    assert delivery["status"] == "retrying"

    assert sopost.delete(f"/webhooks/{subscription['id']}").status_code == 204
    sopost.post("/_mock/clock/advance", json={"seconds": 86_400})
    assert mock.dispatcher.process_ready() == 0
    [delivery] = sopost.get("/_mock/deliveries").get_json()["deliveries"]
    assert delivery["status"] == "cancelled" and len(delivery["attempts"]) == 1
    listed = sopost.get("/_mock/deliveries", query_string={"status": "cancelled"})
    assert len(listed.get_json()["deliveries"]) == 1
