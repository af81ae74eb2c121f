"""Parse a JSON request body with bounded nesting, never recursing in Python.

JSON nested a few hundred deep crashed the schema validator's recursion (a 500) and, deeper,
escaped as an uncaught ``RecursionError``. orjson parses without Python recursion (and stops
by itself at 1024 levels); :func:`check_depth` then refuses anything deeper than
:data:`MAX_JSON_DEPTH` before a schema or a redaction walks it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

import orjson

from mocks.core.errors import ApiError

__all__ = ["MAX_JSON_DEPTH", "check_depth", "dump_json", "parse_json"]

# Far deeper than any vendor body (Poplar's deepest is 4), far below the validator's recursion.
MAX_JSON_DEPTH = 64
# orjson reads an integer past 64 bits as a float, dropping digits; one has 19 digits or more.
_LONG_DIGITS = re.compile(rb"\d{19}")


def parse_json(raw: bytes, parse_float: Callable[[str], Any] = float) -> Any:
    """The body's value, or a 400 naming what is wrong with it.

    ``parse_float=Decimal`` (a spec whose money is decimal), or a run of digits long enough to
    be an integer past 64 bits, reads the body a second time with the standard library, which
    keeps every digit; that is safe once orjson has bounded it.
    """
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiError(
            "malformed_json",
            f"The request body is not valid JSON ({exc}); check quotes, commas and brackets.",
        ) from None
    # Each array or object opens with a bracket, so a body with few brackets (strings
    # included) cannot nest too deep: the walk is only needed past that many.
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH:
        check_depth(value)
    if parse_float is not float or _LONG_DIGITS.search(raw):
        return _exact_decoder(parse_float).decode(raw.decode())  # UTF-8: orjson checked it
    return value


@functools.cache
def _exact_decoder(parse_float: Callable[[str], Any]) -> json.JSONDecoder:
    """One decoder per way of reading floats (``json.loads`` builds one on every call)."""
    return json.JSONDecoder(parse_float=parse_float)


def check_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise a 400 when ``value`` nests deeper than ``limit``; iterative, so any depth is safe."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, dict | list):
            continue
        if depth > limit:
            raise ApiError(
                "validation_error",
                f"The request body nests JSON deeper than {limit} levels; send a flatter document.",
            )
        stack.extend(
            (child, depth + 1) for child in (node.values() if isinstance(node, dict) else node)
        )


def dump_json(value: Any, default: Callable[[Any], Any] = float) -> bytes:
    """``value`` as compact JSON bytes: orjson's, or the standard library's for what orjson
    refuses to write (integers beyond 64 bits, which a request may carry and Poplar's decimal
    reading keeps exact)."""
    try:
        return orjson.dumps(value, default=default)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(value, default=default, separators=(",", ":")).encode()
