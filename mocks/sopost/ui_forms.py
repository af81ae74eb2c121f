"""From the SoPost page's form fields to control-API bodies (``POST /_mock/orders``, faults).

Pure functions, so what a person can ask for in the browser is exactly what the control API
accepts; the body is validated against the control spec before it reaches a handler.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from mocks.sopost.fixtures import RETAILER

__all__ = ["CONSENT_CHOICES", "OUTCOMES", "fault_body", "order_body"]

OUTCOMES = ("", "APPROVED", "REJECTED", "REVIEW", "PENDING")
# choice -> the consents to send (None: the activity's default SoPost consent)
CONSENT_CHOICES: dict[str, list[dict[str, str]] | None] = {
    "SoPost marketing": None,
    f"{RETAILER} only": [{"data_handler": RETAILER}],
    f"SoPost and {RETAILER}": [{"data_handler": "SoPost"}, {"data_handler": RETAILER}],
    "none": [],
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "answer"


def _questions(text: str) -> list[dict]:
    """One line per question: ``question: answer; another answer``."""
    questions = []
    for line in text.splitlines():
        question, _, answers = line.partition(":")
        if not question.strip():
            continue
        given = [a.strip() for a in answers.split(";") if a.strip()]
        questions.append(
            {
                "question_id": _slug(question),
                "question_text": question.strip(),
                "answer": [{"answer_id": _slug(a), "answer_text": a} for a in given],
            }
        )
    return questions


def order_body(form: Mapping[str, str]) -> dict:
    body: dict = {}
    for name in ("activity_id", "full_name", "email"):
        if form.get(name, "").strip():
            body[name] = form[name].strip()
    if form.get("outcome") in OUTCOMES[1:]:
        body["outcome"] = form["outcome"]
    consents = CONSENT_CHOICES.get(form.get("consents", ""))
    if consents is not None:
        body["consents"] = consents
    questions = _questions(form.get("questions", ""))
    if questions:
        body["custom_questions"] = questions
    return body


def fault_body(form: Mapping[str, str]) -> dict:
    """A request fault rule: method, path glob, status, how many times."""
    body: dict = {"path": form.get("path", "").strip() or "/**"}
    if form.get("method"):
        body["method"] = form["method"]
    body["status"] = int(form.get("status") or 503)
    if form.get("times", "").strip():
        body["times"] = int(form["times"])
    return body
