"""Sample SoPost orders for the harness unit tests (the guide's example and variations)."""

from __future__ import annotations

import copy
from typing import Any

# The guide's example order, verbatim.
GUIDE_ORDER: dict[str, Any] = {
    "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "short_id": "9999ABCDEFG",
    "activity_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "address": {
        "line_1": "SoPost Ltd",
        "line_2": "The Core, Bath Lane",
        "town": "Newcastle Upon Type",
        "district": "Tyne & Wear",
        "territory": "GBR",
        "postcode": "NE4 5TF",
    },
    "full_name": "Joe Bloggs",
    "email": "joe.bloggs@example.com",
    "provider": "my-integration",
    "identity": "98700f04-e705-4547-a3ee-d38a8cc9293d",
    "telephone": "+441914980123",
    "line_items": [{"stock_partition_id": "f3a10b3a-a02f-4568-b1ca-ea6571620f91"}],
    "status": "APPROVED",
    "consents": [
        {
            "consent_id": "d2271011-4d8a-47e7-9d4a-5045780fbce9",
            "consent_name": "SoPost Marketing Optin",
            "data_handler": "SoPost",
            "status": "APPROVED",
        }
    ],
    "custom_questions": [
        {
            "question_text": "What is your biggest skincare concern?",
            "question_id": "skincare-concern-101",
            "answer": [
                {"answer_text": "Signs of ageing", "answer_id": "ageing-423"},
                {"answer_text": "Sun damage", "answer_id": "sun-033"},
            ],
        }
    ],
}


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
