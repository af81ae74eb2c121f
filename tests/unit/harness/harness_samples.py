"""Sample SoPost orders for the harness unit tests (the guide's example and variations)."""

from __future__ import annotations

import copy
from typing import Any

from mocks.sopost.fixtures import GUIDE_ORDER

# The guide's example order, verbatim: the SoPost mock's fixture (tested against the guide).
__all__ = ["GUIDE_ORDER", "address", "order", "question"]

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
