"""Fixtures of the harness integration suite: where the harness stores, and the rig.

``harness_db`` is the one place that says which store the harness uses: every harness these
tests start (in-process or as ``python -m harness``) stores there. Parametrize it to run the
whole suite against another store.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

# Helpers are imported as ``tests.…`` modules, which needs the repository root on sys.path.
# The project's pytest settings do that (pythonpath = ["."]); this keeps the suite working
# under any import mode or invocation.
_ROOT = str(Path(__file__).resolve().parents[3])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.integration.harness.rig import Rig, harness_rig  # noqa: E402


@pytest.fixture(params=["sqlite", "postgresql"])
def harness_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The harness's ``HARNESS_DB``: a fresh SQLite file, or a fresh database on the session's
    throwaway PostgreSQL server (tests/pg_cluster.py), per test."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_url")
    return str(tmp_path / "harness.db")


@pytest.fixture
def start_rig(harness_db: str) -> Iterator[Callable[..., Rig]]:
    """Start the rig once per test; ``poplar_config`` and HarnessConfig fields as keywords."""
    started: list[Rig] = []
    with ExitStack() as stack:

        def start(**overrides: Any) -> Rig:
            assert not started, "one harness per test: a second one would share harness_db"
            started.append(stack.enter_context(harness_rig(harness_db, **overrides)))
            return started[0]

        yield start


@pytest.fixture
def rig(start_rig: Callable[..., Rig]) -> Rig:
    """The rig with the default harness configuration."""
    return start_rig()
