"""Which schema subtrees a per-request walk may skip: found through refs, branches and items,
and a schema that refers back to itself ends the search instead of recursing forever."""

from __future__ import annotations

from mocks.core.spec import Spec


def is_uuid(node: dict) -> bool:
    return node.get("format") == "uuid"


SPEC = Spec(
    "reach",
    {
        "components": {
            "schemas": {
                "Id": {"type": "string", "format": "uuid"},
                "Tree": {  # refers to itself: a walk must stop
                    "type": "object",
                    "properties": {
                        "children": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Tree"},
                        }
                    },
                },
                "Holder": {"allOf": [{"properties": {"ref": {"$ref": "#/components/schemas/Id"}}}]},
            }
        }
    },
)


def schema(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def test_a_rule_is_found_through_refs_branches_and_items() -> None:
    assert SPEC.reach.reaches(schema("Holder"), is_uuid)
    assert SPEC.reach.reaches({"type": "array", "items": schema("Id")}, is_uuid)
    assert SPEC.reach.reaches({"additionalProperties": schema("Holder")}, is_uuid)


def test_a_subtree_without_the_rule_is_skipped_and_cycles_end() -> None:
    assert not SPEC.reach.reaches(schema("Tree"), is_uuid)
    assert not SPEC.reach.reaches({"type": "string"}, is_uuid)
