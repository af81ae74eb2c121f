"""Who orders in ``make demo`` and what should become of each: the story, apart from the telling.

Each consumer's order fields go to SoPost's ``POST /_mock/orders``; ``reaches_poplar`` is what
the reference harness must do with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mocks.sopost.fixtures import RETAILER

__all__ = ["CONSUMERS", "QUESTIONS", "QUIZZED", "Consumer"]


@dataclass(frozen=True)
class Consumer:
    label: str
    fields: dict[str, Any] = field(default_factory=dict)
    reaches_poplar: bool = False

    @property
    def name(self) -> str:
        return self.label.split(" (")[0]


CONSUMERS = [
    Consumer(
        "Ada (approved, opted in to SoPost marketing)",
        {"email": "Ada.Lovelace@Example.com", "full_name": "Ada Lovelace", "outcome": "APPROVED"},
        True,
    ),
    Consumer(
        "Brian (approved, no marketing consent)",
        {
            "email": "brian@example.com",
            "full_name": "Brian Cox",
            "outcome": "APPROVED",
            "consents": [],
        },
    ),
    Consumer(
        "Chloe (rejected by SoPost's filtering)",
        {"email": "chloe+reject@example.com", "full_name": "Chloe Ng"},
    ),
    Consumer(
        f"Dev (approved, consent to {RETAILER} only)",
        {
            "email": "dev@example.com",
            "full_name": "Dev Patel",
            "outcome": "APPROVED",
            "consents": [{"data_handler": RETAILER}],
        },
    ),
]

QUESTIONS = [
    {
        "question_id": "skin-type",
        "question_text": "What is your skin type?",
        "answer": [
            {"answer_id": "dry", "answer_text": "Dry"},
            {"answer_id": "sensitive", "answer_text": "Sensitive"},
        ],
    },
    {
        "question_id": "heard-from",
        "question_text": "Where did you hear about us?",
        "answer": [{"answer_id": "friend", "answer_text": "A friend"}],
    },
]

# The order with custom questions: its answers travel to Poplar as order metadata.
QUIZZED = Consumer(
    "Faye (approved, answered two custom questions)",
    {
        "email": "faye@example.com",
        "full_name": "Faye Wong",
        "outcome": "APPROVED",
        "custom_questions": QUESTIONS,
    },
    True,
)
