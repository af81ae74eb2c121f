"""Constraint-level provenance: which rules of a spec are evidence and which are our guesses.

The convention (docs/provenance.md): a schema node's ``x-provenance`` tags the node and, by
default, every constraint keyword on it; ``x-constraint-provenance: {keyword: tag}`` overrides
single keywords (``required`` may map property names to tags). A node without a tag inherits
its enclosing node's; a ``$ref`` target carries its own. A request body's content type is the
``content-type`` keyword of the body's ``x-constraint-provenance``.

From one document this module derives the two views the mocks and schemathesis use: ``full``
(every constraint) and ``enforced`` (``assumed`` constraints dropped). It lives beside the YAML,
not in ``mocks``, because the harness (which must not import ``mocks``) validates webhooks
with it too. Both views read a ``null`` for an optional property of an object marked
``x-null-means-absent`` as the property left out.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from openapi import read_spec

__all__ = [
    "CONSTRAINTS",
    "CONTENT_TYPE",
    "TAGS",
    "Constraint",
    "assumed_constraints",
    "constraints",
    "load_view",
    "view",
]

# ``mockkit``: a rule of the mock's own (its delivery safety), not a claim about the vendor;
# enforced, like the evidence tags, because no client is served by breaking it.
TAGS = ("documented", "example", "observed", "mockkit", "assumed")
# Keywords that restrict a value (the ones a view may drop). ``properties``, ``items``,
# ``allOf`` and friends are containers: the walk descends into them instead.
CONSTRAINTS = (
    "type",
    "enum",
    "const",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "required",
    "additionalProperties",
    "anyOf",
    "oneOf",
    "not",
)
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_VALUES = ("items", "propertyNames", "contains")  # `not` is atomic: see _walk_schema
CONTENT_TYPE = "content-type"


@dataclass(frozen=True)
class Constraint:
    """One rule of a spec: where it sits, which keyword, its value and its provenance."""

    pointer: str  # JSON pointer of the schema node, e.g. /components/schemas/Order
    label: str  # readable: ``CreateOrderRequest.telephone``, ``POST /orders body``
    keyword: str  # a CONSTRAINTS keyword, ``required`` for one name, or ``content-type``
    value: Any
    provenance: str
    node: dict  # the schema node (for its hint and description)


def _tag(node: dict, keyword: str, inherited: str | None, name: str | None = None) -> str | None:
    overrides = node.get("x-constraint-provenance") or {}
    chosen = overrides.get(keyword)
    if isinstance(chosen, dict):  # per-name tags, for ``required``
        chosen = chosen.get(name)
    return chosen or node.get("x-provenance") or inherited


class _Walker:
    """Walks the request side of a document (bodies and parameters, through ``$ref``), once
    per schema node, yielding each constraint with its effective provenance."""

    def __init__(self, document: dict) -> None:
        self.document = document
        self.seen: set[str] = set()

    def resolve(self, ref: str) -> tuple[str, Any]:
        node: Any = self.document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return ref[1:], node

    def schema(
        self, node: Any, pointer: str, label: str, inherited: str | None
    ) -> Iterator[Constraint]:
        if not isinstance(node, dict):
            return
        if "$ref" in node:
            target_pointer, target = self.resolve(node["$ref"])
            yield from self.schema(target, target_pointer, target_pointer.split("/")[-1], None)
        if pointer in self.seen:
            return
        self.seen.add(pointer)
        own = node.get("x-provenance") or inherited
        for keyword in CONSTRAINTS:
            value = node.get(keyword)
            if keyword not in node or (keyword == "additionalProperties" and value is not False):
                continue  # additionalProperties with a schema is a container, walked below
            if keyword == "required" and isinstance(value, list):
                for name in value:
                    tag = _tag(node, keyword, own, name)
                    yield Constraint(pointer, label, keyword, name, tag, node)
            else:
                yield Constraint(pointer, label, keyword, value, _tag(node, keyword, own), node)
        for name, child in (node.get("properties") or {}).items():
            yield from self.schema(child, f"{pointer}/properties/{name}", f"{label}.{name}", own)
        for keyword in _SCHEMA_LISTS:
            for index, child in enumerate(node.get(keyword) or []):
                yield from self.schema(child, f"{pointer}/{keyword}/{index}", label, own)
        for keyword in (*_SCHEMA_VALUES, "additionalProperties"):
            if isinstance(node.get(keyword), dict):
                where = f"{label}[]" if keyword == "items" else f"{label} {keyword}"
                yield from self.schema(node[keyword], f"{pointer}/{keyword}", where, own)

    def operation(
        self, pointer: str, name: str, operation: dict, shared: list
    ) -> Iterator[Constraint]:
        tag = operation.get("x-provenance")
        for index, parameter in enumerate([*shared, *operation.get("parameters", [])]):
            where = f"{pointer}/parameters/{index}"
            if "$ref" in parameter:
                where, parameter = self.resolve(parameter["$ref"])
            label = f"{parameter['name']} ({parameter['in']} parameter)"
            own = parameter.get("x-provenance") or tag
            yield from self.schema(parameter.get("schema"), f"{where}/schema", label, own)
        body = operation.get("requestBody")
        if isinstance(body, dict) and "content" in body:
            where, label = f"{pointer}/requestBody", f"{name} body"
            content = sorted(body["content"])
            tag = _tag(body, CONTENT_TYPE, tag)
            yield Constraint(where, label, CONTENT_TYPE, content, tag, body)
            for media in body["content"].values():
                yield from self.schema(media.get("schema"), f"{where}/schema", label, tag)


def constraints(document: dict, sections: tuple[str, ...] = ("paths",)) -> Iterator[Constraint]:
    """Every request-side constraint (bodies and parameters of ``sections``) with its
    effective provenance, in document order; ``("paths", "webhooks")`` adds webhook payloads."""
    walker = _Walker(document)
    for section in sections:
        for path, item in document.get(section, {}).items():
            for method, operation in item.items():
                if isinstance(operation, dict) and "responses" in operation:
                    pointer = f"/{section}/{path.replace('~', '~0').replace('/', '~1')}/{method}"
                    name = f"{method.upper()} {path}"
                    shared = item.get("parameters", [])
                    yield from walker.operation(pointer, name, operation, shared)


def assumed_constraints(document: dict, sections: tuple[str, ...] = ("paths",)) -> list[Constraint]:
    """The constraints a mock only warns about by default (and rejects under ``--strict``)."""
    return [c for c in constraints(document, sections) if c.provenance == "assumed"]


def _every_constraint(document: dict) -> Iterator[Constraint]:
    """Request-side constraints first, then every component schema's (responses included):
    what the enforced view drops wherever it sits, so an answer that echoes a request the
    enforced view let through still conforms."""
    walker = _Walker(document)
    for constraint in constraints(document, ("paths", "webhooks")):
        walker.seen.add(constraint.pointer)
        yield constraint
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        yield from walker.schema(schema, f"/components/schemas/{name}", name, None)


def view(document: dict, enforced_only: bool, nullable: bool = True) -> dict:
    """A fresh copy of ``document``: every constraint, or only the enforced ones.

    With ``nullable``, optional properties of ``x-null-means-absent`` objects admit ``null`` (what
    a client of the API sees); the mocks pass False, as they drop those nulls before validating
    and want their error messages to point inside the original schemas. A JSON round trip
    unshares YAML anchors, so editing one schema never edits another.
    """
    derived = json.loads(json.dumps(copy.deepcopy(document)))
    if enforced_only:
        for constraint in [c for c in _every_constraint(derived) if c.provenance == "assumed"]:
            _drop(constraint)
    for schema in _schemas(derived) if nullable else ():
        _null_means_absent(schema)
    return derived


def load_view(name: str, enforced_only: bool) -> dict:
    """``view`` of ``openapi/<name>.yaml``: what schemathesis and other spec readers load."""
    return view(read_spec(name), enforced_only)


def _drop(constraint: Constraint) -> None:
    node = constraint.node
    if constraint.keyword == CONTENT_TYPE:
        node["x-any-content-type"] = True  # read by the mock's body parser
    elif constraint.keyword == "required":
        node["required"] = [n for n in node.get("required", []) if n != constraint.value]
        if not node["required"]:
            del node["required"]
    else:
        node.pop(constraint.keyword, None)


def _schemas(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for key, child in node.items():
            if key not in ("examples", "example"):
                yield from _schemas(child)
    elif isinstance(node, list):
        for child in node:
            yield from _schemas(child)


def _null_means_absent(schema: dict) -> None:
    """Let optional properties be ``null`` where the spec says null reads as absent."""
    if not schema.get("x-null-means-absent"):
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key) or []:
            # "one of these is required" means present *and* not null once null reads as absent
            branch_properties = branch.setdefault("properties", {}) if "required" in branch else {}
            for name in branch.get("required", []):
                branch_properties[name] = {"not": {"type": "null"}}
    required = set(schema.get("required", []))
    properties = schema.get("properties", {})
    for name, child in list(properties.items()):
        if name in required:
            continue
        kind = child.get("type")
        if isinstance(kind, str):
            child["type"] = [kind, "null"]  # keeps the node (and its default) where it was
        elif isinstance(kind, list):
            child["type"] = [*kind, "null"] if "null" not in kind else kind
        else:  # a $ref, or a node without its own type
            properties[name] = {"anyOf": [child, {"type": "null"}]}
