"""Which parts of a spec's schemas a per-request walk can skip.

Several steps walk a request body beside its schema: lower-casing UUIDs, dropping nulls that
mean "absent", dropping unknown fields. Each only acts where its schema says so (a
``format: uuid``, an ``x-null-means-absent`` object...), and most subtrees say nothing of the
kind. Walking them anyway, resolving every ``$ref`` on the way, was 40 % of a Poplar
``POST /v1/order``. A spec never changes once loaded, so whether a subtree holds such a rule is
worked out once per schema node and kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["SchemaReach"]

Test = Callable[[dict], bool]
_BRANCHES = ("allOf", "anyOf", "oneOf")


class SchemaReach:
    """``reaches(schema, test)``: whether ``test`` holds for ``schema`` or any schema below it
    (properties, items, additional properties, branches), following ``$ref`` with ``resolve``."""

    def __init__(self, resolve: Callable[[Any], Any]) -> None:
        self._resolve = resolve
        self._known: dict[tuple[int, Test], bool] = {}

    def reaches(self, schema: Any, test: Test) -> bool:
        key = (id(schema), test)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = self._search(schema, test, set())
        return found

    def _search(self, schema: Any, test: Test, seen: set[int]) -> bool:
        node = self._resolve(schema)
        if not isinstance(node, dict) or id(node) in seen:  # a cycle adds nothing new
            return False
        seen.add(id(node))
        return test(node) or any(self._search(child, test, seen) for child in _children(node))


def _children(node: dict) -> Iterator[Any]:
    yield from (node.get("properties") or {}).values()
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            yield node[key]
    for key in _BRANCHES:
        yield from node.get(key) or []
