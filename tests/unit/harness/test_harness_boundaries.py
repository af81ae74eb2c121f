"""The harness talks HTTP only: it must run against the real vendors, so no ``mocks`` import."""

from __future__ import annotations

import ast
from pathlib import Path

import harness

SOURCES = sorted(Path(harness.__file__).parent.glob("*.py"))


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_harness_never_imports_mocks_contracts_or_the_cli() -> None:
    assert SOURCES
    for path in SOURCES:
        forbidden = {
            name
            for name in imported_modules(path)
            if name.split(".")[0] in {"mocks", "contracts", "mockkit"}
        }
        assert not forbidden, f"{path.name} imports {forbidden}"


def test_modules_stay_small_and_declare_their_public_api() -> None:
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) < 300, path.name
        assert "__all__" in text, path.name
