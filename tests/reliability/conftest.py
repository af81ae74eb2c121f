"""The reliability suite (issue 12): sizes, and the mocks served as `mockkit serve` serves them.

``make test`` runs it at reduced sizes; ``make reliability`` sets ``MOCKKIT_RELIABILITY=full``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.reliability.served import ServedMocks, serve_mocks  # noqa: E402


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(item.fspath).is_relative_to(here):
            item.add_marker(pytest.mark.reliability)


@pytest.fixture(scope="session")
def mocks() -> Iterator[ServedMocks]:
    """Both mocks behind granian, started once for the suite (``mockkit serve --no-harness``)."""
    with serve_mocks() as served:
        yield served
