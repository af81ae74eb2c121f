"""Generated from the specs: every assumed request constraint warns by default and rejects
under ``--strict`` (docs/provenance.md), so none can be missed or mistagged.

For each operation with a body, the spec's own request example is the baseline. For each
assumed constraint reachable from that body, the test finds where the constrained node sits
in the example, puts there the first candidate value that a default mock serves with an
``X-Mockkit-Warning`` naming the field, and checks that a ``--strict`` mock refuses the same
request. A constraint no candidate can exercise fails the test (add a candidate, or the tag is
wrong). A new ``x-constraint-provenance: {...: assumed}`` in a spec is covered with no change.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from mocks.core.config import RuntimeConfig
from mocks.core.spec import Operation, Spec, load_spec
from mocks.poplar.app import create_app as create_poplar
from mocks.poplar.config import PoplarConfig
from mocks.sopost.app import create_app as create_sopost
from mocks.sopost.config import SoPostConfig
from openapi.provenance import CONTENT_TYPE, Constraint, assumed_constraints

TOKEN = "prod_generated_constraints"
HEADERS = {"poplar": {"Authorization": f"Bearer {TOKEN}"}, "sopost": {}}
UNKNOWN = "mockkit_unknown_field"
KEYS = "(keys)"  # a location step: the constraint applies to the object's keys
# Values that break one kind of rule while keeping the body JSON of the right shape.
STRINGS = ["not valid!", "a/b", "abc", "ABC", "A" * 64, "01914980123", "en-GB", "ftp://x.test"]
DATE_TIMES = ["2024-05-01T10:00:00"]


def _apps(vendor: str, strict: bool):
    runtime = RuntimeConfig(clock="manual", strict=strict)
    if vendor == "sopost":
        return create_sopost(SoPostConfig(runtime=runtime, fixture_orders=0), start=False)
    return create_poplar(PoplarConfig(runtime=runtime, tokens=(TOKEN,)), start=False)


def _locations(spec: Spec, schema: Any, path: tuple, seen: frozenset) -> Iterator[tuple]:
    """(schema node, instance path) for every node of ``schema`` (lists: their first item)."""
    if not isinstance(schema, dict):
        return
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return
        seen = seen | {schema["$ref"]}
    node = spec.resolve(schema)
    yield node, path
    for name, child in (node.get("properties") or {}).items():
        yield from _locations(spec, child, (*path, name), seen)
    if isinstance(node.get("items"), dict):
        yield from _locations(spec, node["items"], (*path, 0), seen)
    if isinstance(node.get("propertyNames"), dict):
        yield from _locations(spec, node["propertyNames"], (*path, KEYS), seen)
    for key in ("allOf", "anyOf", "oneOf"):
        for branch in node.get(key) or []:
            yield from _locations(spec, branch, path, seen)


def _base(spec: Spec, operation: Operation) -> dict:
    """The operation's first request example; an edit takes the submit's fullest example
    without ``order_id`` (an edit's must equal the path's, a documented rule of its own)."""
    if operation.id == "editOrder":
        body = _base(spec, spec.operations["submitOrder"])
        body.pop("order_id")
        return body
    media = spec.resolve(operation.definition["requestBody"])["content"]["application/json"]
    return copy.deepcopy(next(iter(media["examples"].values()))["value"])


def _cases() -> Iterator[tuple[str, str, Constraint, tuple]]:
    for vendor in ("sopost", "poplar"):
        spec = load_spec(vendor)
        assumed = assumed_constraints(spec.document)
        for operation in spec.operations.values():
            if not operation.has_body:
                continue
            body = spec.resolve(operation.definition["requestBody"])
            located = list(_locations(spec, operation.body_schema, (), frozenset()))
            for constraint in assumed:
                if constraint.node is body:
                    yield vendor, operation.id, constraint, ()
                for node, path in located:
                    if node is constraint.node and not (
                        operation.id == "editOrder" and path[:1] == ("order_id",)
                    ):
                        yield vendor, operation.id, constraint, path
                        break


CASES = list(_cases())


def _get(body: Any, path: tuple) -> Any:
    """The value at ``path``, or None where the example leaves it out."""
    for step in path:
        if step == KEYS:
            continue
        try:
            body = body[step]
        except (KeyError, IndexError, TypeError):
            return None
    return body


def _put(body: dict, path: tuple, value: Any) -> dict:
    changed = copy.deepcopy(body)
    *parents, last = path
    node = changed
    for step in parents:
        node = node.setdefault(step, {}) if isinstance(node, dict) else node[step]
    node[last] = value
    return changed


def _variants(base: dict, constraint: Constraint, path: tuple) -> Iterator[dict]:
    """Bodies that break ``constraint`` at ``path`` (and, one hopes, nothing else)."""
    keyword, value = constraint.keyword, constraint.value
    if path and path[-1] == KEYS:
        yield _put(base, path[:-1], {"": "x"} if keyword == "minLength" else {"k" * 99: 1})
        return
    if keyword == "additionalProperties":
        target = _get(base, path) if path else base
        yield _put(base, (*path, UNKNOWN), 1) if isinstance(target, dict) else base
        return
    current = _get(base, path) if path else base
    if keyword in ("minItems", "maxItems", "uniqueItems"):
        item = current[0] if isinstance(current, list) and current else "OrderEvent"
        count = {"minItems": 0, "maxItems": (value or 0) + 1, "uniqueItems": 2}[keyword]
        yield _put(base, path, [item] * count)
        return
    if keyword == "minLength":
        yield _put(base, path, "")
    elif keyword == "maxLength":
        yield _put(base, path, "x" * (value + 1))
        if isinstance(current, str):  # the example's value made too long keeps its other rules
            yield _put(base, path, current + "x" * (value + 1 - len(current)))
    elif keyword in ("pattern", "not"):
        for candidate in [*DATE_TIMES, *STRINGS]:
            yield _put(base, path, candidate)


def _send(client, vendor: str, operation: Operation, body: Any, content_type: str):
    mock = client.application.extensions["mockkit"]
    mock.reset()
    path = operation.path
    if operation.id == "editOrder":
        order = {"order_id": "gen-edit", "order_date": "2024-05-01", "customer_email": "a@b.co"}
        client.post("/v1/order", json=order, headers=HEADERS[vendor])
        path = path.replace("{order_id}", "gen-edit")
    return client.open(
        path,
        method=operation.method,
        data=json.dumps(body),
        content_type=content_type,
        headers=HEADERS[vendor],
    )


@pytest.fixture(scope="module")
def clients():
    apps = {(v, s): _apps(v, s) for v in ("sopost", "poplar") for s in (False, True)}
    yield {key: app.test_client() for key, app in apps.items()}
    for app in apps.values():
        app.extensions["mockkit"].stop()


@pytest.mark.parametrize(
    ("vendor", "operation_id", "constraint", "path"),
    CASES,
    ids=[f"{op} {c.label} {c.keyword}" for _, op, c, _ in CASES],
)
def test_assumed_constraint_warns_by_default_and_rejects_under_strict(
    clients, vendor, operation_id, constraint, path
) -> None:
    operation = load_spec(vendor).operations[operation_id]
    base = _base(load_spec(vendor), operation)
    if constraint.keyword == CONTENT_TYPE:
        tried = [(base, "text/plain")]
    else:
        tried = [(body, "application/json") for body in _variants(base, constraint, path)]
    named = [str(step) for step in path if step != KEYS]
    field = "Content-Type" if constraint.keyword == CONTENT_TYPE else ".".join(named)
    for body, content_type in tried:
        default = _send(clients[vendor, False], vendor, operation, body, content_type)
        warnings = default.headers.getlist("X-Mockkit-Warning")
        if default.status_code < 300 and any(w.startswith(field) for w in warnings):
            strict = _send(clients[vendor, True], vendor, operation, body, content_type)
            assert strict.status_code in (400, 415), strict.get_json()
            return
    pytest.fail(f"no candidate body exercises {constraint.label} {constraint.keyword} at {path}")


def test_every_assumed_request_constraint_is_generated() -> None:
    covered = {(c.pointer, c.keyword, str(c.value)) for _, _, c, _ in CASES}
    for vendor in ("sopost", "poplar"):
        for c in assumed_constraints(load_spec(vendor).document):
            assert (c.pointer, c.keyword, str(c.value)) in covered, f"{vendor} {c.label}"
