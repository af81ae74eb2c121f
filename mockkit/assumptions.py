"""The README's Assumptions table, generated from the specs so it cannot go stale.

Every operation, response, property or enum value marked ``x-provenance: assumed`` becomes a
row, as does every behaviour listed under ``info.x-assumptions`` (a choice the mock makes that
no schema shows, such as the webhook retry schedule). A test keeps README.md in sync.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from openapi import spec_path

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
            yield f"{where} = {value}", "value of the enum"
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
        document = yaml.safe_load(spec_path(vendor).read_text(encoding="utf-8"))
        for behaviour in document["info"].get("x-assumptions", []):
            rows.append((vendor, behaviour["item"], behaviour["choice"]))
        seen: set[str] = set()
        for where, text in _walk({k: v for k, v in document.items() if k != "info"}, ""):
            item = where.lstrip(".")
            if item not in seen:
                seen.add(item)
                rows.append((vendor, item, text))
    return rows


def assumptions_table() -> str:
    lines = ["| API | Item | Our choice / note |", "|---|---|---|"]
    for vendor, item, text in assumption_rows():
        cell = text.replace("|", "\\|") or "(see the spec)"
        lines.append(f"| {vendor} | `{item}` | {cell} |")
    return "\n".join(lines)
