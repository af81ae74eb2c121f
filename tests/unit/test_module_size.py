"""Every module of every product package stays under 300 lines (the developers' guide).

The packages are the ones the wheel ships (``pyproject.toml``'s package list), so a new package
is covered the day it is added.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 300
# Over the limit today, outside the slice that added this test; split, then delete the entry.
KNOWN_OVER = {"contracts/context.py"}


def product_modules() -> list[Path]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = [pattern.rstrip("*") for pattern in patterns]
    return sorted(path for package in packages for path in (ROOT / package).rglob("*.py"))


def test_every_product_package_is_covered() -> None:
    covered = {path.relative_to(ROOT).parts[0] for path in product_modules()}
    assert {"mocks", "harness", "contracts", "mockkit"} <= covered


def test_modules_stay_under_300_lines() -> None:
    over = {
        str(path.relative_to(ROOT)): length
        for path in product_modules()
        if (length := len(path.read_text(encoding="utf-8").splitlines())) >= LIMIT
    }
    assert set(over) <= KNOWN_OVER, {k: v for k, v in over.items() if k not in KNOWN_OVER}
