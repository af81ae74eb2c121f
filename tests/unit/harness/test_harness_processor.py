"""harness.processor.Processor: one event's decision, with stub vendors and a manual clock."""

from __future__ import annotations

import json
import logging
from collections import deque
from pathlib import Path
from typing import Any

import pytest

from harness.backoff import Backoff
from harness.clients import Conflict, PermanentError, RateLimited, TransientError
from harness.logs import JsonFormatter
from harness.policy import ConsentPolicy
from harness.processor import Processor
from harness.sqlite_store import SqliteStore
from harness.store import NewEvent

ORDER_ID = "53e477dc-f27e-45ba-958a-d23f9cb85741"
EMAIL = "Private.Person@example.com"


def order(status: str = "APPROVED", consents: Any = None) -> dict[str, Any]:
    return {
        "id": ORDER_ID,
        "short_id": "9999ABCDEFG",
        "activity_id": "932c6eba-6fc5-4e41-9ea9-5fd2fe950b25",
        "address": {"line_1": "1 Road", "town": "Bath", "territory": "GBR", "postcode": "BA1"},
        "full_name": "Pat Person",
        "email": EMAIL,
        "identity": "id-1",
        "line_items": [{"stock_partition_id": "sp-1"}],
        "status": status,
        "consents": [{"consent_id": "c", "data_handler": "SoPost", "status": "APPROVED"}]
        if consents is None
        else consents,
        "custom_questions": [],
    }


class Stub:
    """Answers queued outcomes in order: a dict/str is returned, an exception is raised."""

    def __init__(self) -> None:
        self.outcomes: deque[Any] = deque()
        self.calls: list[Any] = []

    def _next(self, arg: Any) -> Any:
        self.calls.append(arg)
        outcome = self.outcomes.popleft()
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    get_order = _next
    submit_order = _next


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def env(tmp_path: Path):
    store = SqliteStore(str(tmp_path / "p.db"))
    sopost, poplar, clock = Stub(), Stub(), Clock()
    processor = Processor(
        store, sopost, poplar, ConsentPolicy.of(),
        backoff=Backoff(1.0, 60.0), max_attempts=3, clock=clock,
    )  # fmt: skip
    yield store, sopost, poplar, clock, processor
    store.close()


def claim(store: SqliteStore, clock: Clock, n: int = 1):
    store.add(NewEvent(f"{n:040x}", "APPROVED", ORDER_ID, "a", "{}"), clock.now)
    return store.claim(clock.now, 60.0, f"t{n}")


def test_forward_records_order_and_posts_mapped_body(env) -> None:
    store, sopost, poplar, clock, processor = env
    sopost.outcomes.append(order())
    poplar.outcomes.append("poplar-id")
    assert processor.process(claim(store, clock)) == "forwarded"
    [body] = poplar.calls
    assert body["order_id"] == ORDER_ID
    assert EMAIL.lower() not in json.dumps(body).lower()
    assert store.is_forwarded(ORDER_ID)


def test_an_order_forwarded_while_its_next_event_waited_is_not_fetched_again(env) -> None:
    store, sopost, poplar, clock, processor = env
    sopost.outcomes.append(order())
    poplar.outcomes.append(None)
    first = claim(store, clock, 1)
    # Arrives while the first is being forwarded: stored for a worker, held by the order.
    store.add(NewEvent(f"{2:040x}", "PROCESSING", ORDER_ID, "a", "{}"), clock.now)
    assert store.claim(clock.now, 60.0, "t2") is None
    processor.process(first)
    assert processor.process(store.claim(clock.now, 60.0, "t2")) == "already_forwarded"
    assert len(sopost.calls) == 1 and len(poplar.calls) == 1
    assert store.event(f"{2:040x}")["reason"] == "already_forwarded"


def test_conflict_counts_as_forwarded(env) -> None:
    store, sopost, poplar, clock, processor = env
    sopost.outcomes.append(order())
    poplar.outcomes.append(Conflict("poplar conflict (409)", 409))
    event = claim(store, clock)
    assert processor.process(event) == "forwarded"
    assert store.event(event.event_id)["reason"] == "forwarded:conflict"


