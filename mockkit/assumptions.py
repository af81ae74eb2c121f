"""The Assumptions table (docs/assumptions.md), generated from the specs so it cannot go stale.

Every operation, response, property or enum value marked ``x-provenance: assumed`` becomes a
row, as does every assumed request constraint (``x-constraint-provenance``: the rules the mocks
only warn about unless ``--strict``) and every behaviour listed under ``info.x-assumptions`` (a
choice the mock makes that no schema shows, such as the webhook retry schedule). A node that
says nothing about itself gets no row. A test keeps docs/assumptions.md in sync.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import click

from openapi import read_spec
from openapi.provenance import CONTENT_TYPE, Constraint, assumed_constraints

__all__ = ["README_MARKERS", "assumption_rows", "assumptions_table"]

VENDORS = ("sopost", "poplar")
README_MARKERS = ("<!-- assumptions:start -->", "<!-- assumptions:end -->")


def _text(node: dict[str, Any]) -> str:
    text = node.get("description") or node.get("summary") or ""
    return " ".join(text.split())


def _walk(node: Any, where: str) -> Iterator[tuple[str, str]]:
    """(location, explanation) of every assumed node under ``node``."""
    if isinstance(node, list):
        for index, child in enumerate(node):
            yield from _walk(child, f"{where}[{index}]")
        return
    if not isinstance(node, dict):
        return
    if node.get("x-provenance") == "assumed":
        yield where, _text(node)
    for value, provenance in (node.get("x-enum-provenance") or {}).items():
        if provenance == "assumed":
            yield f"{where} = {value}", "a value of this enum that no public source shows"
    for key, child in node.items():
        if key in ("examples", "example", "x-enum-provenance") or key.startswith("x-"):
            continue
        label = (
            f"{where}.{key}"
            if key not in ("properties", "paths", "components", "schemas", "webhooks", "responses")
            else where
        )
        yield from _walk(child, label)


def assumption_rows() -> list[tuple[str, str, str]]:
    """(vendor, item, what we chose or why) for both vendor specs, in document order."""
    rows: list[tuple[str, str, str]] = []
    for vendor in VENDORS:
        document = read_spec(vendor)
        for behaviour in document["info"].get("x-assumptions", []):
            rows.append((vendor, behaviour["item"], behaviour["choice"]))
        seen: set[str] = set()
        for where, text in _walk({k: v for k, v in document.items() if k != "info"}, ""):
            item = where.lstrip(".")
            if item not in seen and text:
                seen.add(item)
                rows.append((vendor, item, text))
        shared: set[tuple[int, str, str]] = set()  # a YAML anchor reused by two schemas
        for constraint in assumed_constraints(document):
            key = (id(constraint.node), constraint.keyword, str(constraint.value))
            if key not in shared:
                shared.add(key)
                item = f"{constraint.label} {constraint.keyword}"
                rows.append((vendor, item, rule_text(constraint)))
    return rows


_UNITS = {"Length": "characters", "Items": "items", "Properties": "keys"}


def rule_text(constraint: Constraint) -> str:
    """The rule in words, e.g. "at most 254 characters", for the table and the warnings."""
    keyword, value = constraint.keyword, constraint.value
    hint = constraint.node.get("x-error-hint")
    if keyword == CONTENT_TYPE:
        return "Content-Type must be " + " or ".join(value)
    if keyword == "additionalProperties":
        return "unknown fields are refused"
    if keyword == "required":
        return f"`{value}` is required"
    if keyword == "uniqueItems":
        return "no repeated items"
    if keyword == "pattern":
        return hint or f"must match `{value}`"
    if keyword in ("minLength", "minItems") and value == 1:
        return "must not be empty"
    for bound, words in (("min", "at least"), ("max", "at most")):
        unit = _UNITS.get(keyword.removeprefix(bound))
        if keyword.startswith(bound) and unit:
            return f"{words} {value} {unit}"
    return hint or f"`{keyword}: {value}`"


def assumptions_table() -> str:
    lines = ["| API | Item | Our choice / note |", "|---|---|---|"]
    for vendor, item, text in assumption_rows():
        cell = text.replace("|", "\\|") or "(see the spec)"
        lines.append(f"| {vendor} | `{item}` | {cell} |")
    return "\n".join(lines)


@click.command()
def assumptions() -> None:
    """Print the Assumptions table (every assumed item in the specs) as Markdown."""
    click.echo(assumptions_table())
