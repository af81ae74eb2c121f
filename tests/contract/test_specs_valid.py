"""Every shipped OpenAPI document is valid OAS 3.1 and tags its provenance."""

from __future__ import annotations

import pytest
import yaml
from openapi_spec_validator import validate

from openapi import SPEC_DIR
from openapi.provenance import TAGS

SPECS = sorted(SPEC_DIR.glob("*.yaml"))
VENDOR_SPECS = [p for p in SPECS if p.stem != "control"]
PROVENANCE = set(TAGS)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_spec_is_valid_openapi_31(path) -> None:
    document = yaml.safe_load(path.read_text())
    assert document["openapi"].startswith("3.1")
    validate(document)


def _operations(document: dict):
    for section in ("paths", "webhooks"):
        for path, item in document.get(section, {}).items():
            for method, operation in item.items():
                if isinstance(operation, dict) and "responses" in operation:
                    yield f"{method.upper()} {path}", operation


def _properties(node, where="#"):
    if isinstance(node, dict):
        for name, schema in (node.get("properties") or {}).items():
            yield f"{where}/properties/{name}", schema
        for key, child in node.items():
            if key != "examples" and key != "example":
                yield from _properties(child, f"{where}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _properties(child, f"{where}/{index}")


@pytest.mark.parametrize("path", VENDOR_SPECS, ids=lambda p: p.stem)
def test_every_operation_and_property_has_provenance(path) -> None:
    document = yaml.safe_load(path.read_text())
    missing = [
        name for name, op in _operations(document) if op.get("x-provenance") not in PROVENANCE
    ]
    missing += [
        where
        for where, schema in _properties(document.get("components", {}))
        if isinstance(schema, dict) and schema.get("x-provenance") not in PROVENANCE
    ]
    missing += [
        where
        for where, schema in _properties(document.get("paths", {}))
        if isinstance(schema, dict) and schema.get("x-provenance") not in PROVENANCE
    ]
    assert missing == []
