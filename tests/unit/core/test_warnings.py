"""The warning path: a request that breaks only assumed rules is served, and says so in the
answer's headers, the journal (verdict ``warning`` with the findings) and the log line."""

from __future__ import annotations

import logging

from mocks.core.config import RuntimeConfig
from mocks.sopost.app import create_app
from mocks.sopost.config import SoPostConfig
from mocks.sopost.fixtures import GUIDE

SUBSCRIPTION = {
    "url": "https://example.com",
    "events": ["OrderEvent", "OrderEvent"],  # duplicate events: an assumed rule
    "entity_type": "Organisation",
    "entity_id": GUIDE.organisation,
    "colour": "red",  # unknown field: an assumed rule
}


def _client(strict: bool = False, log: bool = False):
    runtime = RuntimeConfig(clock="manual", strict=strict, log_requests=log)
    return create_app(SoPostConfig(runtime=runtime, fixture_orders=0), start=False).test_client()


def test_each_finding_is_one_header_and_the_journal_keeps_them() -> None:
    client = _client()
    response = client.post("/v1/webhooks", json=SUBSCRIPTION)
    assert response.status_code == 201
    headers = response.headers.getlist("X-Mockkit-Warning")
    assert sorted(h.split(":")[0] for h in headers) == ["colour", "events"]
    assert all(h.endswith("(assumed: the real API may reject this)") for h in headers)
    (entry,) = client.get("/_mock/requests", query_string={"verdict": "warning"}).json["requests"]
    assert entry["verdict"] == "warning" and sorted(entry["warnings"]) == sorted(headers)
    plain = {k: v for k, v in SUBSCRIPTION.items() if k != "colour"} | {"events": ["OrderEvent"]}
    served = client.post("/v1/webhooks", json=plain)
    assert served.headers.getlist("X-Mockkit-Warning") == []
    assert client.get("/_mock/requests").json["requests"][-1]["verdict"] == "valid"


def test_the_log_line_lists_the_findings(caplog) -> None:
    caplog.set_level(logging.INFO, logger="mockkit.requests")
    _client(log=True).post("/v1/webhooks", json=SUBSCRIPTION)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "mockkit.requests"]
    assert " warning" in line.splitlines()[0]
    assert sum("warning: " in part for part in line.splitlines()[1:]) == 2


def test_strict_answers_the_vendors_400_naming_the_field() -> None:
    response = _client(strict=True).post("/v1/webhooks", json=SUBSCRIPTION)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "validation_error"
    assert response.headers.getlist("X-Mockkit-Warning") == []


def test_a_warning_header_is_one_printable_ascii_line() -> None:
    body = {k: v for k, v in SUBSCRIPTION.items() if k != "colour"} | {"a\x00b\nc\u00e9": 1}
    response = _client().post("/v1/webhooks", json=body)
    headers = response.headers.getlist("X-Mockkit-Warning")
    assert any(h.startswith("a\\x00b\\x0ac\\xe9: ") for h in headers)
    assert all(all(" " <= c < "\x7f" for c in h) for h in headers)
