"""Request JSON: bounded nesting, whatever the number of brackets, and exact decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mocks.core.errors import ApiError
from mocks.core.json_body import MAX_JSON_DEPTH, parse_json


def test_many_brackets_side_by_side_are_not_depth() -> None:
    wide = b"[" + b",".join([b"[1]"] * (MAX_JSON_DEPTH * 3)) + b"]"
    assert len(parse_json(wide)) == MAX_JSON_DEPTH * 3


@pytest.mark.parametrize("kind", [(b"[", b"]"), (b'{"a":', b"}")])
def test_one_level_past_the_limit_is_a_400(kind: tuple[bytes, bytes]) -> None:
    opening, closing = kind
    depth = MAX_JSON_DEPTH + 1
    with pytest.raises(ApiError, match="deeper than"):
        parse_json(opening * depth + b"1" + closing * depth)
    assert parse_json(opening * MAX_JSON_DEPTH + b"1" + closing * MAX_JSON_DEPTH) is not None


def test_brackets_inside_strings_do_not_make_a_body_deep() -> None:
    assert parse_json(b'{"note": "' + b"[" * 500 + b'"}') == {"note": "[" * 500}


def test_decimal_money_keeps_every_digit() -> None:
    assert parse_json(b'{"total": 1234567890123456.75}', Decimal) == {
        "total": Decimal("1234567890123456.75")
    }


@pytest.mark.parametrize(
    "number", [10**25, 2**64, -(2**63) - 1, 9_223_372_036_854_775_807, -(10**30)]
)
def test_an_integer_past_64_bits_keeps_every_digit(number: int) -> None:
    """orjson alone read these as floats (``1e+25``), so a body echoed a number it never got."""
    value = parse_json(b'{"quantity": %d}' % number)["quantity"]
    assert (type(value), value) == (int, number)
