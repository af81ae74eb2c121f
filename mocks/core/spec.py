"""Load an OpenAPI 3.1 document once and validate requests against it.

Each operation's path, query and body schemas are compiled to JSON Schema 2020-12 validators
when the spec is loaded (stripe-mock's approach), so a valid request costs one compiled check. A
request the spec rejects raises :class:`~mocks.core.errors.ApiError` before any handler (and so
any state) sees it; the message names the field and says how to fix it.

Both views of the file (``openapi.provenance.view``) are compiled: a body is checked against
every constraint, and only when that fails against the enforced ones. What only the full view
refuses (an ``assumed`` rule) is a :class:`~mocks.core.findings.Finding` the request carries
on, unless the mock is ``strict``; then it is the vendor's 400 (415 for the Content-Type).
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import jsonschema_rs

from mocks.core.errors import ApiError
from mocks.core.findings import (
    Finding,
    content_type_finding,
    drop_absent_nulls,
    drop_unknown_fields,
    findings,
)
from mocks.core.json_body import parse_json
from mocks.core.schema_errors import best_error, body_error
from mocks.core.schema_reach import SchemaReach
from mocks.core.uuids import canonical_uuids
from openapi import read_spec
from openapi.provenance import view

__all__ = ["Operation", "Spec", "ValidatedRequest", "load_spec"]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_PATH_PARAM = re.compile(r"{([^}/]+)}")


@dataclass
class ValidatedRequest:
    """What a handler receives: the request's parts, already checked against the spec."""

    operation_id: str
    path_params: dict[str, Any]
    query: dict[str, Any]
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    context: Any = None  # what the vendor's gate returned, e.g. the caller's organisation
    findings: list[Finding] = field(default_factory=list)  # assumed rules it broke (warnings)


@functools.cache
def load_spec(name: str) -> Spec:
    """The spec ``openapi/<name>.yaml``, both views parsed and compiled once per process."""
    document = read_spec(name)
    # Null-means-absent fields are dropped before validation, so these views need not admit null.
    full = view(document, enforced_only=False, nullable=False)
    if name == "control":  # our own API: its rules are definitions, not guesses about a vendor
        return Spec(name, full)
    return Spec(name, full, view(document, enforced_only=True, nullable=False))


class Spec:
    """A parsed OpenAPI document with a compiled :class:`Operation` per operationId."""

    def __init__(self, name: str, document: dict, enforced: dict | None = None) -> None:
        self.name = name
        self.document = document  # the full view: every constraint
        self.enforced = enforced if enforced is not None else document  # assumed ones dropped
        # ``x-json-numbers: decimal``: request bodies' non-integer numbers are read as exact
        # decimals (Poplar's money), never rounded through a float.
        self.parse_float: Any = Decimal if document.get("x-json-numbers") == "decimal" else float
        self._pointers: dict[str, Any] = {}
        self.reach = SchemaReach(self.resolve)
        self.operations: dict[str, Operation] = {}
        for path, item in document.get("paths", {}).items():
            shared = item.get("parameters", [])
            for method in HTTP_METHODS:
                if method in item:
                    operation = Operation(self, path, method, item[method], shared)
                    self.operations[operation.id] = operation

    def resolve(self, node: Any) -> Any:
        """Follow a local ``$ref`` (``#/components/...``) to the node it names."""
        while isinstance(node, dict) and "$ref" in node:
            node = self.pointer(node["$ref"])
        return node

    def pointer(self, ref: str) -> Any:
        node = self._pointers.get(ref)
        if node is None:
            if not ref.startswith("#/"):
                raise ValueError(f"only local references are supported, got {ref!r}")
            node = self.document
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            self._pointers[ref] = node
        return node

    def validator(self, schema: dict, enforced: bool = False) -> jsonschema_rs.Draft202012Validator:
        """A compiled validator for ``schema`` whose ``#/components/...`` refs resolve in the
        full view (or, with ``enforced``, in the enforced view)."""
        document = self.enforced if enforced else self.document
        root = {**schema, "components": document.get("components", {})}
        return jsonschema_rs.Draft202012Validator(root, validate_formats=True)

    def operations_where(self, **extension: str) -> list[Operation]:
        """Operations whose ``x-<key>`` list contains the value, e.g. ``mock="sopost"``."""
        return [
            operation
            for operation in self.operations.values()
            if all(
                value in operation.definition.get(f"x-{key}", [])
                for key, value in extension.items()
            )
        ]


