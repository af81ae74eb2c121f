"""Sample SoPost orders for the harness unit tests (the guide's example and variations)."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from mocks.sopost.fixtures import GUIDE_ORDER

# The guide's example order, verbatim: the SoPost mock's fixture (tested against the guide).
__all__ = ["GUIDE_ORDER", "GUIDE_POPLAR_BODY", "address", "order", "question"]


def order(**changes: Any) -> dict[str, Any]:
    result = copy.deepcopy(GUIDE_ORDER)
    for key, value in changes.items():
        if value is ...:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def address(**changes: Any) -> dict[str, Any]:
    result = copy.deepcopy(GUIDE_ORDER["address"])
    for key, value in changes.items():
        if value is ...:
            result.pop(key)
        else:
            result[key] = value
    return result


def question(qid: str, *answers: str) -> dict[str, Any]:
    return {
        "question_text": f"Question {qid}?",
        "question_id": qid,
        "answer": [{"answer_text": a, "answer_id": f"{qid}-{i}"} for i, a in enumerate(answers)],
    }


# What the harness must send Poplar for the guide's order, received on 2025-03-09 (UTC).
GUIDE_POPLAR_BODY: dict[str, Any] = {
    "order_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "order_date": "2025-03-09",
    "total": 0,
    "customer_email_sha256": hashlib.sha256(b"joe.bloggs@example.com").hexdigest(),
    "customer_id": "98700f04-e705-4547-a3ee-d38a8cc9293d",
    "shipping_address": {
        "name": "Joe Bloggs",
        "address_1": "SoPost Ltd",
        "address_2": "The Core, Bath Lane",
        "city": "Newcastle Upon Type",
        "state": "Tyne & Wear",
        "postal_code": "NE4 5TF",
        "country": "GBR",
    },
    "order_items": [
        {"identifier": "f3a10b3a-a02f-4568-b1ca-ea6571620f91", "quantity": 1, "total": 0}
    ],
    "metadata": {
        "short_id": "9999ABCDEFG",
        "activity_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "skincare-concern-101": "Signs of ageing; Sun damage",
    },
}
