"""UUIDs are matched case-insensitively: every value the spec types ``format: uuid`` is read in
its canonical lower-case form.

RFC 9562 makes UUIDs case-insensitive on input, and a client that upper-cases one (C#'s
``Guid.ToString("D").ToUpper()``, a spreadsheet) still names the same order. Reading them
lower-case once, where a request is validated, lets every lookup and every stored reference
compare plain strings. Which values are UUIDs is the spec's say, not a regex over the body.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mocks.core.spec import Spec

__all__ = ["canonical_uuids"]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

_BRANCHES = ("allOf", "anyOf", "oneOf")


def canonical_uuids(spec: Spec, schema: Any, value: Any) -> Any:
    """``value`` with every string its ``schema`` declares ``format: uuid`` lower-cased.

    The value has already passed validation against the schema, so a branch that does not fit
    it changes nothing a fitting one would not. Subtrees without a UUID are not walked.
    """
    if isinstance(value, str) and value == value.lower():
        return value  # nothing to lower-case (every path id a client copied from an answer)
    if not spec.reach.reaches(schema, _is_uuid):
        return value
    schema = spec.resolve(schema)
    if isinstance(value, str):
        return value.lower() if _UUID.match(value) and _declares_uuid(spec, schema) else value
    for key in _BRANCHES:
        for branch in schema.get(key, []):
            value = canonical_uuids(spec, branch, value)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        return {
            name: canonical_uuids(spec, properties[name], item) if name in properties else item
            for name, item in value.items()
        }
    if isinstance(value, list) and "items" in schema:
        return [canonical_uuids(spec, schema["items"], item) for item in value]
    return value


def _is_uuid(node: dict) -> bool:
    return node.get("format") == "uuid"


def _declares_uuid(spec: Spec, schema: Any) -> bool:
    """The schema itself is a UUID, or one of its branches is (not its properties)."""
    schema = spec.resolve(schema)
    return isinstance(schema, dict) and (
        _is_uuid(schema)
        or any(_declares_uuid(spec, b) for key in _BRANCHES for b in schema.get(key, []))
    )
