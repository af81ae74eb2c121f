"""Hypothesis strategies for SoPost orders, generated from the ``Order`` schema in
``openapi/sopost.yaml`` (through a synthetic schemathesis operation, as schemathesis only
generates request bodies) and fitted to what ``POST /_mock/orders`` accepts.

Fitting keeps what the schema generated (unicode names, nulls, empty or odd consents, many
custom questions) and only repairs what the mock must refuse: references to stock it does not
have, an e-mail without ``@``, lone surrogates (impossible in UTF-8 JSON from a real API).
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

import schemathesis
from hypothesis import strategies as st

from mocks.core.spec import load_spec

__all__ = ["eligible", "order_fields", "tagged"]

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
CONSENT_MODES = ("generated", "brand", "none", "brand_and_generated", "retailer")
# Where a drawn order's unique tag goes until the scenario knows it (see tagged).
TAG = "{tag}"


@functools.cache
def _order_operation() -> Any:
    document = copy.deepcopy(load_spec("sopost").document)
    order = {"$ref": "#/components/schemas/Order"}
    document["paths"] = {
        "/__generated/order": {
            "post": {
                "operationId": "generatedOrder",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": order}},
                },
                "responses": {"200": {"description": "ok"}},
            }
        }
    }
    document.pop("webhooks", None)
    return schemathesis.openapi.from_dict(document)["/__generated/order"]["POST"]


def _text(value: Any, limit: int, fallback: str) -> str:
    text = value if isinstance(value, str) else fallback
    text = "".join(ch for ch in text if not 0xD800 <= ord(ch) <= 0xDFFF)[:limit]
    return text or fallback


def _optional(value: Any, limit: int) -> str | None:
    return None if value is None else _text(value, limit, "-")


def fit(
    raw: dict[str, Any],
    consent_mode: str,
    data_handler: str,
    extra_items: int,
    partitions: list[str],
    tag: str,
) -> dict[str, Any]:
    """A ``POST /_mock/orders`` body from a generated Order (outcome fixed to APPROVED)."""
    address = raw.get("address") if isinstance(raw.get("address"), dict) else {}
    territory = address.get("territory")
    email = _text(raw.get("email"), 200, "x")
    local = email.split("@", 1)[0].replace(" ", "") or "x"
    email = email if EMAIL.match(email) and "+" not in local else f"{local[:60]}@example.com"
    # A unique tag keeps orders apart (``+`` tags would be magic outcomes, so none here).
    email = f"{tag}.{email}" if EMAIL.match(f"{tag}.{email}") else f"{tag}@example.com"
    consents = [
        {
            "consent_name": _text(c.get("consent_name"), 200, "Consent"),
            "data_handler": _text(c.get("data_handler"), 200, "Someone"),
            "status": _text(c.get("status"), 40, "APPROVED"),
        }
        for c in (raw.get("consents") or [])[:5]
        if isinstance(c, dict)
    ]
    brand = {"data_handler": data_handler, "status": "APPROVED"}
    retailer = {"data_handler": f"Not {data_handler}", "status": "APPROVED"}
    consents = {
        "generated": consents,
        "brand": [brand],
        "none": [],
        "brand_and_generated": [*consents, brand],
        "retailer": [retailer],
    }[consent_mode]
    questions = [
        {
            "question_id": _text(q.get("question_id"), 200, f"q{i}"),
            "question_text": _text(q.get("question_text"), 2000, ""),
            "answer": [
                {
                    "answer_id": _text(a.get("answer_id"), 200, f"a{j}"),
                    "answer_text": _text(a.get("answer_text"), 2000, ""),
                }
                for j, a in enumerate(q.get("answer") or [])
                if isinstance(a, dict)
            ][:20],
        }
        for i, q in enumerate(raw.get("custom_questions") or [])
        if isinstance(q, dict)
    ]
    # An unanswered optional question is absent from a real order, never ``answer: []``.
    questions = [q for q in questions if q["answer"]][:30]
    count = max(1, len(raw.get("line_items") or [])) + extra_items
    return {
        "outcome": "APPROVED",
        "distribute": False,
        "email": email,
        "full_name": _text(raw.get("full_name"), 200, "N"),
        "identity": _text(raw.get("identity"), 200, tag),
        "telephone": _optional(raw.get("telephone"), 20),
        "address": {
            "line_1": _text(address.get("line_1"), 200, "1"),
            "line_2": _optional(address.get("line_2"), 200),
            "town": _text(address.get("town"), 200, "T"),
            "district": _optional(address.get("district"), 200),
            "territory": territory
            if isinstance(territory, str) and re.fullmatch("[A-Z]{3}", territory)
            else "GBR",
            "postcode": _text(address.get("postcode"), 20, "P"),
        },
        "line_items": [
            {"stock_partition_id": partitions[i % len(partitions)]} for i in range(min(count, 100))
        ],
        "consents": consents,
        "custom_questions": questions,
    }


def eligible(order: dict[str, Any], data_handler: str) -> bool:
    """The rule the kit judges by: an APPROVED consent held by the brand's data handler."""
    return any(
        str(c.get("status", "")).upper() == "APPROVED"
        and str(c.get("data_handler", "")).strip().lower() == data_handler.lower()
        for c in order.get("consents", [])
    )


@st.composite
def order_fields(draw: st.DrawFn, data_handler: str, partitions: list[str]) -> dict[str, Any]:
    """Generated ``POST /_mock/orders`` bodies (without the unique e-mail tag; see fit)."""
    case = draw(_order_operation().as_strategy())
    raw = case.body if isinstance(case.body, dict) else {}
    mode = draw(st.sampled_from(CONSENT_MODES))
    extra = draw(st.sampled_from((0, 0, 3, 25)))
    return fit(raw, mode, data_handler, extra, partitions, TAG)


def tagged(body: dict[str, Any], tag: str) -> dict[str, Any]:
    """``body`` (drawn by :func:`order_fields`) with its tag in the places :func:`fit` kept
    for it: the e-mail's prefix, and the identity when the schema gave none.

    Only there: hypothesis also draws the string constants of the code it runs beside, so a
    generated telephone or name may be the placeholder itself, and must stay as drawn (filled
    in, a 5-character telephone grew past its 20).
    """
    filled = {**body, "email": tag + body["email"].removeprefix(TAG)}
    if body["identity"] == TAG:
        filled["identity"] = tag
    return filled