class Operation:
    """One method on one path, with its compiled validators."""

    def __init__(self, spec: Spec, path: str, method: str, definition: dict, shared: list) -> None:
        self.spec = spec
        self.path = path
        self.method = method.upper()
        self.definition = definition
        self.id: str = definition.get("operationId") or f"{method}_{path}"
        self.flask_rule = _PATH_PARAM.sub(r"<\1>", path)
        parameters = {}
        for raw in [*shared, *definition.get("parameters", [])]:
            parameter = spec.resolve(raw)
            parameters[(parameter["in"], parameter["name"])] = parameter
        self._path_params = _compile_params(spec, parameters, "path")
        self._query_params = _compile_params(spec, parameters, "query")
        body = spec.resolve(definition.get("requestBody")) if "requestBody" in definition else None
        self.body_required = bool(body and body.get("required"))
        self.body_schema: dict | None = None
        self._body_validator = self._enforced_validator = None
        self.any_content_type = False  # the enforced view reads any labelled body as JSON
        if body:
            media = body.get("content", {}).get("application/json")
            if media is None:
                raise ValueError(f"{self.id}: only application/json request bodies are supported")
            self.body_schema = media.get("schema", {})
            self._body_validator = spec.validator(self.body_schema)
            enforced = spec.resolve(spec.enforced["paths"][path][method]["requestBody"])
            self.any_content_type = bool(enforced.get("x-any-content-type"))
            enforced_schema = enforced["content"]["application/json"].get("schema", {})
            self._enforced_validator = spec.validator(enforced_schema, enforced=True)

    @property
    def has_body(self) -> bool:
        return self._body_validator is not None

    def validate(
        self,
        path_params: Mapping[str, str],
        query: Mapping[str, list[str]],
        content_type: str | None,
        raw_body: bytes,
        headers: Mapping[str, str] | None = None,
        strict: bool = False,
    ) -> ValidatedRequest:
        """Check every part of a request; raise the first problem as an :class:`ApiError`.

        Broken ``assumed`` rules come back as the request's ``findings``, or, when ``strict``,
        raise like any other."""
        path_values = {}
        for name, (schema, validator) in self._path_params.items():
            value = _coerce(path_params.get(name, ""), schema)
            if not validator.is_valid(value):
                # A path that cannot name a resource is a resource that does not exist.
                raise ApiError(
                    "not_found",
                    f"No resource at this path: {name} {value!r} "
                    f"is not a valid {_describe(schema)}.",
                    field=name,
                )
            path_values[name] = canonical_uuids(self.spec, schema, value)
        query_values = self._validate_query(query)
        found: list[Finding] = []
        body = self._validate_body(content_type, raw_body, strict, found) if self.has_body else None
        return ValidatedRequest(
            # ``is None``, not ``or``: the truth of werkzeug's headers counts them one by one.
            self.id,
            path_values,
            query_values,
            body,
            {} if headers is None else headers,
            findings=found,
        )

    def _validate_query(self, query: Mapping[str, list[str]]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, (schema, validator, required) in self._query_params.items():
            raw = query.get(name)
            if not raw:
                if required:
                    raise ApiError(
                        "validation_error", f"Query parameter '{name}' is required.", field=name
                    )
                continue
            value = (
                [_coerce(v, schema.get("items", {})) for v in raw]
                if schema.get("type") == "array"
                else _coerce(raw[-1], schema)
            )
            error = best_error(validator, value)
            if error is not None:
                raise ApiError(
                    "validation_error",
                    f"Query parameter '{name}' is invalid: {error.message}.",
                    field=name,
                )
            values[name] = canonical_uuids(self.spec, schema, value)
        return values

    def _validate_body(
        self, content_type: str | None, raw_body: bytes, strict: bool, found: list[Finding]
    ) -> Any:
        if not raw_body.strip():
            if self.body_required:
                raise ApiError(
                    "validation_error",
                    "A JSON request body is required; send one with "
                    "Content-Type: application/json.",
                )
            return None
        media_type = (content_type or "").split(";")[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            finding = content_type_finding(media_type)
            if strict or not self.any_content_type:
                raise ApiError("unsupported_media_type", finding.message)
            found.append(finding)
        body = parse_json(raw_body, parse_float=self.spec.parse_float)
        if b"null" in raw_body:  # every JSON null is spelled so: no null, nothing to drop
            drop_absent_nulls(self.spec, self.body_schema, body)
        errors = list(self._body_validator.iter_errors(body))
        if not errors:
            return canonical_uuids(self.spec, self.body_schema, body)
        error = best_error(self._enforced_validator, body)
        if strict or error is not None:
            error = error or best_error(self._body_validator, body)
            raise body_error(self.spec, self.body_schema or {}, error)
        found.extend(findings(self.spec, self.body_schema or {}, errors))
        drop_unknown_fields(self.spec, self.body_schema, body)
        return canonical_uuids(self.spec, self.body_schema, body)


def _compile_params(spec: Spec, parameters: dict, location: str) -> dict:
    compiled = {}
    for (where, name), parameter in parameters.items():
        if where != location:
            continue
        schema = copy.deepcopy(parameter.get("schema", {}))
        validator = spec.validator(schema)
        if location == "path":
            compiled[name] = (schema, validator)
        else:
            compiled[name] = (schema, validator, bool(parameter.get("required")))
    return compiled


def _coerce(raw: str, schema: dict) -> Any:
    """Query and path values arrive as text; read them as the schema's scalar type."""
    kind = schema.get("type")
    kinds: Iterable[str] = kind if isinstance(kind, list) else [kind]
    for candidate in kinds:
        try:
            if candidate == "integer":
                return int(raw)
            if candidate == "number":
                return float(raw)
        except ValueError:
            continue
        if candidate == "boolean" and raw in ("true", "false"):
            return raw == "true"
    return raw


def _describe(schema: dict) -> str:
    return schema.get("format") or schema.get("type") or "value"
