"""Every body map_order builds is a valid Poplar ``OrderRequest`` per openapi/poplar.yaml."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jsonschema_rs
import pytest
import yaml

from harness.mapping import map_order
from openapi import spec_path
from tests.unit.harness.harness_samples import GUIDE_ORDER, address, order, question


@pytest.fixture(scope="module")
def validator() -> Any:
    try:
        spec = yaml.safe_load(spec_path("poplar").read_text(encoding="utf-8"))
    except FileNotFoundError:
        pytest.skip("openapi/poplar.yaml not written yet")
    schema = {"$ref": "#/components/schemas/OrderRequest", "components": spec["components"]}
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


CASES = {
    "guide example": GUIDE_ORDER,
    "minimal address": order(address=address(line_2=None, district=None, territory=None)),
    "no address": order(address=None),
    "no email": order(email=None),
    "no line items, no questions": order(line_items=[], custom_questions=[]),
    "metadata overflow": order(
        custom_questions=[question("q" * 60 + str(i), "a" * 300, "b") for i in range(15)]
    ),
    "unicode": order(full_name="Zoë Ōkubo", address=address(town="Łódź", territory="pol")),
}


@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_mapped_body_is_a_valid_poplar_order_request(validator, source) -> None:
    body = map_order(source, datetime(2025, 6, 1, tzinfo=UTC)).body
    errors = [f"{list(e.instance_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert errors == []
