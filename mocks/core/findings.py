"""What a default (not ``--strict``) mock tells a client about the assumed rules it broke.

A request that only breaks constraints tagged ``assumed`` (docs/provenance.md) is served; each
broken rule becomes a :class:`Finding`, sent back as one ``X-Mockkit-Warning`` header and kept
in the journal. A finding names the field and the rule from the spec, never the value sent
(a value may be personal data, such as Poplar's raw ``customer_email``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from mocks.core.schema_errors import body_error, rule_at

if TYPE_CHECKING:
    from mocks.core.spec import Spec

__all__ = [
    "WARNING_HEADER",
    "Finding",
    "content_type_finding",
    "drop_absent_nulls",
    "drop_unknown_fields",
    "findings",
]

WARNING_HEADER = "X-Mockkit-Warning"
ASSUMED = "assumed: the real API may reject this"


@dataclass(frozen=True)
class Finding:
    """One assumed rule a request broke: where, which rule, and what ``--strict`` would say."""

    field: str  # dotted body path, "(body)" for the whole body, or a header name
    rule: str  # the spec's keyword and value, e.g. "pattern ^[a-z]{2}_[A-Z]{2}$"
    message: str  # the 400's message under --strict

    def header(self) -> str:
        """The header value: ASCII only (a pattern may hold anything), one line."""
        text = f"{self.field}: {self.rule} ({ASSUMED})"
        text = text.encode("ascii", "backslashreplace").decode()
        # Control characters (a generated field name may hold any) are escaped, not sent.
        return "".join(c if " " <= c < "\x7f" else f"\\x{ord(c):02x}" for c in text)


def findings(spec: Spec, schema: dict, errors: list[jsonschema_rs.ValidationError]) -> list:
    """One finding per violation of the full view that the enforced view let through."""
    found: dict[tuple[str, str], Finding] = {}
    for error in errors:
        api_error = body_error(spec, schema, error)
        keyword, value = rule_at(spec, schema, list(error.schema_path))
        rule = keyword if value is None else f"{keyword} {_render(value)}"
        where = api_error.field or "(body)"
        found.setdefault((where, rule), Finding(where, rule, api_error.message))
    return list(found.values())


def content_type_finding(media_type: str) -> Finding:
    message = (
        f"Unsupported Content-Type {media_type or '(none)'!r}: send the body as JSON with "
        "Content-Type: application/json."
    )
    shown = media_type or "(none)"
    return Finding("Content-Type", f"{shown} is not application/json", message)


def drop_absent_nulls(spec: Spec, schema: Any, value: Any) -> None:
    """Remove, in place, every ``null`` the spec reads as a left-out optional field
    (objects marked ``x-null-means-absent``), so handlers never see them."""
    for node, found in list(_objects(spec, schema, value, _reads_null_as_absent)):
        if _reads_null_as_absent(node):
            required = set(node.get("required") or [])
            properties = node.get("properties") or {}
            for name in [k for k, v in found.items() if v is None and k in properties]:
                if name not in required:
                    del found[name]


def drop_unknown_fields(spec: Spec, schema: Any, value: Any) -> None:
    """Remove, in place, the fields a closed object does not declare: a request served
    despite them (the rule is assumed) has them ignored, as a lenient API would."""
    for node, found in list(_objects(spec, schema, value, _is_closed)):
        if _is_closed(node):
            for name in [k for k in found if k not in node["properties"]]:
                del found[name]


def _reads_null_as_absent(node: dict) -> bool:
    return bool(node.get("x-null-means-absent"))


def _is_closed(node: dict) -> bool:
    return node.get("additionalProperties") is False and "properties" in node


def _objects(
    spec: Spec, schema: Any, value: Any, wanted: Callable[[dict], bool]
) -> Iterator[tuple[dict, dict]]:
    """The (object schema, JSON object) pairs of ``value`` that ``schema`` describes, in the
    subtrees where some schema is ``wanted`` (the rest cannot change anything)."""
    if not spec.reach.reaches(schema, wanted):
        return
    schema = spec.resolve(schema)
    properties = schema.get("properties") or {}
    if isinstance(value, dict):
        yield schema, value
        for name, child in value.items():
            if name in properties:
                yield from _objects(spec, properties[name], child, wanted)
    elif isinstance(value, list) and "items" in schema:
        for child in value:
            yield from _objects(spec, schema["items"], child, wanted)
    for key in ("allOf", "anyOf"):
        for branch in schema.get(key) or []:
            yield from _objects(spec, branch, value, wanted)


def _render(value: Any) -> str:
    if value is False:
        return "false (unknown field)"
    if isinstance(value, dict):
        return "(a sub-rule)"
    return str(value)
