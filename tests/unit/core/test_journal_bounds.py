"""The journal keeps at most 16 KB of a body, a bounded total, and never a redacted value."""

from __future__ import annotations

import json
import logging
from decimal import Decimal

from mocks.core.config import RuntimeConfig
from mocks.core.journal import BODY_LIMIT, Journal
from mocks.core.redaction import REDACTED, Redactor
from mocks.poplar.app import PoplarConfig, create_app

EMAIL = "jo.secret@example.com"


BASE = dict(
    time=0.0,
    method="POST",
    path="/v1/order",
    status=400,
    verdict="invalid",
    operation_id=None,
    account=None,
    duration_ms=1.0,
)


def record(journal: Journal, **fields):
    journal.record(**{**BASE, **fields})
    return journal.entries()[-1]  # as a reader sees it


def test_a_big_body_is_cut_to_16_kb_and_marked() -> None:
    journal = Journal()
    entry = record(journal, raw_body=b'{"a": "' + b"x" * 100_000 + b'"}')
    assert entry.body_truncated is True
    assert isinstance(entry.body, str) and len(entry.body.encode()) <= BODY_LIMIT
    small = record(journal, raw_body=b'{"a": 1}')
    assert (small.body, small.body_truncated) == ({"a": 1}, False)


def test_the_journal_is_bounded_in_bytes() -> None:
    journal = Journal(max_bytes=1_000_000)
    for _ in range(1000):
        record(journal, raw_body=b"x" * 1_000_000)  # unparseable, cut to 16 KB each
    assert journal.bytes_used() <= 1_000_000
    assert 0 < len(journal.entries()) < 100
    assert journal.entries()[-1].id == 1000  # the newest are kept


def test_redaction_is_iterative_and_reaches_any_depth() -> None:
    deep: dict = {"customer_email": EMAIL}
    for _ in range(5000):
        deep = {"next": [deep]}
    masked, found = Redactor(["customer_email"]).body(deep)
    assert found == [EMAIL]
    node = masked
    while "next" in node:
        node = node["next"][0]
    assert node == {"customer_email": REDACTED}


def test_customer_email_never_reaches_journal_or_log_from_any_place(caplog) -> None:
    app = create_app(PoplarConfig(runtime=RuntimeConfig(clock="manual", log_requests=True)))
    client = app.test_client()
    headers = {"Authorization": "Bearer prod_redact"}
    with caplog.at_level(logging.INFO, logger="mockkit.requests"):
        client.get(f"/v1/me?customer_email={EMAIL}&x=1", headers=headers)
        client.post(
            "/v1/order", json={"order_id": "1", "customer_email": "not-an-email"}, headers=headers
        )
        client.post(
            "/v1/order",
            data=b'{"customer_email": "' + EMAIL.encode() + b'", ',
            content_type="application/json",
            headers=headers,
        )
        client.post(
            "/v1/order",
            json={
                "order_id": "2",
                "customer_email": EMAIL,
                "order_date": 5,
            },
            headers=headers,
        )
    journal = client.get("/_mock/requests").get_data(as_text=True)
    assert len(client.get("/_mock/requests").json["requests"]) == 4
    assert "not-an-email" not in journal
    assert EMAIL not in journal
    assert "customer_email=%5Bredacted%5D&x=1" in journal
    assert EMAIL not in caplog.text and "not-an-email" not in caplog.text
    app.extensions["mockkit"].stop()


def test_a_body_with_an_integer_beyond_64_bits_is_journaled_not_a_500() -> None:
    """orjson cannot write such an integer; Poplar's exact decimal reading keeps it one."""
    journal = Journal()
    huge = 10**30
    assert record(journal, body={"total": huge}).body == {"total": huge}
    cut = record(journal, body={"total": huge, "pad": "x" * 20_000})
    assert cut.body_truncated is True and str(huge) in cut.body


def test_a_body_is_rendered_when_read_and_masked_however_its_field_is_spelled() -> None:
    """Bodies without a field to mask are kept as compact JSON and parsed on read (decimals
    as numbers, big integers exact); a body naming the field, even through a JSON escape, is
    masked when stored."""
    journal = Journal(redactor=Redactor(["customer_email"]))
    plain = b'{"total": 1.5, "customer_email_sha256": "ab"}'
    read = record(journal, body=json.loads(plain, parse_float=Decimal), raw_body=plain)
    assert read.body == {"total": 1.5, "customer_email_sha256": "ab"}
    assert isinstance(read.body["total"], float)
    exact = b'{"quantity": 123456789012345678901234567890, "price": 2.50}'
    read = record(journal, body=json.loads(exact, parse_float=Decimal), raw_body=exact)
    assert read.body == {"quantity": 123456789012345678901234567890, "price": 2.5}
    escaped = b'{"customer\\u005femail": "%s"}' % EMAIL.encode()
    stored = journal.record(**{**BASE, "body": json.loads(escaped), "raw_body": escaped})
    assert stored.body == {"customer_email": REDACTED}  # as kept, before anyone reads it
