"""Webhook dispatcher against a fake sender: retries on the mock clock, blocking, faults."""

from __future__ import annotations

import json
import socket

import pytest
from standardwebhooks.webhooks import Webhook

from mocks.core.clock import ManualClock, Scheduler
from mocks.core.faults import Faults
from mocks.core.ids import IdSource
from mocks.core.webhook_targets import TargetPolicy
from mocks.core.webhooks import DEFAULT_RETRY_SCHEDULE, Dispatcher, Message

SECRET = IdSource(1).webhook_secret()


class FakeSender:
    """Answers from a script of statuses (or exceptions), recording every call."""

    def __init__(self, *script: int | Exception) -> None:
        self.script = list(script)
        self.calls: list[tuple[str, bytes, dict[str, str]]] = []

    def __call__(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        self.calls.append((url, body, headers))
        outcome = self.script.pop(0) if self.script else 200
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def make(sender: FakeSender, faults: Faults | None = None) -> tuple[Dispatcher, Scheduler]:
    scheduler = Scheduler(ManualClock(start=1_000_000))
    policy = TargetPolicy(resolve=no_dns)
    return Dispatcher(scheduler, faults or Faults(), sender=sender, policy=policy), scheduler


def send(
    dispatcher: Dispatcher,
    url: str = "http://127.0.0.1:9/hook",
    event: str = "APPROVED",
    event_id: str = "a" * 40,
):
    payload = {"event_id": event_id, "event": event, "order_id": "o", "activity_id": "a"}
    return dispatcher.enqueue(Message("sub", url, SECRET, event_id, event, payload))


def test_success_on_first_attempt() -> None:
    sender = FakeSender(204)
    dispatcher, _ = make(sender)
    delivery = send(dispatcher)
    dispatcher.process_ready()
    assert delivery.status == "succeeded"
    assert [a.status for a in delivery.attempts] == [204]


def test_retries_follow_the_schedule_on_the_mock_clock() -> None:
    sender = FakeSender(500, ConnectionError("refused"), 503, 200)
    dispatcher, scheduler = make(sender)
    delivery = send(dispatcher)
    dispatcher.process_ready()
    assert delivery.status == "retrying"
    for wait in DEFAULT_RETRY_SCHEDULE[1:4]:
        scheduler.advance(wait - 0.001)
        assert dispatcher.process_ready() == 0  # not due yet
        scheduler.advance(0.001)
        assert dispatcher.process_ready() == 1
    assert [a.outcome for a in delivery.attempts] == ["failed", "error", "failed", "succeeded"]
    assert delivery.status == "succeeded"


def test_gives_up_after_the_last_scheduled_attempt() -> None:
    sender = FakeSender(*[500] * 20)
    dispatcher, scheduler = make(sender)
    delivery = send(dispatcher)
    for _ in range(len(DEFAULT_RETRY_SCHEDULE) + 2):
        dispatcher.process_ready()
        scheduler.advance(40_000)
    assert delivery.status == "failed"
    assert len(delivery.attempts) == len(DEFAULT_RETRY_SCHEDULE)


def test_non_loopback_targets_are_blocked_and_never_contacted() -> None:
    sender = FakeSender()
    dispatcher, _ = make(sender)
    delivery = send(dispatcher, url="https://example.com/hook")
    dispatcher.process_ready()
    assert delivery.status == "blocked" and sender.calls == []


def no_dns(host: str, port: int) -> list[str]:
    raise socket.gaierror(socket.EAI_NONAME, f"{host}: no DNS in unit tests")


@pytest.mark.parametrize(
    ("url", "allowed", "sent"),
    [
        ("http://127.0.0.1:8/x", (), True),
        ("http://127.9.9.9/x", (), True),
        ("http://[::1]:8/x", (), True),
        ("http://localhost/x", (), True),
        ("http://10.0.0.1/x", (), False),
        ("http://example.com/x", (), False),
        ("http://127.0.0.1.nip.io/x", (), False),
        ("http://example.com/x", ("example.com",), False),  # allowed, but it must resolve
        ("http://[::1/x", (), False),
        # The old rule read this with urlsplit ("...\.localhost": trusted); the sender's
        # parser reads example.invalid, so it is blocked before any lookup.
        (r"http://example.invalid\.localhost/", (), False),
        ("http://user@127.0.0.1/x", (), False),
    ],
)
def test_the_dispatcher_sends_only_where_the_target_policy_allows(
    url: str, allowed: tuple[str, ...], sent: bool
) -> None:
    sender = FakeSender()
    scheduler = Scheduler(ManualClock(start=1_000_000))
    policy = TargetPolicy(allowed, resolve=no_dns)
    dispatcher = Dispatcher(scheduler, Faults(), sender=sender, policy=policy)
    delivery = send(dispatcher, url=url)
    dispatcher.process_ready()
    assert (len(sender.calls) == 1) is sent
    assert (delivery.status == "blocked") is not sent


def test_deliveries_are_signed_with_standard_webhooks() -> None:
    sender = FakeSender(200)
    dispatcher, _ = make(sender)
    send(dispatcher)
    dispatcher.process_ready()
    _, body, headers = sender.calls[0]
    assert Webhook(SECRET).verify(body, headers) == json.loads(body)
    assert headers["webhook-id"] == "a" * 40


def test_duplicate_fault_sends_extra_copies_with_the_same_event_id() -> None:
    faults = Faults()
    faults.add(scope="delivery", event="APPROVED", duplicate=2, times=1)
    sender = FakeSender()
    dispatcher, _ = make(sender, faults)
    send(dispatcher)
    send(dispatcher, event_id="b" * 40)
    dispatcher.process_ready()
    ids = [json.loads(body)["event_id"] for _, body, _ in sender.calls]
    assert ids == ["a" * 40] * 3 + ["b" * 40]


def test_delay_fault_holds_the_delivery_on_the_mock_clock() -> None:
    faults = Faults()
    faults.add(scope="delivery", event="*", delay_ms=5000)
    sender = FakeSender()
    dispatcher, scheduler = make(sender, faults)
    send(dispatcher)
    assert dispatcher.process_ready() == 0
    scheduler.advance(5)
    assert dispatcher.process_ready() == 1


def test_reorder_fault_sends_the_held_delivery_after_the_next_one() -> None:
    faults = Faults()
    faults.add(scope="delivery", event="PENDING", reorder=True, times=1)
    sender = FakeSender()
    dispatcher, _ = make(sender, faults)
    send(dispatcher, event="PENDING", event_id="1" * 40)
    send(dispatcher, event="APPROVED", event_id="2" * 40)
    dispatcher.process_ready()
    assert [json.loads(b)["event"] for _, b, _ in sender.calls] == ["APPROVED", "PENDING"]


def test_redeliver_sends_the_same_event_again() -> None:
    sender = FakeSender()
    dispatcher, _ = make(sender)
    first = send(dispatcher)
    dispatcher.process_ready()
    again = dispatcher.redeliver(first.id)
    dispatcher.process_ready()
    assert again is not None and again.copy_of == first.id and again.status == "succeeded"
    assert len(sender.calls) == 2
