"""Error messages for schema violations: name the field and say how to fix the request.

JSON Schema's own messages are written for schema authors; these are for API callers. A schema
node may carry ``x-error-hint`` to replace the generic wording where it would still be cryptic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from mocks.core.errors import ApiError

if TYPE_CHECKING:
    from mocks.core.spec import Spec

__all__ = ["best_error", "body_error", "rule_at"]


def body_error(spec: Spec, schema: dict, error: jsonschema_rs.ValidationError) -> ApiError:
    """Turn a schema violation into an error naming the field and the fix.

    A schema node may carry ``x-error-hint`` to replace the generic wording where JSON Schema's
    own message would be cryptic (e.g. an ``anyOf`` of required fields).
    """
    path = [str(p) for p in error.instance_path]
    kind = type(error.kind).__name__
    if kind == "Required":
        missing = _quoted(error.message)
        path = [*path, missing] if missing else path
    elif kind == "AdditionalProperties":
        unexpected = list(getattr(error.kind, "unexpected", []) or [])
        if unexpected:
            path = [*path, str(unexpected[0])]
    field_name = ".".join(path) or None
    hint = _hint_for(spec, schema, list(error.schema_path))
    message = hint or _explain(kind, field_name, error)
    return ApiError("validation_error", message, field=field_name)


def _explain(kind: str, field_name: str | None, error: jsonschema_rs.ValidationError) -> str:
    where = f"'{field_name}'" if field_name else "the request body"
    if kind == "Required":
        return f"Missing required field {where}: add it to the request body."
    if kind == "AdditionalProperties":
        return f"Unknown field {where}: remove it (it is not part of this request)."
    if kind == "Type":
        types = getattr(error.kind, "types", None) or []
        wanted = " or ".join(str(t) for t in types) or "another type"
        return f"Invalid {where}: {error.message}; send a {wanted}."
    if kind == "Enum":
        return f"Invalid {where}: {error.message}; use one of the allowed values."
    if kind == "Format":
        wanted = getattr(error.kind, "format", "value")
        return f"Invalid {where}: {error.message}; send a valid {wanted}."
    return f"Invalid {where}: {error.message}."


def _hint_for(spec: Spec, schema: dict, schema_path: list) -> str | None:
    """The deepest ``x-error-hint`` along the violated schema path."""
    hint = None
    for node in _along(spec, schema, schema_path):
        if isinstance(node, dict) and "x-error-hint" in node:
            hint = node["x-error-hint"]
    return hint


def rule_at(spec: Spec, schema: dict, schema_path: list) -> tuple[str, Any]:
    """The violated keyword and, when it is a plain value, that value (``("maxLength", 254)``)."""
    keywords = [str(part) for part in schema_path if part != "$ref"]
    last = list(_along(spec, schema, schema_path))[-1]
    value = None if isinstance(last, dict | list) else last
    return (keywords[-1] if keywords else "schema"), value


def _along(spec: Spec, schema: dict, schema_path: list) -> Iterator[Any]:
    """The schema nodes a violation's path steps through, from the root.

    Paths are relative to the validator's root (the body schema beside the spec's components),
    and may step through ``$ref`` into a component.
    """
    node: Any = {**schema, "components": spec.document.get("components", {})}
    yield node
    for part in schema_path:
        if part == "$ref":
            continue
        if isinstance(node, dict) and part not in node:
            node = spec.resolve(node)
        try:
            node = node[part] if isinstance(node, dict) else node[int(part)]
        except (KeyError, IndexError, ValueError, TypeError):
            return
        yield node


def best_error(validator, instance: Any) -> jsonschema_rs.ValidationError | None:
    """The most specific violation: the deepest instance path wins, then the first found."""
    errors = list(validator.iter_errors(instance))
    if not errors:
        return None
    return max(errors, key=lambda e: len(list(e.instance_path)))


def _quoted(message: str) -> str | None:
    match = re.match(r'^"((?:[^"\\]|\\.)*)" is a required property', message)
    return match.group(1) if match else None
