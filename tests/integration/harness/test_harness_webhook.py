"""The receiver: signatures, payload validation, duplicates and the operator endpoints."""

from __future__ import annotations

import base64
import json
import time
import uuid

import pytest

from harness.stores import is_postgres
from tests.integration.harness.rig import Rig, event_for


@pytest.fixture
def harness(start_rig) -> Rig:
    # One worker: these tests look at the receiver, not at what workers make of the events.
    return start_rig(workers=1)


def an_event(status: str = "APPROVED") -> dict[str, str]:
    """An event for an order SoPost does not know (the receiver never asks SoPost)."""
    return event_for({"id": str(uuid.uuid4()), "activity_id": str(uuid.uuid4())}, status)


def stored(harness: Rig) -> int:
    return sum(harness.status()["inbox"].values())


@pytest.mark.parametrize(
    "tamper",
    [
        "wrong_secret",
        "missing_headers",
        "modified_body",
        "stale_timestamp",
        "future_timestamp",
        "garbage_signature",
    ],
)
def test_bad_signature_is_401_and_nothing_is_stored(harness: Rig, tamper: str) -> None:
    body = json.dumps(an_event()).encode()
    headers = harness.sign(body)
    if tamper == "wrong_secret":
        other = "whsec_" + base64.b64encode(b"someone-else-entirely-000000000").decode()
        headers = harness.sign(body, secret=other)
    elif tamper == "missing_headers":
        headers = {"content-type": "application/json"}
    elif tamper == "modified_body":
        body = body.replace(b"APPROVED", b"REJECTED")
    elif tamper == "stale_timestamp":
        headers = harness.sign(body, at=time.time() - 6 * 60)
    elif tamper == "future_timestamp":
        headers = harness.sign(body, at=time.time() + 6 * 60)
    elif tamper == "garbage_signature":
        headers["webhook-signature"] = "v1"
    response = harness.post_webhook(body, headers)
    assert response.status_code == 401
    assert response.json()["error"]["title"] == "InvalidSignature"
    assert stored(harness) == 0


def test_timestamp_within_tolerance_is_accepted(harness: Rig) -> None:
    body = json.dumps(an_event()).encode()
    assert (
        harness.post_webhook(body, harness.sign(body, at=time.time() - 4 * 60)).status_code == 202
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"activity_id": None}, "(body)"),  # None: remove the key
        ({"event_id": 42}, "event_id"),  # a string is documented; its hex pattern is assumed
        ({"event": "SHIPPED"}, "event"),
        ({"order_id": "not-a-uuid"}, "order_id"),
    ],
)
def test_invalid_payload_is_400_naming_the_field(harness: Rig, change, field: str) -> None:
    event = an_event()
    for key, value in change.items():
        if value is None:
            del event[key]
        else:
            event[key] = value
    response = harness.send(event)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["title"] == "ValidationError"
    assert any(detail.startswith(field) for detail in error["details"]), error
    assert stored(harness) == 0


def test_an_event_id_outside_the_assumed_pattern_is_accepted(harness: Rig) -> None:
    """The harness holds SoPost to the enforced view only: the real API may send other ids."""
    assert harness.send({**an_event(), "event_id": "XYZ"}).status_code == 202
    assert stored(harness) == 1


def test_non_json_body_is_400(harness: Rig) -> None:
    body = b"event=APPROVED"
    assert harness.post_webhook(body, harness.sign(body)).status_code == 400


def test_duplicate_event_is_acknowledged_and_stored_once(harness: Rig) -> None:
    event = an_event("PENDING")
    first = harness.send(event)
    second = harness.send(event)
    assert (first.status_code, second.status_code) == (202, 202)
    assert (first.json()["duplicate"], second.json()["duplicate"]) == (False, True)
    assert stored(harness) == 1


def test_unsigned_webhooks_are_accepted_when_no_secret_is_set(start_rig) -> None:
    harness = start_rig(sopost_webhook_secret=None)
    assert harness.send(an_event(), secret="").status_code == 202


def test_health_and_status(harness: Rig, harness_db: str) -> None:
    kind = "postgresql" if is_postgres(harness_db) else "sqlite"
    health = harness.http.get(f"{harness.url}/health")
    assert health.status_code == 200
    assert health.json() == {
        "status": "ok", "db": "ok", "database": kind, "workers_alive": 1,
    }  # fmt: skip
    status = harness.status()
    assert set(status) >= {
        "inbox", "forwarded", "skipped_by_reason", "dead_letters", "oldest_pending_age_seconds",
    }  # fmt: skip
    assert status["database"]["kind"] == kind
    assert ":" not in status["database"]["target"].partition("://")[2].partition("@")[0]
    assert status["inbox"] == {
        "received": 0, "processing": 0, "done": 0, "skipped": 0, "dead": 0,
    }  # fmt: skip


def test_admin_token_protects_operator_endpoints_only(start_rig) -> None:
    harness = start_rig(admin_token="s3cret")
    assert harness.http.get(f"{harness.url}/status").status_code == 401
    assert harness.http.get(f"{harness.url}/dead-letters").status_code == 401
    auth = {"Authorization": "Bearer s3cret"}
    assert harness.http.get(f"{harness.url}/status", headers=auth).status_code == 200
    assert harness.http.get(f"{harness.url}/health").status_code == 200
    assert harness.send(an_event("PENDING")).status_code == 202


def test_stop_is_clean_and_idempotent(start_rig) -> None:
    harness = start_rig(workers=3)
    assert harness.service.pool.alive() == 3
    harness.service.stop()
    assert harness.service.pool.alive() == 0
    harness.service.stop()
