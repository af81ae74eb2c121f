"""A Poplar order as the mock stores it: no raw e-mail, defaults applied, money still numeric.

The raw ``customer_email`` becomes its SHA-256 in :func:`build_order` and goes no further. The
response shape (money as strings, ``company`` and ``state_name``) is rendered from the stored
form, so stored orders, responses and the audience agree.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mocks.core.clock import iso_utc

__all__ = ["Defaults", "StoredOrder", "build_order", "email_sha256", "money"]


def email_sha256(email: str) -> str:
    """What Poplar stores for ``customer_email``: SHA-256 of the lower-cased address."""
    return hashlib.sha256(email.lower().encode("utf-8")).hexdigest()


Money = Decimal | int  # request bodies are read with exact decimals (x-json-numbers)


def money(value: Money | float | None) -> str | None:
    """An amount rendered the way Poplar's example does, exactly: ``126`` -> ``"126.0"``,
    ``1234567890123456.75`` unchanged, ``12.50`` -> ``"12.5"`` (trailing zeros dropped, one
    decimal kept, as Ruby's BigDecimal prints; assumed)."""
    if value is None:
        return None
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = format(number.normalize(), "f")
    return text if "." in text else f"{text}.0"


def _json_number(value: Any) -> Any:
    """A metadata value as JSON shows it: a decimal back to a plain number (not money)."""
    return float(value) if isinstance(value, Decimal) else value


@dataclass(frozen=True)
class Defaults:
    """Documented defaults, read from the spec by the app (``default:`` keywords)."""

    currency: str = "USD"
    country: str = "USA"


@dataclass(eq=False)
class StoredOrder:
    """An order as Poplar keeps it: no raw email, defaults applied, money still numeric."""

    id: str
    order_id: str
    order_date: str
    currency: str
    total: Money | None
    customer_id: str | None
    email_sha256: str | None
    metadata: dict[str, Any]
    order_items: list[dict[str, Any]]
    shipping_address: dict[str, Any] | None
    billing_address: dict[str, Any] | None
    received_at: float
    updated_at: float

    def to_api(self) -> dict[str, Any]:
        """The docs' response shape: money as strings, ``company`` and ``state_name``."""
        return {
            "id": self.id,
            "order_id": self.order_id,
            "currency": self.currency,
            "total": money(self.total),
            "customer": {"id": self.customer_id, "email_sha256": self.email_sha256},
            "metadata": dict(self.metadata),
            "order_items": [_item_api(item) for item in self.order_items],
            "shipping_address": _address_api(self.shipping_address),
            "billing_address": _address_api(self.billing_address),
            "order_date": self.order_date,
        }

    def deleted_record(self, organization_id: str) -> dict[str, Any]:
        """The delete answer: the flat record of the one public reference (openapi/poplar.yaml
        ``DeletedOrder`` says which values are assumed)."""
        return {
            "id": self.id,
            "order_id": self.order_id,
            "organization_id": organization_id,
            "currency": self.currency,
            "total": money(self.total),
            "customer_id": self.customer_id,
            "customer_email_sha256": self.email_sha256,
            "metadata": dict(self.metadata),
            "order_date": self.order_date,
            "source": "api",
            "created_at": iso_utc(self.received_at),
            "updated_at": iso_utc(self.updated_at),
            "matched_at": None,
        }

    def audience_records(self) -> list[dict[str, Any]]:
        """Two records per order, shipping then billing (a missing address gives a record
        that identifies the customer by email hash and id only; assumed)."""
        return [
            {
                "order_id": self.order_id,
                "source": source,
                "address": _address_api(address),
                "email_sha256": self.email_sha256,
                "customer_id": self.customer_id,
            }
            for source, address in (
                ("shipping", self.shipping_address),
                ("billing", self.billing_address),
            )
        ]


def _item_api(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "category": list(item.get("category", [])),
        "description": item.get("description"),
        "identifier": item["identifier"],
        "metadata": dict(item.get("metadata", {})),
        "price": money(item.get("price")),
        "quantity": item.get("quantity"),
        "total": money(item["total"]),
    }


def _address_api(address: dict[str, Any] | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {
        "name": address.get("name"),
        "company": None,
        "address_1": address["address_1"],
        "address_2": address.get("address_2"),
        "city": address.get("city"),
        "state_name": address.get("state"),
        "postal_code": address["postal_code"],
        "country": address["country"],
    }


def _item(item: dict[str, Any]) -> dict[str, Any]:
    known = ("identifier", "description", "quantity", "total", "price", "category", "metadata")
    kept = {k: item[k] for k in known if k in item}
    if isinstance(kept.get("quantity"), Decimal):  # 2.0 is a JSON Schema integer
        kept["quantity"] = int(kept["quantity"])
    if "metadata" in kept:
        kept["metadata"] = _metadata(kept["metadata"])
    return kept


def _metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    return {key: _json_number(value) for key, value in metadata.items()}


def _order_date(value: str) -> str:
    """A date-only ``order_date`` becomes midnight UTC, like the docs' date-time, and a
    date-time without an offset is read as UTC (both assumed)."""
    if len(value) == 10:
        return f"{value}T00:00:00Z"
    clock = value[11:]
    return value if clock.upper().endswith("Z") or "+" in clock or "-" in clock else value + "Z"


def build_order(
    poplar_id: str,
    order_id: str,
    body: dict[str, Any],
    received: float,
    updated: float,
    defaults: Defaults,
) -> StoredOrder:
    """Known fields only (validation already drops unknown ones, with a warning); the raw
    email becomes its hash here and goes no further."""
    email = body.get("customer_email")
    sha = body.get("customer_email_sha256") or (email_sha256(email) if email else None)
    return StoredOrder(
        id=poplar_id,
        order_id=order_id,
        order_date=_order_date(body["order_date"]),
        currency=body.get("currency", defaults.currency),
        total=body.get("total"),
        customer_id=body.get("customer_id"),
        email_sha256=sha,
        metadata=_metadata(body.get("metadata", {})),
        order_items=[_item(item) for item in body.get("order_items", [])],
        shipping_address=_address(body.get("shipping_address"), defaults),
        billing_address=_address(body.get("billing_address"), defaults),
        received_at=received,
        updated_at=updated,
    )


def _address(address: dict[str, Any] | None, defaults: Defaults) -> dict[str, Any] | None:
    if address is None:
        return None
    known = ("name", "address_1", "address_2", "city", "state", "postal_code")
    return {
        **{k: address[k] for k in known if k in address},
        "country": address.get("country", defaults.country),
    }