def test_transient_failures_back_off_then_dead_letter(env) -> None:
    store, sopost, _poplar, clock, processor = env
    sopost.outcomes.extend(TransientError("sopost server error 500", 500) for _ in range(3))
    event = claim(store, clock)
    assert processor.process(event) == "retry"
    row = store.event(event.event_id)
    assert 1_000.5 <= row["next_attempt_at"] <= 1_001.0  # attempt 1: 0.5-1 s
    clock.now = row["next_attempt_at"]
    event = store.claim(clock.now, 60.0, "t")
    assert processor.process(event) == "retry"
    row = store.event(event.event_id)
    assert clock.now + 1.0 <= row["next_attempt_at"] <= clock.now + 2.0  # attempt 2: 1-2 s
    clock.now = row["next_attempt_at"]
    event = store.claim(clock.now, 60.0, "t")
    assert processor.process(event) == "dead"
    assert store.event(event.event_id)["reason"] == (
        "gave up after 3 attempts: sopost server error 500"
    )


def test_rate_limit_defers_until_reset_and_gates_other_events(env) -> None:
    store, sopost, poplar, clock, processor = env
    sopost.outcomes.extend([order(), order()])
    poplar.outcomes.append(RateLimited("poplar rate limited (429)", retry_at=1_030.0))
    first = claim(store, clock, 1)
    assert processor.process(first) == "deferred"
    row = store.event(first.event_id)
    assert (row["next_attempt_at"], row["attempts"]) == (1_030.0, 0)
    # Another event of a different order would not even call Poplar before the reset.
    store.add(NewEvent(f"{2:040x}", "APPROVED", "other-order", "a", "{}"), clock.now)
    second = store.claim(clock.now, 60.0, "t2")
    sopost.outcomes.appendleft({**order(), "id": "other-order"})
    assert processor.process(second) == "deferred"
    assert len(poplar.calls) == 1


def test_rate_limit_without_usable_reset_falls_back_to_backoff(env) -> None:
    store, sopost, poplar, clock, processor = env
    sopost.outcomes.append(order())
    poplar.outcomes.append(RateLimited("poplar rate limited (429)", retry_at=10**12))
    event = claim(store, clock)
    assert processor.process(event) == "deferred"
    assert store.event(event.event_id)["next_attempt_at"] <= clock.now + 1.0


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (PermanentError("sopost order not found (404)", 404), "sopost order not found (404)"),
        (PermanentError("sopost rejected (403): nope", 403), "sopost rejected (403): nope"),
    ],
)
def test_permanent_sopost_errors_dead_letter(env, error, reason) -> None:
    store, sopost, poplar, clock, processor = env
    sopost.outcomes.append(error)
    event = claim(store, clock)
    assert processor.process(event) == "dead"
    assert store.event(event.event_id)["reason"] == reason
    assert poplar.calls == []


def test_a_different_order_from_sopost_is_refused(env) -> None:
    store, sopost, _poplar, clock, processor = env
    sopost.outcomes.append({**order(), "id": "someone-else"})
    event = claim(store, clock)
    assert processor.process(event) == "dead"


def test_unmappable_order_is_dead_lettered(env) -> None:
    store, sopost, _poplar, clock, processor = env
    sopost.outcomes.append({**order(), "email": None, "address": None})
    event = claim(store, clock)
    assert processor.process(event) == "dead"
    assert store.event(event.event_id)["reason"].startswith("mapping:")


def test_decision_logs_are_json_with_ids_and_never_the_email(env, caplog) -> None:
    store, sopost, poplar, clock, processor = env
    sopost.outcomes.extend([order(), order(consents=[])])
    poplar.outcomes.append("poplar-id")
    with caplog.at_level(logging.INFO, logger="harness"):
        processor.process(claim(store, clock, 1))
        store.add(NewEvent(f"{2:040x}", "APPROVED", "x", "a", "{}"), clock.now)
    lines = [json.loads(JsonFormatter().format(record)) for record in caplog.records]
    [forwarded] = [line for line in lines if line["decision"] == "forwarded"]
    assert forwarded["event_id"] == f"{1:040x}" and forwarded["order_id"] == ORDER_ID
    assert forwarded["outcome"] == "created"
    assert EMAIL.lower() not in caplog.text.lower()
