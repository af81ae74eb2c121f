"""An unanswered optional question is absent ("nothing will be returned", the guide): the
schema, the fixtures, the control API and verify's generated orders agree."""

from __future__ import annotations

from contracts.generate import fit
from mocks.core.spec import load_spec
from mocks.sopost.fixtures import build_world

QUESTION = {"question_text": "Any allergies?", "question_id": "allergies-9"}


def test_the_schemas_say_at_least_one_answer() -> None:
    order_schema = load_spec("sopost").document["components"]["schemas"]["CustomQuestion"]
    assert order_schema["properties"]["answer"]["minItems"] == 1
    control = load_spec("control").document["components"]["schemas"]["MockOrderRequest"]
    question = control["properties"]["custom_questions"]["items"]
    assert question["properties"]["answer"]["minItems"] == 1


def test_every_seeded_question_has_an_answer() -> None:
    for seed in (0, 1, 2):
        for order in build_world(seed).orders:
            assert all(q["answer"] for q in order.custom_questions), order.id


def test_the_control_api_refuses_an_empty_answer_naming_it(sopost) -> None:
    response = sopost.post("/_mock/orders", json={"custom_questions": [{**QUESTION, "answer": []}]})
    assert response.status_code == 400
    assert "custom_questions" in response.get_json()["error"].get("field", "")
    answered = [{**QUESTION, "answer": [{"answer_text": "None", "answer_id": "none-0"}]}]
    assert sopost.post("/_mock/orders", json={"custom_questions": answered}).status_code == 201


def test_fitting_drops_a_question_left_without_answers() -> None:
    raw = {"custom_questions": [{**QUESTION, "answer": []}, {**QUESTION, "answer": ["junk"]}]}
    fitted = fit(raw, "brand", "SoPost", 0, ["partition"], "t")
    assert fitted["custom_questions"] == []
