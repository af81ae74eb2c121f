"""SoPost order -> Poplar ``POST /v1/order`` body, as one pure function.

Poplar rejects unknown fields and does not treat ``null`` as "absent", so the body only ever
carries documented fields with real values. Anything that would break one of Poplar's limits
(metadata size, key length, value length) is truncated or dropped *deterministically* and the
change is reported in :attr:`MappingResult.notes`, so operators can see what Poplar did not get.
The raw email never leaves this module: only its SHA-256 does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "METADATA_KEY_MAX",
    "METADATA_MAX_KEYS",
    "METADATA_VALUE_MAX",
    "MappingError",
    "MappingResult",
    "email_sha256",
    "map_order",
]

METADATA_MAX_KEYS = 10
METADATA_KEY_MAX = 40
METADATA_VALUE_MAX = 200
ANSWER_SEPARATOR = "; "

# SoPost address field -> Poplar shipping_address field.
_ADDRESS_FIELDS = (
    ("line_1", "address_1"),
    ("line_2", "address_2"),
    ("town", "city"),
    ("district", "state"),
    ("postcode", "postal_code"),
)


class MappingError(ValueError):
    """The order cannot be expressed as a valid Poplar order (a permanent failure)."""


@dataclass(frozen=True)
class MappingResult:
    """The Poplar body plus a human-readable note for every value that was changed or dropped."""

    body: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def _text(value: Any) -> str | None:
    """A trimmed string, or None for missing, null, non-string or blank values."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def email_sha256(email: str) -> str:
    """SHA-256 of the trimmed, lower-cased email, as Poplar documents it."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def _shipping_address(order: Mapping[str, Any], notes: list[str]) -> dict[str, str] | None:
    address = order.get("address")
    if not isinstance(address, Mapping):
        notes.append("shipping_address omitted: order has no address")
        return None
    result: dict[str, str] = {}
    name = _text(order.get("full_name"))
    if name:
        result["name"] = name
    for source, target in _ADDRESS_FIELDS:
        value = _text(address.get(source))
        if value:
            result[target] = value
    country = _text(address.get("territory"))
    if country and len(country) == 3 and country.isalpha():
        result["country"] = country.upper()
    elif country:
        notes.append(f"shipping_address.country omitted: territory {country!r} is not alpha-3")
    # Poplar requires both; a partial address would be rejected outright.
    missing = [key for key in ("address_1", "postal_code") if key not in result]
    if missing:
        notes.append("shipping_address omitted: missing " + ", ".join(missing))
        return None
    return result


def _order_items(order: Mapping[str, Any], notes: list[str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    line_items = order.get("line_items")
    for index, item in enumerate(line_items if isinstance(line_items, list) else []):
        identifier = _text(item.get("stock_partition_id")) if isinstance(item, Mapping) else None
        if identifier is None:
            notes.append(f"order_items[{index}] dropped: no stock_partition_id")
            continue
        # Samples are free: the value is zero, quantity one per line item.
        items.append({"identifier": identifier, "quantity": 1, "total": 0})
    return items


def _clip_value(key: str, value: str, notes: list[str]) -> str:
    if len(value) > METADATA_VALUE_MAX:
        notes.append(f"metadata[{key!r}] truncated from {len(value)} to {METADATA_VALUE_MAX} chars")
        return value[:METADATA_VALUE_MAX]
    return value


def _metadata(order: Mapping[str, Any], notes: list[str]) -> dict[str, str]:
    """short_id, activity_id, then one key per answered question, in SoPost's order."""
    candidates: list[tuple[str, str]] = []
    for key in ("short_id", "activity_id"):
        value = _text(order.get(key))
        if value:
            candidates.append((key, value))
    questions = order.get("custom_questions")
    for index, question in enumerate(questions if isinstance(questions, list) else []):
        if not isinstance(question, Mapping):
            continue
        qid = _text(question.get("question_id"))
        answers = question.get("answer")
        texts = [
            text
            for answer in (answers if isinstance(answers, list) else [])
            if isinstance(answer, Mapping) and (text := _text(answer.get("answer_text")))
        ]
        if qid is None:
            notes.append(f"custom_questions[{index}] dropped: no question_id")
            continue
        if not texts:
            notes.append(f"metadata[{qid!r}] dropped: no answer text")
            continue
        if len(qid) > METADATA_KEY_MAX:
            notes.append(f"metadata key {qid!r} truncated to {METADATA_KEY_MAX} chars")
            qid = qid[:METADATA_KEY_MAX]
        candidates.append((qid, ANSWER_SEPARATOR.join(texts)))

    metadata: dict[str, str] = {}
    for key, value in candidates:
        if key in metadata:
            notes.append(f"metadata[{key!r}] dropped: duplicate key")
        elif len(metadata) >= METADATA_MAX_KEYS:
            notes.append(f"metadata[{key!r}] dropped: Poplar allows {METADATA_MAX_KEYS} keys")
        else:
            metadata[key] = _clip_value(key, value, notes)
    return metadata


def map_order(order: Mapping[str, Any], processed_at: datetime) -> MappingResult:
    """Build the Poplar order for a SoPost ``order``.

    ``processed_at`` is when the harness received the approval it is acting on; its UTC date
    becomes ``order_date`` (a naive datetime is taken as UTC). Raises :class:`MappingError` when
    the order lacks an id or anything Poplar could match a customer on.
    """
    notes: list[str] = []
    order_id = _text(order.get("id"))
    if order_id is None:
        raise MappingError("order has no id")
    if processed_at.tzinfo is None:
        processed_at = processed_at.replace(tzinfo=UTC)
    body: dict[str, Any] = {
        "order_id": order_id,
        "order_date": processed_at.astimezone(UTC).date().isoformat(),
        "total": 0,
    }
    email = _text(order.get("email"))
    if email:
        body["customer_email_sha256"] = email_sha256(email)
    else:
        notes.append("customer_email_sha256 omitted: order has no email")
    identity = _text(order.get("identity"))
    if identity:
        body["customer_id"] = identity
    address = _shipping_address(order, notes)
    if address:
        body["shipping_address"] = address
    if "customer_email_sha256" not in body and "shipping_address" not in body:
        raise MappingError("order has neither an email nor a complete address for Poplar")
    items = _order_items(order, notes)
    if items:
        body["order_items"] = items
    metadata = _metadata(order, notes)
    if metadata:
        body["metadata"] = metadata
    return MappingResult(body=body, notes=notes)
