"""UUIDs are matched case-insensitively: every value the spec types ``format: uuid`` is read in
its canonical lower-case form.

RFC 9562 makes UUIDs case-insensitive on input, and a client that upper-cases one (C#'s
``Guid.ToString("D").ToUpper()``, a spreadsheet) still names the same order. Reading them
lower-case once, where a request is validated, lets every lookup and every stored reference
compare plain strings. Which values are UUIDs is the spec's say, not a regex over the body.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["canonical_uuids"]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

_BRANCHES = ("allOf", "anyOf", "oneOf")


def canonical_uuids(resolve: Callable[[Any], Any], schema: Any, value: Any) -> Any:
    """``value`` with every string its ``schema`` declares ``format: uuid`` lower-cased.

    ``resolve`` follows a ``$ref``; the value has already passed validation against the
    schema, so a branch that does not fit it changes nothing a fitting one would not.
    """
    schema = resolve(schema)
    if not isinstance(schema, dict):
        return value
    if isinstance(value, str):
        return value.lower() if _UUID.match(value) and _declares_uuid(resolve, schema) else value
    for key in _BRANCHES:
        for branch in schema.get(key, []):
            value = canonical_uuids(resolve, branch, value)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        return {
            name: canonical_uuids(resolve, properties[name], item) if name in properties else item
            for name, item in value.items()
        }
    if isinstance(value, list) and "items" in schema:
        return [canonical_uuids(resolve, schema["items"], item) for item in value]
    return value


def _declares_uuid(resolve: Callable[[Any], Any], schema: Any) -> bool:
    schema = resolve(schema)
    return isinstance(schema, dict) and (
        schema.get("format") == "uuid"
        or any(_declares_uuid(resolve, b) for key in _BRANCHES for b in schema.get(key, []))
    )
