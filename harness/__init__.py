"""The reference SoPost -> Poplar forwarding service (talks HTTP only; never imports mocks).

Entry points: ``python -m harness`` and :func:`harness.app.create_app`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from harness.config import HarnessConfig

__all__ = ["create_app"]


def create_app(config: HarnessConfig | None = None) -> Flask:
    """Lazy alias of :func:`harness.app.create_app` (keeps ``import harness`` cheap)."""
    from harness.app import create_app as _create_app

    return _create_app(config)
