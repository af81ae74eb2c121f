"""harness.mapping.map_order: SoPost order -> Poplar order body."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from harness.mapping import (
    METADATA_KEY_MAX,
    METADATA_MAX_KEYS,
    METADATA_VALUE_MAX,
    MappingError,
    email_sha256,
    map_order,
)
from tests.unit.harness.harness_samples import (
    GUIDE_ORDER,
    GUIDE_POPLAR_BODY,
    address,
    order,
    question,
)

WHEN = datetime(2025, 3, 9, 23, 30, tzinfo=UTC)

POPLAR_FIELDS = {
    "order_id", "order_date", "currency", "total", "customer_email_sha256", "customer_id",
    "shipping_address", "order_items", "metadata",
}  # fmt: skip
ADDRESS_FIELDS = {"name", "address_1", "address_2", "city", "state", "postal_code", "country"}


def no_nulls(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, dict):
        return all(no_nulls(v) for v in value.values())
    if isinstance(value, list):
        return all(no_nulls(v) for v in value)
    return True


def test_guide_example_maps_to_the_documented_poplar_body() -> None:
    result = map_order(GUIDE_ORDER, WHEN)
    assert result.notes == []
    assert result.body == GUIDE_POPLAR_BODY


@pytest.mark.parametrize(
    ("case", "source", "check"),
    [
        (
            "unicode name and address survive untouched",
            order(full_name="  Zoë Ōkubo-Þórsdóttir ", address=address(town="Łódź")),
            lambda b, n: (
                b["shipping_address"]["name"] == "Zoë Ōkubo-Þórsdóttir"
                and b["shipping_address"]["city"] == "Łódź"
            ),
        ),
        (
            "missing line_2 is omitted, not null",
            order(address=address(line_2=...)),
            lambda b, n: "address_2" not in b["shipping_address"] and n == [],
        ),
        (
            "null line_2 and district are omitted",
            order(address=address(line_2=None, district=None)),
            lambda b, n: {"address_2", "state"}.isdisjoint(b["shipping_address"]),
        ),
        (
            "blank strings count as missing",
            order(address=address(line_2="   ")),
            lambda b, n: "address_2" not in b["shipping_address"],
        ),
        (
            "mixed-case email is trimmed and lower-cased before hashing",
            order(email="  Joe.Bloggs@Example.COM "),
            lambda b, n: (
                b["customer_email_sha256"] == hashlib.sha256(b"joe.bloggs@example.com").hexdigest()
            ),
        ),
        (
            "multi-answer question joins every answer in order",
            order(
                custom_questions=[
                    {
                        "question_text": "Scents?",
                        "question_id": "scents",
                        "answer": [
                            {"answer_text": "Citrus", "answer_id": "a"},
                            {"answer_text": "Woody", "answer_id": "b"},
                            {"answer_text": "Floral", "answer_id": "c"},
                        ],
                    }
                ]
            ),
            lambda b, n: b["metadata"]["scents"] == "Citrus; Woody; Floral",
        ),
        (
            "no custom questions: only short_id and activity_id",
            order(custom_questions=[]),
            lambda b, n: set(b["metadata"]) == {"short_id", "activity_id"},
        ),
        (
            "several line items become several zero-value items",
            order(line_items=[{"stock_partition_id": "p1"}, {"stock_partition_id": "p2"}]),
            lambda b, n: (
                b["order_items"]
                == [
                    {"identifier": "p1", "quantity": 1, "total": 0},
                    {"identifier": "p2", "quantity": 1, "total": 0},
                ]
            ),
        ),
        (
            "no line items: order_items omitted",
            order(line_items=[]),
            lambda b, n: "order_items" not in b,
        ),
        (
            "lower-case territory is upper-cased",
            order(address=address(territory="gbr")),
            lambda b, n: b["shipping_address"]["country"] == "GBR",
        ),
        (
            "non alpha-3 territory is dropped with a note",
            order(address=address(territory="UK")),
            lambda b, n: "country" not in b["shipping_address"] and any("alpha-3" in x for x in n),
        ),
        (
            "address without postcode is omitted (Poplar requires it), email still matches",
            order(address=address(postcode=None)),
            lambda b, n: "shipping_address" not in b and "customer_email_sha256" in b,
        ),
        (
            "missing identity: customer_id omitted",
            order(identity=None),
            lambda b, n: "customer_id" not in b,
        ),
        (
            "telephone and provider are never sent",
            order(),
            lambda b, n: "telephone" not in str(b) and "my-integration" not in str(b),
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_mapping_cases(case: str, source: dict[str, Any], check) -> None:
    result = map_order(source, WHEN)
    assert check(result.body, result.notes), (case, result)
    assert set(result.body) <= POPLAR_FIELDS
    assert set(result.body.get("shipping_address", {})) <= ADDRESS_FIELDS
    assert no_nulls(result.body)


def test_raw_email_is_never_sent() -> None:
    body = map_order(order(email="Secret.Person@Example.com"), WHEN).body
    assert "secret.person" not in repr(body).lower()


def test_order_date_is_the_utc_date_of_processing() -> None:
    late_evening_new_york = datetime(2025, 3, 9, 21, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert map_order(GUIDE_ORDER, late_evening_new_york).body["order_date"] == "2025-03-10"
    naive = datetime(2025, 1, 2, 3, 4)
    assert map_order(GUIDE_ORDER, naive).body["order_date"] == "2025-01-02"


def test_metadata_overflow_keeps_the_first_keys_and_notes_the_rest() -> None:
    questions = [question(f"q{i:02d}", f"answer {i}") for i in range(12)]
    result = map_order(order(custom_questions=questions), WHEN)
    metadata = result.body["metadata"]
    assert len(metadata) == METADATA_MAX_KEYS
    assert list(metadata)[:3] == ["short_id", "activity_id", "q00"]
    assert "q07" in metadata and "q08" not in metadata
    dropped = [note for note in result.notes if "allows 10 keys" in note]
    assert len(dropped) == 4
    # Deterministic: same input, same output.
    assert map_order(order(custom_questions=questions), WHEN) == result


def test_long_keys_and_values_are_truncated_with_notes() -> None:
    long_id = "k" * 55
    long_answer = "é" * 250
    result = map_order(order(custom_questions=[question(long_id, long_answer)]), WHEN)
    metadata = result.body["metadata"]
    assert "k" * METADATA_KEY_MAX in metadata
    assert metadata["k" * METADATA_KEY_MAX] == "é" * METADATA_VALUE_MAX
    assert any("truncated to 40" in note for note in result.notes)
    assert any("truncated from 250 to 200" in note for note in result.notes)
    for key, value in metadata.items():
        assert len(key) <= METADATA_KEY_MAX and len(value) <= METADATA_VALUE_MAX


def test_colliding_and_empty_questions_are_dropped_with_notes() -> None:
    questions = [
        question("short_id", "clash with our own key"),
        question("x" * 45, "first"),
        question("x" * 41, "second, same key after truncation"),
        question("empty"),
        {"question_text": "no id", "answer": [{"answer_text": "a"}]},
    ]
    result = map_order(order(custom_questions=questions), WHEN)
    metadata = result.body["metadata"]
    assert metadata["short_id"] == "9999ABCDEFG"
    assert metadata["x" * 40] == "first"
    assert "empty" not in metadata
    assert sum("duplicate key" in note for note in result.notes) == 2
    assert any("no answer text" in note for note in result.notes)
    assert any("no question_id" in note for note in result.notes)


def test_order_without_any_customer_match_cannot_be_mapped() -> None:
    with pytest.raises(MappingError, match="neither an email nor a complete address"):
        map_order(order(email=None, address=address(line_1=None)), WHEN)
    with pytest.raises(MappingError, match="no id"):
        map_order(order(id=...), WHEN)


def test_email_sha256_matches_poplar_rule() -> None:
    assert email_sha256(" A@B.Com ") == hashlib.sha256(b"a@b.com").hexdigest()
