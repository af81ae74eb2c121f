"""Vendor failures: rate limits, 5xx, permanent 4xx, dead letters and their retry."""

from __future__ import annotations

from tests.integration.harness.harness_testkit import (
    Failure,
    make_event,
    make_order,
    rate_limited,
)
from tests.support import wait_until


def test_poplar_429_waits_for_the_reset_then_forwards_once(start_harness, sopost_fake, poplar_fake):
    fake_sopost, _ = sopost_fake
    fake_poplar, _ = poplar_fake
    harness = start_harness()
    order = fake_sopost.add(make_order())
    limit = rate_limited(seconds_from_now=0.6)
    reset = float(limit.headers["x-rate-limit-reset"])
    fake_poplar.failures.append(limit)
    event = make_event(order)
    harness.send(event)

    wait_until(lambda: fake_poplar.created[order["id"]] == 1, timeout=10)
    (_, first, _), (_, second, second_at) = fake_poplar.requests
    assert (first, second) == (429, 200)
    assert second_at >= reset  # nothing was sent before x-rate-limit-reset
    wait_until(lambda: harness.event(event["event_id"])["state"] == "done")
    assert harness.event(event["event_id"])["attempts"] == 1  # waiting is not a failed attempt


def test_poplar_500s_are_retried_until_one_order_lands(start_harness, sopost_fake, poplar_fake):
    fake_sopost, _ = sopost_fake
    fake_poplar, _ = poplar_fake
    harness = start_harness()
    order = fake_sopost.add(make_order())
    fake_poplar.failures.extend(Failure(status) for status in (500, 502, 503))
    event = make_event(order)
    harness.send(event)

    wait_until(lambda: harness.event(event["event_id"])["state"] == "done")
    assert [status for _, status, _ in fake_poplar.requests] == [500, 502, 503, 200]
    assert fake_poplar.created[order["id"]] == 1
    assert harness.event(event["event_id"])["attempts"] == 4


def test_sopost_5xx_and_429_are_retried(start_harness, sopost_fake, poplar_fake):
    fake_sopost, _ = sopost_fake
    fake_poplar, _ = poplar_fake
    harness = start_harness()
    order = fake_sopost.add(make_order())
    fake_sopost.failures.extend([Failure(500), Failure(503), rate_limited(0.2), Failure(500)])
    event = make_event(order)
    harness.send(event)

    wait_until(lambda: fake_poplar.created[order["id"]] == 1)
    assert [status for _, status in fake_sopost.requests] == [500, 503, 429, 500, 200]


def test_lost_response_is_recognised_by_poplar_409(start_harness, sopost_fake, poplar_fake):
    """Poplar stored the order but we never heard back: the retry's 409 counts as done."""
    fake_sopost, _ = sopost_fake
    fake_poplar, _ = poplar_fake
    harness = start_harness()
    order = fake_sopost.add(make_order())
    fake_poplar.orders[order["id"]] = {"order_id": order["id"]}  # landed earlier
    event = make_event(order)
    harness.send(event)

    wait_until(lambda: harness.event(event["event_id"])["state"] == "done")
    assert harness.event(event["event_id"])["reason"] == "forwarded:conflict"
    assert harness.status()["forwarded"] == 1


def test_poplar_400_is_dead_lettered_with_its_message_then_retried(
    start_harness, sopost_fake, poplar_fake
):
    fake_sopost, _ = sopost_fake
    fake_poplar, _ = poplar_fake
    harness = start_harness()
    order = fake_sopost.add(make_order())
    fake_poplar.failures.append(
        Failure(400, body={"error": {"title": "ValidationError", "message": "bad postal_code"}})
    )
    event = make_event(order)
    harness.send(event)

    wait_until(lambda: harness.status()["dead_letters"] == 1)
    letters = harness.session.get(f"{harness.url}/dead-letters").json()["dead_letters"]
    assert [(d["event_id"], d["order_id"]) for d in letters] == [(event["event_id"], order["id"])]
    assert letters[0]["reason"] == "poplar rejected (400): ValidationError: bad postal_code"
    assert len(fake_poplar.requests) == 1  # a permanent failure is not retried on its own

    missing = harness.session.post(f"{harness.url}/dead-letters/{'0' * 40}/retry")
    assert missing.status_code == 404
    retried = harness.session.post(f"{harness.url}/dead-letters/{event['event_id']}/retry")
    assert retried.status_code == 202
    wait_until(lambda: fake_poplar.created[order["id"]] == 1)
    wait_until(lambda: harness.status()["dead_letters"] == 0)


def test_unknown_order_is_dead_lettered(start_harness, sopost_fake, poplar_fake):
    _, _ = sopost_fake
    fake_poplar, _ = poplar_fake
    harness = start_harness()
    event = make_event(make_order())  # never added to SoPost
    harness.send(event)
    wait_until(lambda: harness.event(event["event_id"])["state"] == "dead")
    assert harness.event(event["event_id"])["reason"] == "sopost order not found (404)"
    assert fake_poplar.requests == []


def test_gives_up_after_max_attempts(start_harness, sopost_fake, poplar_fake):
    fake_sopost, _ = sopost_fake
    fake_poplar, _ = poplar_fake
    harness = start_harness(max_attempts=3)
    order = fake_sopost.add(make_order())
    fake_poplar.failures.extend(Failure(500) for _ in range(10))
    event = make_event(order)
    harness.send(event)

    wait_until(lambda: harness.event(event["event_id"])["state"] == "dead")
    row = harness.event(event["event_id"])
    assert row["attempts"] == 3
    assert row["reason"] == "gave up after 3 attempts: poplar server error 500"
    assert len(fake_poplar.requests) == 3


def test_wrong_sopost_credentials_dead_letter_instead_of_looping(
    start_harness, sopost_fake, poplar_fake
):
    fake_sopost, _ = sopost_fake
    harness = start_harness(sopost_api_password="wrong")
    order = fake_sopost.add(make_order())
    event = make_event(order)
    harness.send(event)
    wait_until(lambda: harness.event(event["event_id"])["state"] == "dead")
    assert harness.event(event["event_id"])["reason"].startswith("sopost rejected (401)")
