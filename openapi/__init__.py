"""The vendor and control-API OpenAPI documents, shipped as package data.

The YAML files beside this module are the single source of truth for routes, validation and
examples; everything else loads them through :func:`spec_path` so installed wheels and
source checkouts behave the same.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SPEC_DIR", "spec_path"]

SPEC_DIR = Path(__file__).resolve().parent


def spec_path(name: str) -> Path:
    """Path of ``openapi/<name>.yaml`` (``sopost``, ``poplar`` or ``control``)."""
    path = SPEC_DIR / f"{name}.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"no OpenAPI document named {name!r} in {SPEC_DIR}")
    return path
